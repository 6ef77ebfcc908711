import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The demo page's own build (the library's vite.config.ts builds dist/). The page takes
 * the library as published, from `/dist/index.js` at run time, so the demo measures the
 * same files an app ships; only the page's own code and uPlot are bundled here.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/demo/',
  publicDir: 'public',
  build: {
    outDir: fileURLToPath(new URL('../.cache/demo-site', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  logLevel: 'warn',
});
