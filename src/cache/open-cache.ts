import { openOutpostDb, type OutpostDB } from './db.js';
import type { ChunkFormat } from './chunk-data.js';
import { DegradingModelStore, DegradingStateStore } from './degrading-store.js';
import { MemoryModelStore, MemoryStateStore } from './memory-store.js';
import type { ChunkWriter } from './chunk-writer.js';
import { ModelStore as IdbModelStore } from './model-store.js';
import { isQuotaError } from './quota.js';
import { StateStore as IdbStateStore } from './state-store.js';
import type { ModelStore, StateStore } from './surface.js';

/**
 * Why the cache keeps models in memory instead of IndexedDB:
 * - `no-indexeddb`: the page has no IndexedDB;
 * - `open-failed`: the database would not open (private modes of some engines);
 * - `quota-zero`: the browser grants this origin no storage;
 * - `write-refused`: a test write was refused when the database opened;
 * - `write-failed`: a write failed later (the cache was persistent until then).
 */
export type StorageFallbackReason = 'no-indexeddb' | 'open-failed' | 'quota-zero' | 'write-refused' | 'write-failed';

/** Where the cache keeps model chunks, as `runtime.cache.usage()` reports it. */
export interface StorageStatus {
  /** False when models live in memory only and a reload downloads them again. */
  persistent: boolean;
  /** `blob` or `arraybuffer` records in IndexedDB (see chunk-data.ts), or `memory`. */
  format: ChunkFormat | 'memory';
  /** Set when `persistent` is false. */
  reason?: StorageFallbackReason;
  /** The browser's error name behind `reason` (e.g. `UnknownError`), when there was one. */
  error?: string;
  /**
   * Whether the browser granted persistent storage (`navigator.storage.persist()`,
   * asked once when the cache opens, never waited for: Firefox answers only after its
   * prompt), so it will not evict the cache, and with it the rollback floor, under
   * storage pressure. Until the answer comes it is what `persisted()` says. Absent
   * where the API is missing or the cache is in memory.
   */
  persisted?: boolean;
}

export interface OpenCache {
  store: ModelStore;
  state: StateStore;
  status(): StorageStatus;
  close(): void;
}

const FORMAT_KEY = 'storage:chunkFormat';
const PROBE_KEY = 'storage:probe';

/**
 * Opens the cache of one runtime, deciding once per database how chunks are stored:
 * Blob where the engine stores Blob values, ArrayBuffer where it refuses them (the
 * choice is remembered in the database), memory where nothing can be stored. Never
 * throws: storage trouble degrades the cache, it does not fail the load.
 */
export async function openCache(dbName: string, options: { openWriter?: () => ChunkWriter } = {}): Promise<OpenCache> {
  if (typeof indexedDB === 'undefined' || indexedDB === null) return inMemory({ reason: 'no-indexeddb' });
  let db: OutpostDB;
  try {
    db = await openOutpostDb(dbName);
  } catch (error) {
    return inMemory({ reason: 'open-failed', error });
  }
  const quota = await navigator.storage?.estimate?.().then((estimate) => estimate.quota, () => undefined);
  if (quota === 0) {
    db.close();
    return inMemory({ reason: 'quota-zero' });
  }
  const probed = await chunkFormat(db);
  if ('refused' in probed) {
    db.close();
    return inMemory({ reason: isQuotaError(probed.refused) ? 'quota-zero' : 'write-refused', error: probed.refused });
  }
  let failure: unknown;
  let failed = false;
  const onDegrade = (error: unknown) => {
    if (failed) return;
    failed = true;
    failure = error;
  };
  const persistence = await requestPersistence();
  const store = new DegradingModelStore(new IdbModelStore(db, probed.format, options.openWriter), onDegrade);
  const state = new DegradingStateStore(new IdbStateStore(db), onDegrade);
  return {
    store,
    state,
    status: () =>
      failed
        ? { persistent: false, format: 'memory', reason: 'write-failed', ...errorName(failure) }
        : { persistent: true, format: probed.format, ...(persistence.granted === undefined ? {} : { persisted: persistence.granted }) },
    close: () => db.close(),
  };
}

/**
 * Asks the browser to keep this origin's storage without waiting for the answer:
 * Firefox answers `persist()` only once the user has answered its prompt, which may be
 * never, and a load must not wait on that. `granted` starts as what `persisted()` says
 * (no prompt; awaited at most a second) and follows `persist()`'s answer when it comes;
 * `undefined` where the API is missing.
 */
async function requestPersistence(): Promise<{ granted: boolean | undefined }> {
  const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
  const state: { granted: boolean | undefined } = { granted: undefined };
  if (typeof storage?.persist !== 'function') return state;
  void storage.persist().then(
    (granted) => (state.granted = granted === true),
    () => undefined,
  );
  if (typeof storage.persisted === 'function') {
    const now = await Promise.race([
      storage.persisted().then((value) => value === true, () => undefined),
      new Promise<undefined>((resolve) => setTimeout(resolve, 1000)),
    ]);
    state.granted ??= now;
  }
  return state;
}

function inMemory(why: { reason: StorageFallbackReason; error?: unknown }): OpenCache {
  const status: StorageStatus = { persistent: false, format: 'memory', reason: why.reason, ...errorName(why.error) };
  return { store: new MemoryModelStore(), state: new MemoryStateStore(), status: () => status, close: () => undefined };
}

function errorName(error: unknown): { error?: string } {
  if (error === undefined) return {};
  return { error: error instanceof Error || error instanceof DOMException ? error.name : typeof error };
}

/** The remembered chunk format, or a test write of each (Blob first) that decides and remembers it. */
async function chunkFormat(db: OutpostDB): Promise<{ format: ChunkFormat } | { refused: unknown }> {
  const remembered = await db.get('state', FORMAT_KEY).catch(() => undefined);
  if (remembered === 'blob' || remembered === 'arraybuffer') return { format: remembered };
  const blobRefusal = await tryWrite(db, new Blob([new Uint8Array([1])]));
  const format: ChunkFormat | undefined = blobRefusal === undefined ? 'blob' : undefined;
  const bufferRefusal = format ? undefined : await tryWrite(db, new Uint8Array([1]).buffer);
  const chosen = format ?? (bufferRefusal === undefined ? 'arraybuffer' : undefined);
  if (!chosen) return { refused: bufferRefusal };
  const remember = await tryWrite(db, chosen, FORMAT_KEY, false);
  return remember === undefined ? { format: chosen } : { refused: remember };
}

/** Writes `value` (and deletes it again when `probe`); the error if the engine refused it. */
async function tryWrite(db: OutpostDB, value: unknown, key = PROBE_KEY, probe = true): Promise<unknown> {
  try {
    const tx = db.transaction('state', 'readwrite');
    // Every request and the transaction itself are awaited together, so a refusal
    // cannot also surface as an unhandled rejection of the others.
    await Promise.all([tx.store.put(value, key), ...(probe ? [tx.store.delete(key)] : []), tx.done]);
    return undefined;
  } catch (error) {
    return error ?? new Error('write refused');
  }
}
