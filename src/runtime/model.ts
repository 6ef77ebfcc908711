import { OutpostError, abortError, isOutpostError } from '../errors.js';
import { validateFeeds } from '../tensor/validate.js';
import type { Backend, TensorLike, TensorSpec } from '../tensor/types.js';
import { SharedRunChannel, sharedChannelSupported } from '../worker/channel/page-side.js';
import type { EngineClient } from '../worker/client.js';
import type { BackendChoice, SessionPayload, SessionTelemetry, StartedSession } from '../worker/protocol.js';
import { RunQueue } from './run-queue.js';

export interface RunOptions {
  signal?: AbortSignal;
  /**
   * Transfer the input buffers to the worker instead of copying them, when the page is
   * not cross-origin isolated (isolated pages copy feeds into shared memory instead,
   * which is cheaper still). The caller's typed arrays are detached afterwards.
   * @default false
   */
  transfer?: boolean;
}

/** How the model's backend was chosen, plus fallbacks since. */
export interface ModelBackendInfo extends BackendChoice {
  /** Times this model moved from WebGPU to WASM at run time (device lost). */
  fallbacks: number;
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
  /** Why this backend: measured timings, attempts that failed, fallbacks. */
  readonly backendInfo: ModelBackendInfo;
  /**
   * True when the model's bytes are in the persistent cache. False when the browser
   * could not store them (no IndexedDB, no quota, writes refused): the model is verified
   * and runs the same, but lives in memory and a reload downloads it again;
   * `runtime.cache.usage()` says why.
   */
  readonly cached: boolean;
  run(feeds: Record<string, TensorLike>, options?: RunOptions): Promise<Record<string, TensorLike>>;
  dispose(): Promise<void>;
}

export interface ModelSource {
  name: string;
  version: string;
  /** Verified model bytes (and external data) again, from the cache, to restart after a crash or fall back. */
  payload(): Promise<SessionPayload>;
  /** May WebGPU trouble move this model to WASM? True unless the caller forced WebGPU. */
  allowFallback: boolean;
  /** Whether the bytes are in the persistent cache. @default true */
  cached?: boolean;
  onDispose?: () => void;
  onFallback?: (from: Backend, to: Backend, reason: string) => void;
  /** Sees every successful run (telemetry collects the worker's counts soon after). */
  onRun?: () => void;
  /** Sees every failed run (telemetry counts its code). */
  onError?: (error: unknown) => void;
  /** Recreated sessions are recorded like the first. */
  telemetry?: SessionTelemetry;
}

export class WorkerModel implements Model {
  readonly name: string;
  readonly version: string;
  readonly inputs: TensorSpec[];
  readonly outputs: TensorSpec[];
  readonly cached: boolean;
  readonly #client: EngineClient;
  readonly #source: ModelSource;
  readonly #queue = new RunQueue();
  readonly #label: string;
  #session: StartedSession;
  #generation: number;
  #channel: SharedRunChannel | undefined;
  #fallbacks = 0;
  #disposed = false;
  #revoked: OutpostError | undefined;

  constructor(client: EngineClient, session: StartedSession, source: ModelSource) {
    this.#client = client;
    this.#session = session;
    this.#generation = client.generation;
    this.#source = source;
    this.name = source.name;
    this.version = source.version;
    this.#label = `${source.name}@${source.version}`;
    this.inputs = session.inputs;
    this.outputs = session.outputs;
    this.cached = source.cached ?? true;
  }

  get backend(): Backend {
    return this.#session.backend;
  }

  get backendInfo(): ModelBackendInfo {
    return { ...this.#session.choice, backend: this.#session.backend, fallbacks: this.#fallbacks };
  }

  run(feeds: Record<string, TensorLike>, options: RunOptions = {}): Promise<Record<string, TensorLike>> {
    if (this.#disposed) {
      return Promise.reject(
        new OutpostError('INFERENCE_FAILED', `${this.#label} is disposed`, { details: { model: this.name, version: this.version } }),
      );
    }
    if (this.#revoked) return Promise.reject(this.#revoked);
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortError(`run of ${this.#label}`, signal));
    let valid: Record<string, TensorLike>;
    try {
      valid = validateFeeds(feeds, this.inputs, this.#label);
    } catch (error) {
      this.#source.onError?.(error);
      return Promise.reject(error);
    }
    const result = this.#queue.push(() => this.#execute(valid, options.transfer === true), signal, `run of ${this.#label}`);
    const { onRun, onError } = this.#source;
    if (onRun || onError) result.then(onRun, onError ?? (() => undefined));
    return result;
  }

  /** Refuses queued and later runs with `error` (the version was revoked); a started run finishes. */
  revoke(error: OutpostError): void {
    this.#revoked ??= error;
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#source.onDispose?.();
    this.#channel?.close();
    await this.#client.release(this.#session.sessionId, this.#generation);
  }

  #execute(feeds: Record<string, TensorLike>, transfer: boolean): Promise<Record<string, TensorLike>> {
    if (this.#revoked) return Promise.reject(this.#revoked);
    // The worker restarted since this session was made (a crash): recreate it first.
    if (this.#generation !== this.#client.generation) {
      return this.#restart(this.backend).then(() => this.#attempt(feeds, transfer));
    }
    return this.#attempt(feeds, transfer);
  }

  /** One run; a WebGPU device lost during it moves an 'auto' model to WASM and runs again. */
  #attempt(feeds: Record<string, TensorLike>, transfer: boolean): Promise<Record<string, TensorLike>> {
    return this.#send(feeds, transfer).catch(async (error: unknown) => {
      const lost = isOutpostError(error, 'INFERENCE_FAILED') && error.details.deviceLost === true;
      if (!lost || this.backend !== 'webgpu' || !this.#source.allowFallback) throw error;
      this.#fallbacks += 1;
      this.#source.onFallback?.('webgpu', 'wasm', 'device-lost');
      await this.#restart('wasm');
      return this.#send(feeds, transfer);
    });
  }

  #send(feeds: Record<string, TensorLike>, transfer: boolean): Promise<Record<string, TensorLike>> {
    const { sessionId } = this.#session;
    if (sharedChannelSupported()) {
      this.#channel ??= new SharedRunChannel({
        bell: this.#client.bell,
        attach: (buffer) => this.#client.attachChannel(sessionId, buffer),
        takeOverflow: () => this.#client.takeOverflow(sessionId),
      });
      return this.#client.guard(this.#channel.run(feeds));
    }
    const buffers = transfer ? [...new Set(Object.values(feeds).map((tensor) => tensor.data.buffer as ArrayBuffer))] : [];
    return this.#client.run(sessionId, feeds, buffers);
  }

  async #restart(backend: Backend): Promise<void> {
    const previous = this.#session;
    const stale = this.#generation !== this.#client.generation;
    this.#channel?.close();
    this.#channel = undefined;
    if (!stale) await this.#client.release(previous.sessionId, this.#generation).catch(() => undefined);
    const payload = await this.#source.payload();
    const started = await this.#client.createSession({ ...payload, candidates: [backend], measure: false, strictWebgpu: false, label: this.#label,
      ...(this.#source.telemetry ? { telemetry: this.#source.telemetry } : {}),
    });
    this.#session = { ...started, choice: { ...previous.choice, backend: started.backend } };
    this.#generation = this.#client.generation;
  }
}
