import type * as Ort from 'onnxruntime-web';
import { OutpostError } from '../errors.js';
import { typedDataOf } from '../tensor/convert.js';
import type { Backend, TensorLike, TensorType } from '../tensor/types.js';
import { RunQueue } from '../runtime/run-queue.js';
import { answer } from './channel/layout.js';
import { ChannelServer } from './channel/worker-side.js';
import { probeEnvironment } from './environment.js';
import { GpuDeviceWatch } from './gpu-device.js';
import { SYNTHETIC_SHAPES, syntheticFeeds, timeRuns } from './measure.js';
import { OrtLoader, type OrtBuilds, type OrtModule } from './ort-builds.js';
import { assembleFromCache } from './assemble.js';
import { releaseNow } from './release.js';
import type { BackendAttempt, BytesPayload, CacheSource, CreateSessionRequest, EngineConfig, EngineEnvironment, StagedPayload, StartedSession } from './protocol.js';
import { WorkerTelemetry, type RunRecorder } from './telemetry.js';
import { reasonOf, specsOf } from './session-info.js';

interface OpenSession {
  ort: OrtModule;
  session: Ort.InferenceSession;
  label: string;
  backend: Backend;
  /** Runs on one session are serialised: onnxruntime allows one at a time. */
  queue: RunQueue;
  channel?: ChannelServer;
  /** Set once the session is chosen, so warm-up runs are never recorded. */
  record?: RunRecorder;
}

const MEASURED_RUNS = 5;

/**
 * Owns the onnxruntime-web sessions of one worker. Sessions are created only from
 * verified bytes: the page's, or chunks this worker read from the cache and verified
 * against the manifest's hashes itself; nothing here fetches a URL.
 */
export class Engine {
  readonly #ort: OrtLoader;
  readonly #sessions = new Map<number, OpenSession>();
  readonly #gpu = new GpuDeviceWatch();
  #config: EngineConfig | undefined;
  #bellView: Int32Array | undefined;
  /** Runs started through `run` and not yet settled, across all sessions. */
  #running = 0;
  #nextId = 1;
  /** Files assembled from the cache, waiting for the session request that consumes them. */
  readonly #staged = new Map<string, BytesPayload>();
  #environment: Promise<EngineEnvironment> | undefined;
  #crashArmed = false;
  readonly telemetry = new WorkerTelemetry();

  constructor(builds: OrtBuilds) {
    this.#ort = new OrtLoader(builds);
  }

  init(config: EngineConfig): Promise<EngineEnvironment> {
    this.#config ??= config;
    this.#environment ??= probeEnvironment();
    // WASM is every model's fallback: start its build now, in parallel with the download.
    void this.#ortFor('wasm').catch(() => undefined);
    return this.#environment;
  }

  /** Assembles and verifies `source` from the cache (assemble.ts), kept until a session consumes it. */
  async stage(source: CacheSource): Promise<StagedPayload> {
    const payload = await assembleFromCache(source);
    // Unique across workers: a handle from a worker that died can never name another's files.
    const staged = crypto.randomUUID();
    this.#staged.set(staged, payload);
    return { staged };
  }

  unstage(staged: string): void {
    this.#staged.delete(staged);
  }

  /**
   * Starts a session on the first candidate that works, or, with `measure`, on every
   * candidate that works, keeping the fastest. Every failure is recorded; none left
   * is BACKEND_UNAVAILABLE listing them all.
   */
  async createSession(request: CreateSessionRequest): Promise<StartedSession> {
    const attempts: BackendAttempt[] = [];
    const timings: Partial<Record<Backend, number>> = {};
    const opened: OpenSession[] = [];
    const payload = this.#payloadOf(request);
    for (const backend of request.candidates) {
      try {
        opened.push(await this.#open(request, payload, backend));
      } catch (error) {
        attempts.push({ backend, reason: reasonOf(error) });
        continue;
      }
      if (!request.measure) break;
    }
    // Every session that will be made from these bytes is open: onnxruntime holds its own
    // copy, so the files are freed now rather than left to the worker's collector.
    if ('staged' in request) this.#staged.delete(request.staged);
    releaseNow(payload.bytes);
    for (const file of payload.externalData ?? []) releaseNow(file.data);
    let chosen = opened[0];
    if (opened.length > 1) {
      let bestTime = Number.POSITIVE_INFINITY;
      for (const open of opened) {
        // A model the synthetic feeds cannot drive stays a candidate, just unmeasured.
        const time = await this.#measure(open).catch((error: unknown) => {
          attempts.push({ backend: open.backend, reason: `not measured: warm-up run failed: ${reasonOf(error)}` });
          return Number.POSITIVE_INFINITY;
        });
        if (Number.isFinite(time)) timings[open.backend] = time;
        // Ties (both unmeasured) go to WASM: it runs every op.
        if (time < bestTime || (time === bestTime && open.backend === 'wasm')) {
          bestTime = time;
          chosen = open;
        }
      }
      for (const open of opened) if (open !== chosen) await open.session.release();
    }
    if (!chosen) {
      throw new OutpostError('BACKEND_UNAVAILABLE', `${request.label}: no backend could start (${attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ')})`, {
        details: { model: request.label, attempts },
      });
    }
    const sessionId = this.#nextId++;
    if (request.telemetry) chosen.record = this.telemetry.recorder(request.telemetry, chosen.backend);
    this.#sessions.set(sessionId, chosen);
    const measured = Object.keys(timings).length > 1;
    const failedFirst = attempts.some((attempt) => attempt.backend !== chosen.backend && !attempt.reason.startsWith('not measured'));
    return {
      sessionId,
      backend: chosen.backend,
      inputs: specsOf(chosen.session.inputMetadata),
      outputs: specsOf(chosen.session.outputMetadata),
      choice: {
        backend: chosen.backend,
        reason: measured ? 'measured' : failedFirst ? 'fallback' : request.candidates.length === 1 ? 'forced' : 'only-candidate',
        timings,
        attempts,
      },
    };
  }

  run(sessionId: number, feeds: Record<string, TensorLike>): Promise<Record<string, TensorLike>> {
    const open = this.#get(sessionId);
    this.#running += 1;
    const result = open.queue.push(() => this.#runNow(open, feeds), undefined, `run of ${open.label}`);
    const settle = () => {
      this.#running -= 1;
    };
    // Registered before the caller's own continuation, so the count is current when it runs.
    result.then(settle, settle);
    return result;
  }

  attachChannel(sessionId: number, buffer: SharedArrayBuffer): void {
    const open = this.#get(sessionId);
    if (open.channel) open.channel.replace(buffer);
    else {
      open.channel = new ChannelServer(buffer, this.#bellFor(), (feeds) => this.run(sessionId, feeds), {
        ...(this.#config?.channel ? { timing: this.#config.channel } : {}),
        busy: () => this.#running > 0,
      });
    }
  }

  /** Counts a message from the page as taken up (see the bell in channel/layout.ts). */
  answerMessage(): void {
    if (this.#config?.bell) answer(this.#bellFor());
  }

  #bellFor(): Int32Array {
    const bell = this.#config?.bell;
    if (!bell) throw new OutpostError('INFERENCE_FAILED', 'a shared-memory channel needs the bell the page sends at init');
    this.#bellView ??= new Int32Array(bell);
    return this.#bellView;
  }

  takeOverflow(sessionId: number): Record<string, TensorLike> {
    const outputs = this.#get(sessionId).channel?.takeOverflow();
    if (!outputs) throw new OutpostError('INFERENCE_FAILED', `session ${sessionId} has no pending outputs`);
    return outputs;
  }

  async release(sessionId: number): Promise<void> {
    const open = this.#sessions.get(sessionId);
    if (!open) return;
    this.#sessions.delete(sessionId);
    open.channel?.stop();
    await open.queue.idle();
    await open.session.release();
  }

  /** Test hook: the next run dies with an uncaught error, as an abort inside onnxruntime would. */
  crashOnNextRun(): void {
    this.#crashArmed = true;
  }

  /** Loses the WebGPU device, as a driver reset would. */
  loseDevice(): Promise<void> {
    return this.#gpu.destroy();
  }

  #ortFor(backend: Backend): Promise<OrtModule> {
    if (!this.#config) throw new Error('the engine is not initialised');
    return this.#ort.get(backend, this.#config);
  }

  #payloadOf(request: CreateSessionRequest): BytesPayload {
    if (!('staged' in request)) return request;
    const payload = this.#staged.get(request.staged);
    if (!payload) {
      // Staged in a worker that has since died: the page stages again in this one.
      throw new OutpostError('WORKER_CRASHED', `${request.label}: its staged files are gone (the worker restarted)`, {
        details: { model: request.label, staged: request.staged },
      });
    }
    return payload;
  }

  async #open(request: CreateSessionRequest, payload: BytesPayload, backend: Backend): Promise<OpenSession> {
    const { label, strictWebgpu } = request;
    const { bytes, externalData } = payload;
    if (backend === 'webgpu') {
      const env = await this.#environment;
      if (env && !env.webgpu.available) throw new Error(env.webgpu.reason);
      if (this.#gpu.lost) throw new Error(`the WebGPU device was lost (${this.#gpu.lostReason})`);
    }
    const ort = await this.#ortFor(backend);
    const session = await ort.InferenceSession.create(new Uint8Array(bytes), {
      executionProviders: [backend],
      graphOptimizationLevel: 'all',
      // Verified bytes under the names the model uses, never a URL to fetch.
      ...(externalData?.length ? { externalData: externalData.map((file) => ({ path: file.path, data: new Uint8Array(file.data) })) } : {}),
      // Errors only: a strict WebGPU probe that fails is an expected outcome, reported
      // in the backend choice, not something to print to the page's console.
      logSeverityLevel: backend === 'webgpu' && strictWebgpu ? 4 : 3,
      ...(backend === 'webgpu' && strictWebgpu ? { extra: { session: { disable_cpu_ep_fallback: '1' } } } : {}),
    });
    if (backend === 'webgpu') await this.#gpu.watch(ort);
    return { ort, session, label, backend, queue: new RunQueue() };
  }

  async #measure(open: OpenSession): Promise<number> {
    let lastError: unknown;
    for (const shape of SYNTHETIC_SHAPES) {
      const feeds = syntheticFeeds(specsOf(open.session.inputMetadata), shape);
      if (!feeds) throw new Error('an input type cannot be synthesised');
      try {
        return await timeRuns(() => this.#runNow(open, feeds), MEASURED_RUNS);
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  async #runNow(open: OpenSession, feeds: Record<string, TensorLike>): Promise<Record<string, TensorLike>> {
    const { ort } = open;
    const onGpu = open.backend === 'webgpu';
    if (onGpu && this.#gpu.lost) throw this.#deviceLost(open);
    if (this.#crashArmed) {
      setTimeout(() => {
        throw new Error('simulated worker crash');
      });
      return new Promise<never>(() => undefined);
    }
    const ortFeeds: Record<string, Ort.Tensor> = {};
    for (const [name, tensor] of Object.entries(feeds)) {
      ortFeeds[name] = new ort.Tensor(tensor.type, typedDataOf(tensor) as Ort.Tensor.DataType, tensor.dims);
    }
    let results: Ort.InferenceSession.ReturnType;
    const started = open.record ? performance.now() : 0;
    try {
      results = await open.session.run(ortFeeds);
    } catch (error) {
      if (onGpu && this.#gpu.lost) throw this.#deviceLost(open);
      throw new OutpostError('INFERENCE_FAILED', `${open.label}: inference failed on ${open.backend}: ${reasonOf(error)}`, {
        cause: error,
        details: { model: open.label, backend: open.backend },
      });
    }
    // A lost device yields garbage rather than errors: never return what it computed.
    if (onGpu && this.#gpu.lost) throw this.#deviceLost(open);
    const plain: Record<string, TensorLike> = {};
    for (const [name, tensor] of Object.entries(results)) {
      plain[name] = { type: tensor.type as TensorType, data: tensor.data as ArrayBufferView, dims: [...tensor.dims] };
    }
    // Before the reply: shared-memory feeds are overwritten and outputs transferred after it.
    open.record?.(performance.now() - started, feeds, plain);
    return plain;
  }

  #deviceLost(open: OpenSession): OutpostError {
    return new OutpostError('INFERENCE_FAILED', `${open.label}: the WebGPU device was lost (${this.#gpu.lostReason})`, {
      details: { model: open.label, backend: open.backend, deviceLost: true },
    });
  }

  #get(sessionId: number): OpenSession {
    const open = this.#sessions.get(sessionId);
    if (!open) {
      throw new OutpostError('INFERENCE_FAILED', `session ${sessionId} is not open (disposed?)`, { details: { sessionId } });
    }
    return open;
  }
}
