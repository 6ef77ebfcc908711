import { openChunkWriter } from './chunk-writer.js';
import { openCache, type OpenCache, type StorageStatus } from '../cache/open-cache.js';
import { pinnedKeys, versionKey } from '../cache/eviction.js';
import { TrustChain } from '../delivery/trust.js';
import { abortError, OutpostError, toOutpostError } from '../errors.js';
import type { RememberedBackend } from '../cache/state-store.js';
import { EngineClient } from '../worker/client.js';
import { Telemetry } from '../telemetry/telemetry.js';
import { fetchVerifiedModel } from './loader.js';
import { startSession } from './backend.js';
import { WorkerModel, type Model } from './model.js';
import { normalizeLoadOptions, normalizeRuntimeOptions, type LoadOptions, type RuntimeOptions } from './options.js';
import { ReleaseWatcher, type RefreshDetail } from './refresh.js';
import { rolloutBucket } from '../registry/resolve.js';

/** One cached model version, as `runtime.cache.list()` reports it. */
export interface CacheEntry {
  name: string;
  version: string;
  bytes: number;
  lastUsed: number;
  /** The newest complete version of its model: kept for offline loads, never evicted automatically. */
  pinned: boolean;
}

/**
 * A runtime: loads verified models into one engine worker and manages their cache.
 * Events (CustomEvent): `update` (detail `{ name, version, channel }`) when a newer
 * release of a loaded model's channel was verified; `revoked` (detail `{ name, version }`)
 * when a loaded version was revoked, its runs now reject with VERSION_REVOKED; `refresh`
 * (detail {@link RefreshDetail}) after every check of the index.
 */
export interface Runtime extends EventTarget {
  load(name: string, options?: LoadOptions): Promise<Model>;
  cache: {
    list(): Promise<CacheEntry[]>;
    remove(name: string, version?: string): Promise<void>;
    /** Bytes held, the browser's quota, and whether the cache persists (why not, if not). */
    usage(): Promise<{ bytes: number; quota?: number } & StorageStatus>;
  };
  /** Closes the current telemetry window and sends what is queued now. */
  flush(): Promise<void>;
  /** Flushes telemetry, terminates the worker and closes the database. */
  close(): Promise<void>;
}

/**
 * Creates a runtime for one registry. Nothing is fetched until the first `load`.
 *
 * @example
 * ```ts
 * import { createRuntime } from 'outpost';
 * import trustedRoot from './registry/root.json';
 *
 * const runtime = createRuntime({ registryUrl: '/registry/', trustedRoot });
 * const vad = await runtime.load('vad', { onProgress: (p) => console.log(p.phase, p.loaded, p.total) });
 * const { output } = await vad.run({ input, state, sr });
 * ```
 */
export function createRuntime(options: RuntimeOptions): Runtime {
  const config = normalizeRuntimeOptions(options);
  const engine = new EngineClient({
    ...(config.ortBaseUrl ? { ortBaseUrl: config.ortBaseUrl } : {}),
    ...(config.wasmThreads !== undefined ? { numThreads: config.wasmThreads } : {}),
  });
  const telemetry = Telemetry.create(config.telemetry, {
    fetch: config.fetch,
    dbName: config.dbName,
    drainWorker: (recording, endWindow) => engine.drainTelemetry(recording, endWindow),
    environment: () => engine.environment(),
  });
  let cache: Promise<OpenCache> | undefined;
  let closed = false;
  // Loaded and not disposed: never evicted from under a live model.
  const inUse = new Map<string, number>();

  const stores = async () => {
    if (closed) throw new OutpostError('MODEL_NOT_FOUND', 'the runtime is closed');
    cache ??= openCache(config.dbName, { openWriter: () => openChunkWriter(config.dbName) });
    const handle = await cache;
    return { store: handle.store, state: handle.state, status: handle.status };
  };
  let trust: TrustChain | undefined;
  const events = new EventTarget();
  const watcher = new ReleaseWatcher({
    intervalMs: config.refreshInterval,
    events,
    refresh: async () => {
      if (!trust) return undefined;
      return trust.refreshIndex({ fetch: config.fetch, retry: config.retry });
    },
    bucket: async (name) => rolloutBucket(await (await stores()).state.installId(), name),
    drop: async (name, version) => (await stores()).store.remove(name, version),
  });

  const retain = (key: string, delta: number) => {
    const count = (inUse.get(key) ?? 0) + delta;
    if (count > 0) inUse.set(key, count);
    else inUse.delete(key);
  };

  async function load(name: string, loadOptions: LoadOptions = {}): Promise<Model> {
    if (!telemetry) return loadModel(name, loadOptions);
    const timer = telemetry.loadTimer();
    const onProgress = loadOptions.onProgress;
    const timed: LoadOptions = { ...loadOptions, onProgress: (p) => (timer.progress(p), onProgress?.(p)) };
    try {
      const model = await loadModel(name, timed);
      telemetry.loadFinished(timer, model.name, model.version);
      return model;
    } catch (error) {
      telemetry.error(error, String(name), loadOptions.version);
      throw error;
    }
  }

  async function loadModel(name: string, loadOptions: LoadOptions): Promise<Model> {
    const normalized = normalizeLoadOptions(name, loadOptions);
    const { signal } = normalized;
    if (signal?.aborted) throw abortError(`load of ${name}`, signal);
    // Start the worker and onnxruntime's WebAssembly now: they warm up while the model
    // is fetched or read from the cache, instead of after.
    void engine.environment().catch(() => undefined);
    const { store, state, status } = await stores();
    trust ??= new TrustChain(config.registryUrl, config.trustedRoot, state);
    const inUseKeys = new Set(inUse.keys());
    const verified = await fetchVerifiedModel(
      { options: config, trust, store, state, inUse: inUseKeys, persistent: () => status().persistent, stage: (source) => engine.stage(source) },
      name,
      normalized,
    );
    const key = versionKey(verified.name, verified.version);
    retain(key, 1);
    try {
      if (signal?.aborted) throw abortError(`load of ${name}`, signal);
      normalized.onProgress?.({ phase: 'compile', loaded: 0, total: 1 });
      const preference = normalized.backend ?? config.backend;
      const memory = {
        get: (k: string) => state.backendChoice(k),
        set: (k: string, choice: RememberedBackend) => state.rememberBackend(k, choice),
      };
      const recorded = telemetry?.session(verified.name, verified.version, verified.manifest.reference, verified.manifest.sampleInputs);
      const session = await startSession(engine, verified.payload, preference, key, memory, recorded);
      normalized.onProgress?.({ phase: 'compile', loaded: 1, total: 1 });
      const firstTried = session.choice.attempts[0]?.backend;
      if (session.choice.reason === 'fallback' && firstTried) telemetry?.fallback(firstTried, session.backend, 'start-failed');
      let untrack: () => void = () => undefined;
      const model = new WorkerModel(engine, session, {
        ...(recorded ? { telemetry: recorded } : {}),
        ...(telemetry
          ? {
              onRun: () => telemetry.ran(),
              onError: (error: unknown) => telemetry.error(error, verified.name, verified.version),
              onFallback: (from: string, to: string, reason: string) => telemetry.fallback(from, to, reason),
            }
          : {}),
        name: verified.name,
        version: verified.version,
        payload: () => verified.reread(),
        allowFallback: preference === 'auto',
        cached: status().persistent,
        onDispose: () => {
          retain(key, -1);
          untrack();
        },
      });
      untrack = watcher.track({ name: verified.name, version: verified.version, channel: normalized.channel, revoke: (e) => model.revoke(e) });
      return model;
    } catch (error) {
      retain(key, -1);
      // Files staged for a session that never started would stay in the worker.
      if ('staged' in verified.payload) void engine.unstage(verified.payload).catch(() => undefined);
      throw toOutpostError(error, 'BACKEND_UNAVAILABLE', `${key}: could not start`);
    }
  }

  return Object.assign(events, {
    load,
    cache: {
      async list() {
        const { store } = await stores();
        const records = (await store.all()).filter((record) => record.complete);
        const pinned = pinnedKeys(records);
        return records.map((record) => ({
          name: record.name,
          version: record.version,
          bytes: record.bytes,
          lastUsed: record.lastUsed,
          pinned: pinned.has(versionKey(record.name, record.version)),
        }));
      },
      async remove(name, version) {
        const { store } = await stores();
        await store.remove(name, version);
      },
      async usage() {
        const { store, status } = await stores();
        const bytes = await store.usedBytes();
        const storage = status();
        // Held in memory, the browser's quota does not apply.
        const estimate = storage.persistent ? await navigator.storage?.estimate?.().catch(() => undefined) : undefined;
        return estimate?.quota === undefined ? { bytes, ...storage } : { bytes, quota: estimate.quota, ...storage };
      },
    },
    async flush() {
      await telemetry?.flush();
    },
    async close() {
      if (closed) return;
      closed = true;
      watcher.close();
      // Before the worker goes: its last window is drained into the final batch.
      await telemetry?.close();
      engine.terminate();
      if (cache) (await cache.catch(() => undefined))?.close();
    },
  } satisfies Omit<Runtime, keyof EventTarget>);
}
