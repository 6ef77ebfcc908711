import type { ChunkPut } from '../cache/chunk-writer.js';
import type { FileEntry, Reference, SampleInputs } from '../registry/schema.js';
import type { MetricsWindow } from '../telemetry/aggregate.js';
import type { Backend, TensorLike, TensorSpec } from '../tensor/types.js';
import type { ChannelTiming } from './channel/worker-side.js';

/** Sent once when the worker starts. */
export interface EngineConfig {
  /** Base URL (ending in '/') of onnxruntime-web's .mjs/.wasm files; else ort-files.ts. */
  ortBaseUrl?: string;
  /** WASM threads; 0 lets onnxruntime choose. */
  numThreads?: number;
  /** How the shared-memory channel waits for a session's next request. */
  channel?: ChannelTiming;
  /** The bell (channel/layout.ts), on pages that can share memory. */
  bell?: SharedArrayBuffer;
}

export type WebGpuInfo =
  | { available: false; reason: string }
  | { available: true; vendor: string; architecture: string; description: string; software: boolean };

export interface EngineEnvironment {
  crossOriginIsolated: boolean;
  /** WASM threads possible (cross-origin isolated, SharedArrayBuffer present). */
  threads: boolean;
  simd: boolean;
  hardwareConcurrency: number;
  userAgent: string;
  webgpu: WebGpuInfo;
}

export interface SessionInfo {
  sessionId: number;
  backend: Backend;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

/** One backend tried while starting a session, and why it was not kept. */
export interface BackendAttempt {
  backend: Backend;
  reason: string;
}

/** How a session's backend was chosen: reported to callers and telemetry. */
export interface BackendChoice {
  backend: Backend;
  /** 'forced' (caller named it), 'measured', 'remembered', 'only-candidate' or 'fallback'. */
  reason: 'forced' | 'measured' | 'remembered' | 'only-candidate' | 'fallback';
  /** Median warm-up run time per measured backend, in ms. */
  timings: Partial<Record<Backend, number>>;
  attempts: BackendAttempt[];
}

/** One file of tensors the model stores outside itself, under the name the model uses. */
export interface ExternalDataFile {
  /** The `location` the model names (relative to the model file). */
  path: string;
  /** Verified bytes; transferred with the request. */
  data: ArrayBuffer;
}

/** A session made from bytes the page holds: the model and its external data, all verified. */
export interface BytesPayload {
  /** Verified model bytes; transferred, so the caller's buffer is detached. */
  bytes: ArrayBuffer;
  externalData?: ExternalDataFile[];
}

/** A session made from files the worker assembled and verified itself from the cache (`stage`). */
export interface StagedPayload {
  /** The handle `stage` returned, unique across workers; a session request consumes it. */
  staged: string;
}

/** What a session is made from. */
export type SessionPayload = BytesPayload | StagedPayload;

/** One file of a version, as the worker reads it from the cache: its verified manifest entry. */
export interface CachedFile {
  /** Path, length, chunk size and chunk hashes, from the signed manifest. */
  file: FileEntry;
  /** For an external data file, the `location` the model names it by. */
  location?: string;
}

/**
 * Where the worker finds a version's verified chunks: the runtime's IndexedDB. Only
 * the manifest's hashes cross; the worker re-verifies every chunk it reads.
 */
export interface CacheSource {
  dbName: string;
  name: string;
  version: string;
  /** The model file first, then its external data files. */
  files: CachedFile[];
}

export type CreateSessionRequest = SessionPayload & SessionOptions;

export interface SessionOptions {
  /** Backends to try, in order; with `measure`, every one that starts is timed and the fastest kept. */
  candidates: Backend[];
  measure: boolean;
  /**
   * Refuse a WebGPU session whose graph would partly fall back to the CPU (used for
   * 'auto', where such a graph counts as unsupported and WASM is chosen instead).
   */
  strictWebgpu: boolean;
  /** Names the model in error messages, e.g. `vad@1.0.0`. */
  label: string;
  /** Present when this session's runs are recorded (telemetry on, consent given, sampled in). */
  telemetry?: SessionTelemetry;
}

/** What the worker needs to record a session's runs: its series and its drift reference. */
export interface SessionTelemetry {
  model: string;
  version: string;
  reference?: Reference;
  /** The manifest's opt-in to sampled raw inputs; absent, no input ever leaves the worker. */
  sampleInputs?: SampleInputs;
}

export interface StartedSession extends SessionInfo {
  choice: BackendChoice;
}

/** The API the worker exposes through comlink. */
export interface EngineApi {
  init(config: EngineConfig): Promise<EngineEnvironment>;
  /**
   * Reads `source`'s chunks from IndexedDB, verifies each against its hash and assembles
   * the files in the worker, kept for the next `createSession` with the returned handle.
   * A chunk missing or damaged there fails with INTEGRITY_MISMATCH, `details.damaged`
   * listing `{ path, chunks }` per file, so the page can fetch just those again.
   */
  stage(source: CacheSource): Promise<StagedPayload>;
  /** Drops a staged payload that no session will consume (a load that failed before its session). */
  unstage(staged: string): Promise<void>;
  createSession(request: CreateSessionRequest): Promise<StartedSession>;
  run(sessionId: number, feeds: Record<string, TensorLike>): Promise<Record<string, TensorLike>>;
  /** Serves this session's runs through shared memory from now on (see channel/). */
  attachChannel(sessionId: number, buffer: SharedArrayBuffer): Promise<void>;
  takeOverflow(sessionId: number): Promise<Record<string, TensorLike>>;
  release(sessionId: number): Promise<void>;
  /**
   * The telemetry counts since the last drain; `recording` false discards them and stops
   * recording. `endWindow` false keeps the sampling window open (see worker/telemetry.ts).
   */
  drainTelemetry(recording: boolean, endWindow?: boolean): Promise<MetricsWindow>;
  /** Test hooks: the worker dies during its next run, or the WebGPU device is lost now. */
  simulate(fault: 'crash' | 'device-lost'): Promise<void>;
  /**
   * Stores one verified chunk in `dbName` as a Blob, in a worker started for nothing
   * else (cache/chunk-writer.ts); never sent to a worker that holds sessions.
   */
  putChunk(dbName: string, chunk: ChunkPut): Promise<void>;
}
