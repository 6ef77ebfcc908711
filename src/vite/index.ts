// `outpost/vite`: what an app's Vite config needs for Outpost, as one plugin.
// Node code run by Vite; it imports Vite's types only, so the package does not
// depend on a Vite version.
import type { Plugin } from 'vite';

/**
 * Cross-origin isolation: onnxruntime's WASM threads and the shared-memory run
 * channel need SharedArrayBuffer, which the browser gives only to isolated pages.
 */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * The Vite plugin for apps that use Outpost. It keeps the package out of Vite's dep
 * optimizer (which would move its files away from the worker and onnxruntime files
 * they reference by relative URL), builds workers as ES modules (the engine worker
 * loads each onnxruntime build on demand), and sends the cross-origin isolation
 * headers from `vite` and `vite preview`. `vite build` works without it; production
 * hosting must send the same headers itself.
 *
 * @example
 * ```ts
 * // vite.config.ts
 * import { defineConfig } from 'vite';
 * import outpost from 'outpost/vite';
 *
 * export default defineConfig({ plugins: [outpost()] });
 * ```
 */
export default function outpost(): Plugin {
  return {
    name: 'outpost',
    config() {
      return {
        optimizeDeps: { exclude: ['outpost'] },
        worker: { format: 'es' },
        server: { headers: ISOLATION_HEADERS },
        preview: { headers: ISOLATION_HEADERS },
      };
    },
  };
}
