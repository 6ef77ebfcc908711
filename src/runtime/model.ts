import { abortError, OutpostError } from '../errors.js';
import type { EngineClient } from '../worker/client.js';
import type { SessionInfo } from '../worker/protocol.js';
import type { Backend, TensorLike, TensorSpec } from '../tensor/types.js';

export interface RunOptions {
  signal?: AbortSignal;
  /**
   * Transfer the input buffers to the worker instead of copying them. Faster for
   * large inputs, but the caller's typed arrays are detached (length 0) afterwards.
   * @default false
   */
  transfer?: boolean;
}

/**
 * A loaded model version: a session in the engine worker.
 *
 * @example
 * ```ts
 * const { output } = await model.run({ input: { type: 'float32', data, dims: [1, 512] } });
 * ```
 */
export interface Model {
  readonly name: string;
  readonly version: string;
  readonly backend: Backend;
  readonly inputs: TensorSpec[];
  readonly outputs: TensorSpec[];
  run(feeds: Record<string, TensorLike>, options?: RunOptions): Promise<Record<string, TensorLike>>;
  dispose(): Promise<void>;
}

export class WorkerModel implements Model {
  readonly name: string;
  readonly version: string;
  readonly backend: Backend;
  readonly inputs: TensorSpec[];
  readonly outputs: TensorSpec[];
  readonly #client: EngineClient;
  readonly #sessionId: number;
  readonly #generation: number;
  #disposed = false;

  readonly #onDispose: (() => void) | undefined;

  constructor(client: EngineClient, session: SessionInfo, name: string, version: string, onDispose?: () => void) {
    this.#client = client;
    this.#onDispose = onDispose;
    this.#sessionId = session.sessionId;
    this.#generation = client.generation;
    this.name = name;
    this.version = version;
    this.backend = session.backend;
    this.inputs = session.inputs;
    this.outputs = session.outputs;
  }

  async run(feeds: Record<string, TensorLike>, options: RunOptions = {}): Promise<Record<string, TensorLike>> {
    if (this.#disposed) {
      throw new OutpostError('INFERENCE_FAILED', `${this.name}@${this.version} is disposed`, {
        details: { model: this.name, version: this.version },
      });
    }
    if (options.signal?.aborted) throw abortError(`run of ${this.name}@${this.version}`, options.signal);
    const buffers = options.transfer ? Object.values(feeds).map((tensor) => tensor.data.buffer as ArrayBuffer) : [];
    return this.#client.run(this.#sessionId, feeds, [...new Set(buffers)]);
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#onDispose?.();
    await this.#client.release(this.#sessionId, this.#generation);
  }
}
