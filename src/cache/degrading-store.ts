import type { VersionRecord } from './db.js';
import { MemoryModelStore, MemoryStateStore } from './memory-store.js';
import { isQuotaError } from './quota.js';
import type { ModelStore, StateStore } from './surface.js';

/**
 * Runs store operations on IndexedDB until it first fails for a reason other than
 * quota (quota has its own path: eviction, then QUOTA_EXCEEDED), then on memory for
 * the rest of the runtime. A storage failure thus costs persistence, never a load.
 */
class Fallback<T> {
  #current: T;
  #degraded = false;
  readonly #durable: T;
  readonly #memory: () => T;
  readonly #onDegrade: (error: unknown) => void;

  constructor(durable: T, memory: () => T, onDegrade: (error: unknown) => void) {
    this.#durable = durable;
    this.#current = durable;
    this.#memory = memory;
    this.#onDegrade = onDegrade;
  }

  get degraded(): boolean {
    return this.#degraded;
  }

  async run<R>(op: (store: T) => Promise<R>, seed?: (memory: T, durable: T) => Promise<void>): Promise<R> {
    if (this.#degraded) return op(this.#current);
    try {
      return await op(this.#durable);
    } catch (error) {
      if (isQuotaError(error) || this.#degraded) throw error;
      const memory = this.#memory();
      // What the operation builds on (its version record) moves over if still readable.
      await seed?.(memory, this.#durable).catch(() => undefined);
      this.#degraded = true;
      this.#current = memory;
      this.#onDegrade(error);
      return op(memory);
    }
  }
}

/** The model store of a runtime: IndexedDB, or memory once IndexedDB refuses a write. */
export class DegradingModelStore implements ModelStore {
  readonly #fallback: Fallback<ModelStore>;
  readonly #durable: ModelStore;

  constructor(durable: ModelStore, onDegrade: (error: unknown) => void) {
    this.#durable = durable;
    this.#fallback = new Fallback<ModelStore>(durable, () => new MemoryModelStore(), onDegrade);
  }

  /** False once writes went to memory. */
  get persistent(): boolean {
    return !this.#fallback.degraded;
  }

  get(name: string, version: string) {
    return this.#fallback.run((store) => store.get(name, version));
  }
  all() {
    return this.#fallback.run((store) => store.all());
  }
  versionsOf(name: string) {
    return this.#fallback.run((store) => store.versionsOf(name));
  }
  begin(record: Pick<VersionRecord, 'name' | 'version' | 'manifest' | 'manifestSha256' | 'bytes'>, now: number) {
    return this.#fallback.run((store) => store.begin(record, now));
  }
  storedChunks(name: string, version: string, file: string) {
    return this.#fallback.run((store) => store.storedChunks(name, version, file));
  }
  putChunk(name: string, version: string, file: string, index: number, bytes: Uint8Array) {
    return this.#fallback.run((store) => store.putChunk(name, version, file, index, bytes), seedVersion(name, version));
  }
  /** Always IndexedDB's: its writer is started and ended even once degraded, so it never outlives a download. */
  beginWrites(incoming: number) {
    this.#durable.beginWrites(incoming);
  }
  settle() {
    this.#durable.settle();
  }
  readChunks(name: string, version: string, file: string) {
    return this.#fallback.run((store) => store.readChunks(name, version, file));
  }
  deleteChunk(name: string, version: string, file: string, index: number) {
    return this.#fallback.run((store) => store.deleteChunk(name, version, file, index), seedVersion(name, version));
  }
  update(name: string, version: string, change: Partial<Pick<VersionRecord, 'complete' | 'lastUsed'>>) {
    return this.#fallback.run((store) => store.update(name, version, change), seedVersion(name, version));
  }
  remove(name: string, version?: string) {
    return this.#fallback.run((store) => store.remove(name, version));
  }
  usedBytes() {
    return this.#fallback.run((store) => store.usedBytes());
  }
}

/** The version record without its chunks: those already written stay in IndexedDB and are fetched again. */
function seedVersion(name: string, version: string) {
  return async (memory: ModelStore, durable: ModelStore) => {
    const record = await durable.get(name, version);
    if (record) await memory.begin(record, record.storedAt);
  };
}

/** Small facts: IndexedDB, or memory once IndexedDB refuses a write (trust state carried over). */
export class DegradingStateStore implements StateStore {
  readonly #fallback: Fallback<StateStore>;

  constructor(durable: StateStore, onDegrade: (error: unknown) => void) {
    this.#fallback = new Fallback<StateStore>(durable, () => new MemoryStateStore(), onDegrade);
  }

  get: StateStore['get'] = (key) => this.#fallback.run((store) => store.get(key), carryTrust);
  set: StateStore['set'] = (key, value) => this.#fallback.run((store) => store.set(key, value), carryTrust);
  delete: StateStore['delete'] = (key) => this.#fallback.run((store) => store.delete(key), carryTrust);
  installId = () => this.#fallback.run((store) => store.installId(), carryTrust);
  backendChoice = (key: string) => this.#fallback.run((store) => store.backendChoice(key), carryTrust);
  rememberBackend: StateStore['rememberBackend'] = (key, choice) => this.#fallback.run((store) => store.rememberBackend(key, choice), carryTrust);
  raiseIndexFloor: StateStore['raiseIndexFloor'] = (namespace, floor, text) =>
    this.#fallback.run((store) => store.raiseIndexFloor(namespace, floor, text), carryTrust);
  raiseTimestampFloor: StateStore['raiseTimestampFloor'] = (namespace, floor) =>
    this.#fallback.run((store) => store.raiseTimestampFloor(namespace, floor), carryTrust);
  trustEntries = () => this.#fallback.run((store) => store.trustEntries(), carryTrust);
}

/**
 * Rollback protection must not reset when storage fails: the install id and every
 * namespace's roots, floor and offline index move to memory.
 */
async function carryTrust(memory: StateStore, durable: StateStore): Promise<void> {
  // Carried as stored: the memory store checks it on use like the durable one.
  const id = await durable.get('installId').catch(() => undefined);
  if (id !== undefined) await memory.set('installId', id);
  for (const [key, value] of await durable.trustEntries().catch(() => [])) {
    if (value !== undefined) await memory.set(key as `trust:${string}:index`, value as never);
  }
}
