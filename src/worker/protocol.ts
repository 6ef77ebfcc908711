import type { Backend, TensorLike, TensorSpec } from '../tensor/types.js';

/** Sent once when the worker starts. */
export interface EngineConfig {
  /** Base URL (ending in '/') of onnxruntime-web's .mjs/.wasm files. */
  ortBaseUrl: string;
  /** WASM threads; 0 lets onnxruntime choose. */
  numThreads?: number;
}

export interface EngineEnvironment {
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  webgpu: boolean;
}

export interface SessionInfo {
  sessionId: number;
  backend: Backend;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

export interface CreateSessionRequest {
  /** Verified model bytes; transferred, so the caller's buffer is detached. */
  bytes: ArrayBuffer;
  backend: Backend;
  /** Names the model in error messages, e.g. `vad@1.0.0`. */
  label: string;
}

/** The API the worker exposes through comlink. */
export interface EngineApi {
  init(config: EngineConfig): Promise<EngineEnvironment>;
  createSession(request: CreateSessionRequest): Promise<SessionInfo>;
  run(sessionId: number, feeds: Record<string, TensorLike>): Promise<Record<string, TensorLike>>;
  release(sessionId: number): Promise<void>;
}
