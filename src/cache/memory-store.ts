import type { ChunkRecord, VersionRecord } from './db.js';
import type { RememberedBackend, StateValues } from './state-store.js';
import type { ModelStore, StateStore } from './surface.js';
import { INSTALL_ID_KEY, readInstallId } from './install-id.js';
import { floorMayRise, TRUST_PREFIX, trustKey, type IndexFloor } from './trust-records.js';

const versionId = (name: string, version: string) => JSON.stringify([name, version]);
const chunkPrefix = (name: string, version: string, file?: string) =>
  file === undefined ? `${versionId(name, version)}/` : `${versionId(name, version)}/${JSON.stringify(file)}/`;

/**
 * Model versions kept in memory for the runtime's lifetime, where IndexedDB cannot
 * store (absent, quota zero, writes refused). Same contract as the IndexedDB store, so
 * loads, warm loads in the same runtime and crash recovery work unchanged; nothing
 * survives a reload.
 */
export class MemoryModelStore implements ModelStore {
  readonly #versions = new Map<string, VersionRecord>();
  readonly #chunks = new Map<string, ChunkRecord>();

  async get(name: string, version: string): Promise<VersionRecord | undefined> {
    const record = this.#versions.get(versionId(name, version));
    return record && { ...record };
  }

  async all(): Promise<VersionRecord[]> {
    return [...this.#versions.values()].map((record) => ({ ...record }));
  }

  async versionsOf(name: string): Promise<VersionRecord[]> {
    return (await this.all()).filter((record) => record.name === name);
  }

  async begin(record: Pick<VersionRecord, 'name' | 'version' | 'manifest' | 'manifestSha256' | 'bytes'>, now: number): Promise<VersionRecord> {
    const key = versionId(record.name, record.version);
    const existing = this.#versions.get(key);
    let next: VersionRecord;
    if (!existing) next = { ...record, storedBytes: 0, complete: false, lastUsed: now, storedAt: now };
    else if (existing.manifestSha256 !== record.manifestSha256) next = { ...existing, ...record, complete: false };
    else next = existing;
    this.#versions.set(key, next);
    return { ...next };
  }

  async storedChunks(name: string, version: string, file: string): Promise<Set<number>> {
    return new Set(this.#chunksOf(chunkPrefix(name, version, file)).map((record) => record.index));
  }

  async putChunk(name: string, version: string, file: string, index: number, bytes: Uint8Array): Promise<void> {
    const key = `${chunkPrefix(name, version, file)}${index}`;
    const previous = this.#chunks.get(key);
    // Our own copy: the caller's buffer goes on to the model.
    this.#chunks.set(key, { name, version, file, index, data: bytes.slice().buffer });
    const record = this.#versions.get(versionId(name, version));
    if (record) record.storedBytes += bytes.byteLength - ((previous?.data as ArrayBuffer | undefined)?.byteLength ?? 0);
  }

  /** Memory has no writer: nothing to start or end. */
  beginWrites(_incoming: number): void {}
  settle(): void {}

  async readChunks(name: string, version: string, file: string): Promise<ChunkRecord[]> {
    return this.#chunksOf(chunkPrefix(name, version, file)).sort((a, b) => a.index - b.index);
  }

  async deleteChunk(name: string, version: string, file: string, index: number): Promise<void> {
    const key = `${chunkPrefix(name, version, file)}${index}`;
    const chunk = this.#chunks.get(key);
    if (!chunk) return;
    this.#chunks.delete(key);
    const record = this.#versions.get(versionId(name, version));
    if (record) {
      record.storedBytes -= (chunk.data as ArrayBuffer).byteLength;
      record.complete = false;
    }
  }

  async update(name: string, version: string, change: Partial<Pick<VersionRecord, 'complete' | 'lastUsed'>>): Promise<void> {
    const key = versionId(name, version);
    const record = this.#versions.get(key);
    if (record) this.#versions.set(key, { ...record, ...change });
  }

  async remove(name: string, version?: string): Promise<void> {
    const victims = version === undefined ? await this.versionsOf(name) : [{ name, version }];
    for (const victim of victims) {
      const prefix = chunkPrefix(victim.name, victim.version);
      for (const key of [...this.#chunks.keys()]) if (key.startsWith(prefix)) this.#chunks.delete(key);
      this.#versions.delete(versionId(victim.name, victim.version));
    }
  }

  async usedBytes(): Promise<number> {
    let sum = 0;
    for (const record of this.#versions.values()) sum += record.storedBytes;
    return sum;
  }

  #chunksOf(prefix: string): ChunkRecord[] {
    return [...this.#chunks.entries()].filter(([key]) => key.startsWith(prefix)).map(([, record]) => record);
  }
}

/**
 * Small facts in memory where IndexedDB cannot store: rollback protection and the
 * backend choice then hold for the runtime's lifetime only, and the install id is new
 * per runtime (rollout buckets are then not sticky across reloads).
 */
export class MemoryStateStore implements StateStore {
  readonly #values = new Map<string, unknown>();

  async get<K extends keyof StateValues>(key: K): Promise<StateValues[K] | undefined> {
    return this.#values.get(key) as StateValues[K] | undefined;
  }

  async set<K extends keyof StateValues>(key: K, value: StateValues[K]): Promise<void> {
    this.#values.set(key, value);
  }

  async delete(key: keyof StateValues): Promise<void> {
    this.#values.delete(key);
  }

  /** Checked like the IndexedDB one: a record carried over from a damaged database is replaced. */
  async installId(): Promise<string> {
    const reading = readInstallId(this.#values.get(INSTALL_ID_KEY));
    if (reading.write) this.#values.set(INSTALL_ID_KEY, reading.write);
    return reading.id;
  }

  async backendChoice(key: string): Promise<RememberedBackend | undefined> {
    return this.#values.get(`backend:${key}`) as RememberedBackend | undefined;
  }

  async rememberBackend(key: string, choice: RememberedBackend): Promise<void> {
    this.#values.set(`backend:${key}`, choice);
  }

  async raiseIndexFloor(namespace: string, floor: IndexFloor, indexText: string): Promise<void> {
    if (floorMayRise(this.#values.get(trustKey(namespace, 'floor')) as IndexFloor | undefined, floor)) {
      this.#values.set(trustKey(namespace, 'floor'), floor);
      this.#values.set(trustKey(namespace, 'index'), indexText);
    }
  }

  async raiseTimestampFloor(namespace: string, floor: IndexFloor): Promise<void> {
    if (floorMayRise(this.#values.get(trustKey(namespace, 'timestamp')) as IndexFloor | undefined, floor)) {
      this.#values.set(trustKey(namespace, 'timestamp'), floor);
    }
  }

  async trustEntries(): Promise<Array<[string, unknown]>> {
    return [...this.#values.entries()].filter(([key]) => key.startsWith(TRUST_PREFIX));
  }
}
