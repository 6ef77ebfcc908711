import { transfer, wrap, type Remote } from 'comlink';
import { OutpostError } from '../errors.js';
import type { TensorLike } from '../tensor/types.js';
import { createBell, ring } from './channel/layout.js';
import { sharedChannelSupported } from './channel/page-side.js';
import type { ChannelTiming } from './channel/worker-side.js';
import { installErrorTransferHandler } from './errors-handler.js';
import type { MetricsWindow } from '../telemetry/aggregate.js';
import type { CacheSource, CreateSessionRequest, EngineApi, EngineEnvironment, StagedPayload, StartedSession } from './protocol.js';

export interface EngineClientOptions {
  /**
   * Where onnxruntime-web's .mjs/.wasm files are served from.
   * @default the files next to the worker (dist/ort/ in the package, or wherever the app's bundler emitted them)
   */
  ortBaseUrl?: string | URL;
  /** WASM threads for onnxruntime; 0 lets it choose. */
  numThreads?: number;
  /**
   * How the worker waits for a session's next run on the shared-memory channel:
   * `spinMs` (default 0.25; 0 never spins, which benchmarks use to show what the spin
   * buys), then `hotWaitMs` blocked (default 2; tests stretch it).
   */
  channel?: ChannelTiming;
}

/**
 * A new engine worker. The one place its URL is written, as a literal bundlers can
 * follow (`new URL('./worker.ts', import.meta.url)`, with static options, as Vite
 * requires); the chunk writer starts one too.
 */
export function spawnEngineWorker(): Worker {
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'outpost-engine' });
}

interface Pending {
  reject: (error: unknown) => void;
}

/**
 * The main-thread end of one engine worker. Calls made while the worker dies reject
 * with WORKER_CRASHED; the next call starts a fresh worker.
 */
export class EngineClient {
  readonly #options: EngineClientOptions;
  #worker: Worker | undefined;
  #remote: Remote<EngineApi> | undefined;
  #ready: Promise<EngineEnvironment> | undefined;
  #generation = 1;
  #bell: SharedArrayBuffer | undefined;
  readonly #pending = new Set<Pending>();

  constructor(options: EngineClientOptions = {}) {
    installErrorTransferHandler();
    this.#options = options;
  }

  /** Increases each time a worker dies; sessions of an older generation are gone. */
  get generation(): number {
    return this.#generation;
  }

  /** What the worker can run on; probed once per worker. */
  async environment(): Promise<EngineEnvironment> {
    await this.#start();
    return this.#ready as Promise<EngineEnvironment>;
  }

  createSession(request: CreateSessionRequest): Promise<StartedSession> {
    if ('staged' in request) return this.#call((remote) => remote.createSession(request));
    const buffers = [request.bytes, ...(request.externalData ?? []).map((file) => file.data)];
    return this.#call((remote) => remote.createSession(transfer(request, buffers)));
  }

  /**
   * Has the worker assemble `source` from the cache; the handle is valid in that worker
   * only. Sent without waiting for the worker's environment probe (a WebGPU adapter
   * request can take a while): reading and hashing the cache needs neither onnxruntime
   * nor the probe, so a warm load's bytes are ready while they finish.
   */
  stage(source: CacheSource): Promise<StagedPayload> {
    return this.#call((remote) => remote.stage(source), { waitForInit: false });
  }

  /** Drops a staged payload no session took; nothing to do once its worker is gone. */
  unstage(payload: StagedPayload): Promise<void> {
    if (!this.#remote) return Promise.resolve();
    return this.#call((remote) => remote.unstage(payload.staged));
  }

  run(sessionId: number, feeds: Record<string, TensorLike>, buffers: Transferable[] = []): Promise<Record<string, TensorLike>> {
    return this.#call((remote) => remote.run(sessionId, buffers.length ? transfer(feeds, buffers) : feeds));
  }

  /**
   * The current worker's bell (channel/layout.ts), which its channels ring: one per
   * worker, so a restarted worker starts with fresh counts. Only on pages that can
   * share memory, after the worker has started.
   */
  get bell(): SharedArrayBuffer {
    if (!this.#bell) throw new OutpostError('INFERENCE_FAILED', 'no shared-memory bell: the worker has not started, or the page is not cross-origin isolated');
    return this.#bell;
  }

  attachChannel(sessionId: number, buffer: SharedArrayBuffer): Promise<void> {
    return this.#call((remote) => remote.attachChannel(sessionId, buffer));
  }

  takeOverflow(sessionId: number): Promise<Record<string, TensorLike>> {
    return this.#call((remote) => remote.takeOverflow(sessionId));
  }

  release(sessionId: number, generation: number): Promise<void> {
    if (generation !== this.#generation || !this.#remote) return Promise.resolve();
    return this.#call((remote) => remote.release(sessionId));
  }

  /** The worker's telemetry counts, or undefined while no worker runs (nothing to drain). */
  drainTelemetry(recording: boolean, endWindow = true): Promise<MetricsWindow | undefined> {
    if (!this.#remote) return Promise.resolve(undefined);
    return this.#call((remote) => remote.drainTelemetry(recording, endWindow));
  }

  /** Test hook: makes the worker crash, or lose its WebGPU device. */
  simulate(fault: 'crash' | 'device-lost'): Promise<void> {
    return this.#call((remote) => remote.simulate(fault));
  }

  /**
   * Rejects `work` with WORKER_CRASHED if the worker dies first: for waits that do not
   * go through comlink (the shared-memory channel).
   */
  guard<T>(work: Promise<T>): Promise<T> {
    return this.#track(work);
  }

  /** Terminates the worker; pending calls reject with WORKER_CRASHED. */
  terminate(): void {
    this.#crash(new OutpostError('WORKER_CRASHED', 'the engine worker was terminated'));
  }

  async #call<T>(invoke: (remote: Remote<EngineApi>) => Promise<T>, { waitForInit = true } = {}): Promise<T> {
    const remote = await this.#start(waitForInit);
    // A worker blocked waiting for a session's next run (channel/worker-side.ts) would
    // hold this message until it times out: the bell sends it back to its event loop.
    if (this.#bell) ring(new Int32Array(this.#bell));
    return this.#track(invoke(remote));
  }

  #track<T>(work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const pending: Pending = { reject };
      this.#pending.add(pending);
      work.then(
        (value) => {
          this.#pending.delete(pending);
          resolve(value);
        },
        (error: unknown) => {
          this.#pending.delete(pending);
          reject(error);
        },
      );
    });
  }

  /** The worker, started if need be; with `waitForInit`, once its init (config, environment probe) is answered. */
  async #start(waitForInit = true): Promise<Remote<EngineApi>> {
    if (!this.#remote) {
      const worker = spawnEngineWorker();
      worker.addEventListener('error', (event) => {
        event.preventDefault();
        this.#crash(
          new OutpostError('WORKER_CRASHED', `the engine worker crashed: ${event.message || 'uncaught error'}`, {
            details: { filename: event.filename, lineno: event.lineno },
          }),
        );
      });
      this.#worker = worker;
      this.#bell = sharedChannelSupported() ? createBell() : undefined;
      this.#remote = wrap<EngineApi>(worker);
      this.#ready = this.#track(this.#remote.init(this.#config()));
    }
    const remote = this.#remote;
    // Messages reach the worker in order, so a call sent now still finds init's config there.
    if (waitForInit) await this.#ready;
    return remote;
  }

  #config() {
    const base = this.#options.ortBaseUrl;
    return {
      ...(base !== undefined ? { ortBaseUrl: String(base) } : {}),
      ...(this.#options.numThreads !== undefined ? { numThreads: this.#options.numThreads } : {}),
      ...(this.#options.channel ? { channel: this.#options.channel } : {}),
      ...(this.#bell ? { bell: this.#bell } : {}),
    };
  }

  #crash(error: OutpostError): void {
    if (this.#worker) this.#generation += 1;
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#remote = undefined;
    this.#ready = undefined;
    this.#bell = undefined;
    for (const pending of this.#pending) pending.reject(error);
    this.#pending.clear();
  }
}
