// The backends the page compares. Thread counts are runtime options, and a runtime
// holds one onnxruntime instance, so each WASM thread count gets a runtime of its own.

export type BackendId = 'webgpu' | 'wasm-1' | 'wasm-n' | 'auto';

export interface BackendConfig {
  id: BackendId;
  label: string;
  backend: 'webgpu' | 'wasm' | 'auto';
  /** WASM threads of the runtime this backend runs in. */
  threads: number;
}

/** Threads for "WASM N threads": every core the browser reports. */
export function manyThreads(): number {
  return Math.max(2, Math.min(16, navigator.hardwareConcurrency || 2));
}

export function backendConfigs(): BackendConfig[] {
  const n = manyThreads();
  return [
    { id: 'wasm-1', label: 'WASM, 1 thread', backend: 'wasm', threads: 1 },
    { id: 'wasm-n', label: `WASM, ${n} threads`, backend: 'wasm', threads: n },
    { id: 'webgpu', label: 'WebGPU', backend: 'webgpu', threads: n },
    { id: 'auto', label: "'auto'", backend: 'auto', threads: n },
  ];
}
