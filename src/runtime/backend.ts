import type { RememberedBackend } from '../cache/state-store.js';
import type { Backend, BackendPreference } from '../tensor/types.js';
import type { EngineClient } from '../worker/client.js';
import { deviceFingerprint } from '../worker/environment.js';
import type { SessionPayload, SessionTelemetry, StartedSession } from '../worker/protocol.js';

export interface BackendMemory {
  get(key: string): Promise<RememberedBackend | undefined>;
  set(key: string, choice: RememberedBackend): Promise<void>;
}

/**
 * Starts a session for `payload` (model bytes and any external data). An explicit backend is honoured or fails with
 * BACKEND_UNAVAILABLE. 'auto' measures: every backend this device offers is started
 * and timed on a short synthetic warm-up, the fastest is kept, and the decision is
 * remembered per model version and device so the next load starts straight on it.
 * In 'auto', a WebGPU session that would push part of the graph back to the CPU counts
 * as unsupported, so such a model falls back to WASM.
 */
export async function startSession(
  client: EngineClient,
  payload: SessionPayload,
  preference: BackendPreference,
  label: string,
  memory?: BackendMemory,
  telemetry?: SessionTelemetry,
): Promise<StartedSession> {
  const recorded = telemetry ? { telemetry } : {};
  if (preference !== 'auto') {
    return client.createSession({ ...payload, candidates: [preference], measure: false, strictWebgpu: false, label, ...recorded });
  }
  const env = await client.environment();
  if (!env.webgpu.available) {
    const started = await client.createSession({ ...payload, candidates: ['wasm'], measure: false, strictWebgpu: true, label, ...recorded });
    return {
      ...started,
      choice: { ...started.choice, reason: 'only-candidate', attempts: [{ backend: 'webgpu', reason: env.webgpu.reason }, ...started.choice.attempts] },
    };
  }
  const key = `${label}|${deviceFingerprint(env)}`;
  const remembered = await memory?.get(key).catch(() => undefined);
  if (remembered) {
    const other: Backend = remembered.backend === 'webgpu' ? 'wasm' : 'webgpu';
    const started = await client.createSession({ ...payload, candidates: [remembered.backend, other], measure: false, strictWebgpu: true, label, ...recorded });
    if (started.backend === remembered.backend) {
      return { ...started, choice: { ...started.choice, reason: 'remembered', timings: remembered.timings } };
    }
    return started;
  }
  const started = await client.createSession({ ...payload, candidates: ['webgpu', 'wasm'], measure: true, strictWebgpu: true, label, ...recorded });
  await memory?.set(key, { backend: started.backend, timings: started.choice.timings, at: Date.now() }).catch(() => undefined);
  return started;
}
