import type * as Ort from 'onnxruntime-web';
import { OutpostError } from '../errors.js';
import { detachableTensors, typedDataOf } from '../tensor/convert.js';
import type { Backend, TensorLike, TensorSpec, TensorType } from '../tensor/types.js';
import type {
  CreateSessionRequest,
  EngineConfig,
  EngineEnvironment,
  SessionInfo,
} from './protocol.js';

type OrtModule = typeof Ort;

interface OpenSession {
  session: Ort.InferenceSession;
  label: string;
  backend: Backend;
  /** Runs on one session are serialised: onnxruntime allows one at a time. */
  tail: Promise<unknown>;
}

/**
 * Owns the onnxruntime-web sessions of one worker. Sessions are created only from
 * bytes the main thread has verified; nothing here fetches a URL.
 */
export class Engine {
  readonly #ort: OrtModule;
  readonly #sessions = new Map<number, OpenSession>();
  #nextId = 1;

  constructor(ort: OrtModule) {
    this.#ort = ort;
  }

  async init(config: EngineConfig): Promise<EngineEnvironment> {
    const { env } = this.#ort;
    env.wasm.wasmPaths = config.ortBaseUrl;
    if (config.numThreads !== undefined) env.wasm.numThreads = config.numThreads;
    env.logLevel = 'error';
    return {
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      hardwareConcurrency: navigator.hardwareConcurrency ?? 1,
      webgpu: 'gpu' in navigator,
    };
  }

  async createSession(request: CreateSessionRequest): Promise<SessionInfo> {
    const { backend, label } = request;
    let session: Ort.InferenceSession;
    try {
      if (backend === 'webgpu') await assertWebGpuAdapter();
      session = await this.#ort.InferenceSession.create(new Uint8Array(request.bytes), {
        executionProviders: [backend],
        graphOptimizationLevel: 'all',
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new OutpostError('BACKEND_UNAVAILABLE', `${label}: could not start on ${backend}: ${reason}`, {
        cause: error,
        details: { model: label, attempts: [{ backend, reason }] },
      });
    }
    const sessionId = this.#nextId++;
    this.#sessions.set(sessionId, { session, label, backend, tail: Promise.resolve() });
    return {
      sessionId,
      backend,
      inputs: specsOf(session.inputMetadata),
      outputs: specsOf(session.outputMetadata),
    };
  }

  run(sessionId: number, feeds: Record<string, TensorLike>): Promise<{ outputs: Record<string, TensorLike>; transfer: ArrayBuffer[] }> {
    const open = this.#open(sessionId);
    const result = open.tail.then(() => this.#runNow(open, feeds));
    open.tail = result.catch(() => undefined);
    return result;
  }

  async release(sessionId: number): Promise<void> {
    const open = this.#sessions.get(sessionId);
    if (!open) return;
    this.#sessions.delete(sessionId);
    await open.tail;
    await open.session.release();
  }

  async #runNow(open: OpenSession, feeds: Record<string, TensorLike>) {
    const ort = this.#ort;
    const ortFeeds: Record<string, Ort.Tensor> = {};
    for (const [name, tensor] of Object.entries(feeds)) {
      ortFeeds[name] = new ort.Tensor(tensor.type, typedDataOf(tensor) as Ort.Tensor.DataType, tensor.dims);
    }
    let results: Ort.InferenceSession.ReturnType;
    try {
      results = await open.session.run(ortFeeds);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new OutpostError('INFERENCE_FAILED', `${open.label}: inference failed on ${open.backend}: ${reason}`, {
        cause: error,
        details: { model: open.label, backend: open.backend },
      });
    }
    const plain: Record<string, TensorLike> = {};
    for (const [name, tensor] of Object.entries(results)) {
      plain[name] = { type: tensor.type as TensorType, data: tensor.data as ArrayBufferView, dims: [...tensor.dims] };
      tensor.dispose?.();
    }
    const { tensors, transfer } = detachableTensors(plain);
    return { outputs: tensors, transfer };
  }

  #open(sessionId: number): OpenSession {
    const open = this.#sessions.get(sessionId);
    if (!open) {
      throw new OutpostError('INFERENCE_FAILED', `session ${sessionId} is not open (disposed?)`, {
        details: { sessionId },
      });
    }
    return open;
  }
}

async function assertWebGpuAdapter(): Promise<void> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) throw new Error('WebGPU is not exposed in this context (navigator.gpu is missing)');
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('navigator.gpu.requestAdapter() returned no adapter');
}

function specsOf(metadata: readonly Ort.InferenceSession.ValueMetadata[]): TensorSpec[] {
  return metadata.map((value) => {
    if (!value.isTensor) return { name: value.name, type: 'non-tensor', dims: [] };
    return {
      name: value.name,
      type: value.type,
      dims: value.shape.map((dim, index) => (typeof dim === 'number' ? dim : dim === '' ? `dim_${index}` : dim)),
    };
  });
}
