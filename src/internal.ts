/**
 * Internal entry point, not part of the public API: runs a model from bytes the
 * caller already holds. Tests and benchmarks use it; apps use `createRuntime().load()`,
 * which verifies bytes before they get here.
 */
import { EngineClient, type EngineClientOptions } from './worker/client.js';
import { WorkerModel, type Model } from './runtime/model.js';
import type { Backend } from './tensor/types.js';

export interface BytesEngine {
  environment: EngineClient['environment'];
  loadBytes(bytes: ArrayBuffer, options: { name: string; version?: string; backend: Backend }): Promise<Model>;
  /** Kills the worker as a crash would (for recovery tests). */
  crash(): void;
  close(): void;
}

export function openBytesEngine(options: EngineClientOptions = {}): BytesEngine {
  const client = new EngineClient(options);
  return {
    environment: () => client.environment(),
    async loadBytes(bytes, { name, version = '0.0.0', backend }) {
      const session = await client.createSession(bytes, backend, `${name}@${version}`);
      return new WorkerModel(client, session, name, version);
    },
    crash: () => client.terminate(),
    close: () => client.terminate(),
  };
}
export type { TensorLike, TensorSpec, Backend } from './tensor/types.js';
