/**
 * Internal entry point, not part of the public API: runs a model from bytes the
 * caller already holds. Tests and benchmarks use it; apps use `createRuntime().load()`,
 * which verifies bytes before they get here.
 */
import { startSession } from './runtime/backend.js';
import { WorkerModel, type Model } from './runtime/model.js';
import type { BackendPreference } from './tensor/types.js';
import { EngineClient, type EngineClientOptions } from './worker/client.js';
import type { EngineEnvironment, SessionTelemetry } from './worker/protocol.js';
import type { MetricsWindow } from './telemetry/aggregate.js';

export interface BytesEngine {
  environment(): Promise<EngineEnvironment>;
  /**
   * `fallback` lets a model forced onto WebGPU move to WASM when the device is lost
   * (what 'auto' does), so tests can reach that path on a machine where 'auto' picks WASM.
   */
  loadBytes(bytes: ArrayBuffer, options: { name: string; version?: string; backend: BackendPreference; fallback?: boolean; telemetry?: SessionTelemetry }): Promise<Model>;
  /** The worker's telemetry window since the last drain (benchmarks check it recorded). */
  drainTelemetry(): Promise<MetricsWindow | undefined>;
  /** Test hooks: crash the worker (as a bug would), or lose the WebGPU device. */
  simulate(fault: 'crash' | 'device-lost'): Promise<void>;
  /** Kills the worker at once; pending calls reject with WORKER_CRASHED. */
  terminate(): void;
  close(): void;
}

export function openBytesEngine(options: EngineClientOptions = {}): BytesEngine {
  const client = new EngineClient(options);
  return {
    environment: () => client.environment(),
    async loadBytes(bytes, { name, version = '0.0.0', backend, fallback, telemetry }) {
      // Kept so the session can be recreated after a crash or a fallback.
      const copy = bytes.slice(0);
      const session = await startSession(client, { bytes }, backend, `${name}@${version}`, undefined, telemetry);
      return new WorkerModel(client, session, {
        name,
        version,
        payload: async () => ({ bytes: copy.slice(0) }),
        allowFallback: fallback ?? backend === 'auto',
        ...(telemetry ? { telemetry } : {}),
      });
    },
    drainTelemetry: () => client.drainTelemetry(true),
    simulate: (fault) => client.simulate(fault),
    terminate: () => client.terminate(),
    close: () => client.terminate(),
  };
}
export type { TensorLike, TensorSpec, Backend } from './tensor/types.js';
/** The typed array each tensor type uses (test pages decode tensors with it). */
export { TYPED_ARRAY_FOR } from './tensor/convert.js';
/** Drift features and reference binning, for benchmarks that build a reference in the page. */
export { FeatureSamples, runFeatures } from './drift/features.js';
export { computeReference } from './registry/reference.js';
export { DriftBinner } from './drift/binning.js';
export { SnapshotArena } from './drift/arena.js';
export { Aggregator } from './telemetry/aggregate.js';
export { openCache } from './cache/open-cache.js';
/** The worker's assembly of a cached version, for the spec that runs it in a worker of its own. */
export { assembleFromCache } from './worker/assemble.js';
export { WRITER_MIN_BYTES, WRITER_ROTATE_BYTES } from './cache/model-store.js';
export { openChunkWriter } from './runtime/chunk-writer.js';
