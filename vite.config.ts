import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
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

// Outputs of the other build steps (tsc) that share dist/: emptying it would delete them.
const KEEP_IN_DIST = new Set(['node', 'types', 'vite', 'dashboard']);

function emptyOwnOutputs(): Plugin {
  // The build's own outDir: a benchmark builds elsewhere and must leave the checkout's dist/ alone.
  let outDir = 'dist';
  return {
    name: 'outpost:empty-own-outputs',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    buildStart() {
      let entries: string[] = [];
      try {
        entries = readdirSync(outDir);
      } catch {
        return;
      }
      for (const entry of entries) if (!KEEP_IN_DIST.has(entry)) rmSync(join(outDir, entry), { recursive: true, force: true });
    },
  };
}

/**
 * The built package must reference its worker and onnxruntime's files with literal
 * `new URL('./…', import.meta.url)`, the form an app's bundler (Vite, webpack 5)
 * follows, re-bundling the worker with its imports and emitting the files hashed.
 * Vite would rewrite such references in this build (to a nested, non-literal URL for
 * the worker, or warn about files that only exist in dist/), so they travel through
 * the build as a placeholder call and are written back literally at the end.
 */
const PLACEHOLDER = '__outpost_literal_url__';
const WORKER_SOURCE = /new URL\('\.\/worker\.ts', import\.meta\.url\)/g;
const ORT_SOURCE = /new URL\('(\.\/ort\/[\w.-]+)', import\.meta\.url\)/g;
// onnxruntime's own name for its bundle, used only to guess a script URL when a bundler
// hard-codes import.meta.url as file:: not a file to emit, so kept out of the literal form.
const ORT_SELF_URL = /new URL\((["'`])(ort[\w.]*\.mjs)\1, import\.meta\.url\)/g;
const PLACEHOLDER_CALL = new RegExp(`${PLACEHOLDER}\\(\\s*(["'\`])(\\.\\/[\\w./-]+)\\1\\s*\\)`, 'g');

function literalUrls(): Plugin {
  return {
    name: 'outpost:literal-urls',
    apply: 'build',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]src[\\/]worker[\\/](client|ort-files)\.ts$/.test(id)) return null;
      const out = code
        .replace(WORKER_SOURCE, `${PLACEHOLDER}('./engine-worker.js')`)
        .replace(ORT_SOURCE, (_, path: string) => `${PLACEHOLDER}('${path}')`);
      // Same lines as the source: the source map stays right to the line.
      return { code: out, map: { mappings: '' } };
    },
    renderChunk(code) {
      const out = code
        .replace(PLACEHOLDER_CALL, (_, _quote: string, path: string) => `new URL("${path}", import.meta.url)`)
        .replace(ORT_SELF_URL, (_, _quote: string, name: string) => `new URL("${name}", "" + import.meta.url)`);
      return out === code ? null : { code: out, map: null };
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
    emptyOutDir: false,
    sourcemap: true,
    assetsInlineLimit: 0,
    lib: {
      entry: { index: 'src/index.ts', internal: 'src/internal.ts', 'engine-worker': 'src/worker/worker.ts' },
      formats: ['es'],
    },
    rollupOptions: {
      output: { entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
    },
  },
  plugins: [emptyOwnOutputs(), literalUrls(), copyOrtRuntime()],
});
