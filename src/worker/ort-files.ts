import type { Backend } from '../tensor/types.js';

/**
 * onnxruntime-web's runtime files per backend, as literal `new URL('./ort/…',
 * import.meta.url)` references: an app's bundler (Vite, webpack 5) sees each one,
 * emits it hashed and rewrites the URL, so no copy step is needed. In the library's
 * own build these resolve to `dist/ort/` next to the worker chunk.
 *
 * Each getter is only evaluated when its build is started, but bundlers emit every
 * file referenced here whatever the app asks for at run time.
 *
 * @example
 * ```ts
 * ort.env.wasm.wasmPaths = ortFiles('wasm'); // { mjs, wasm }, absolute URLs
 * ```
 */
export function ortFiles(backend: Backend): { mjs: string; wasm: string } {
  return backend === 'wasm'
    ? {
        mjs: new URL('./ort/ort-wasm-simd-threaded.mjs', import.meta.url).href,
        wasm: new URL('./ort/ort-wasm-simd-threaded.wasm', import.meta.url).href,
      }
    : {
        mjs: new URL('./ort/ort-wasm-simd-threaded.jsep.mjs', import.meta.url).href,
        wasm: new URL('./ort/ort-wasm-simd-threaded.jsep.wasm', import.meta.url).href,
      };
}
