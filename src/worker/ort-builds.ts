import type * as Ort from 'onnxruntime-web';
import type { Backend } from '../tensor/types.js';
import type { EngineConfig } from './protocol.js';
import { ortFiles } from './ort-files.js';
import { WARMUP_MODEL } from './warmup.js';

export type OrtModule = typeof Ort;

/**
 * Where each backend's onnxruntime-web comes from. Two builds, each its own module
 * instance with its own WebAssembly heap: the WASM-only build runs the 'wasm' backend
 * (its code is not instrumented for JSEP's async WebGPU calls, which makes CPU
 * inference measurably faster, and its .wasm is half the size), and the JSEP build,
 * loaded only when a WebGPU session is asked for, runs 'webgpu'.
 */
export type OrtBuilds = Record<Backend, () => Promise<OrtModule>>;

/** Loads each backend's build once, on first use, configured and started. */
export class OrtLoader {
  readonly #builds: OrtBuilds;
  readonly #loaded = new Map<Backend, Promise<OrtModule>>();

  constructor(builds: OrtBuilds) {
    this.#builds = builds;
  }

  /**
   * The build for `backend`, configured from `config` and with its WebAssembly started
   * (by a one-node session: onnxruntime's start must not run twice, so sessions wait
   * for this one). A build that failed to load is tried again by the next call.
   */
  get(backend: Backend, config: EngineConfig): Promise<OrtModule> {
    let loading = this.#loaded.get(backend);
    if (!loading) {
      loading = this.#builds[backend]().then(async (ort) => {
        // A base URL (a CDN) when the app gave one, else the files its bundler emitted.
        ort.env.wasm.wasmPaths = config.ortBaseUrl ?? ortFiles(backend);
        if (config.numThreads !== undefined) ort.env.wasm.numThreads = config.numThreads;
        ort.env.logLevel = 'error';
        await ort.InferenceSession.create(WARMUP_MODEL.slice(), { executionProviders: ['wasm'], logSeverityLevel: 4 }).then(
          (session) => session.release(),
          () => undefined,
        );
        return ort;
      });
      loading.catch(() => this.#loaded.delete(backend));
      this.#loaded.set(backend, loading);
    }
    return loading;
  }
}
