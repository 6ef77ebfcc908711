import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

const require = createRequire(import.meta.url);
const ortDist = dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm'));

/**
 * onnxruntime-web's runtime files, loaded by the worker from `ort/` next to the entry:
 * the WASM-only build (the 'wasm' backend) and the JSEP build (the 'webgpu' backend).
 */
const ORT_FILES = [
  'ort-wasm-simd-threaded.mjs',
  'ort-wasm-simd-threaded.wasm',
  'ort-wasm-simd-threaded.jsep.mjs',
  'ort-wasm-simd-threaded.jsep.wasm',
];

// The .wasm must stay a separate file: inlined it would make a 38 MB worker chunk.
function copyOrtRuntime(): Plugin {
  return {
    name: 'outpost:copy-ort-runtime',
    apply: 'build',
    writeBundle(options) {
      const outDir = join(options.dir ?? 'dist', 'ort');
      mkdirSync(outDir, { recursive: true });
      for (const file of ORT_FILES) copyFileSync(join(ortDist, file), join(outDir, file));
    },
  };
}

export default defineConfig({
  // Relative URLs, so the worker chunk resolves next to the entry wherever dist/ is served.
  base: './',
  resolve: {
    // Makes onnxruntime-web load its glue module and .wasm from `env.wasm.wasmPaths` at run time.
    conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions],
  },
  worker: {
    format: 'es',
    rollupOptions: { output: { entryFileNames: '[name]-[hash].js', chunkFileNames: '[name]-[hash].js' } },
  },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    assetsInlineLimit: 0,
    lib: {
      entry: { index: 'src/index.ts', internal: 'src/internal.ts' },
      formats: ['es'],
    },
    rollupOptions: {
      output: { entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
    },
  },
  plugins: [copyOrtRuntime()],
});
