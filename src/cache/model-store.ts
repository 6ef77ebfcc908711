import { chunkSize, toChunkData, type ChunkFormat } from './chunk-data.js';
import { WriterGone, type ChunkWriter } from './chunk-writer.js';
import { fileChunkRange, versionChunkRange, type ChunkRecord, type OutpostDB, type VersionRecord } from './db.js';

/** Downloads from this size on store their Blob chunks through a writer (chunk-writer.ts). */
export const WRITER_MIN_BYTES = 32 * 1024 * 1024;
export const WRITER_ROTATE_BYTES = 24 * 1024 * 1024;

/**
 * Model versions and their chunks in IndexedDB. Only verified bytes are ever written
 * here; a version is visible to callers only once `complete`.
 */
export class ModelStore {
  readonly #db: OutpostDB;
  readonly #format: ChunkFormat;
  #openWriter: (() => ChunkWriter) | undefined;
  #writer: ChunkWriter | undefined;
  #inFlight = 0;
  #written = 0;
  /** Downloads begun and not yet settled. */
  #downloads = 0;

  /**
   * `openWriter`, when given, starts a writer that a large download's Blob chunks are
   * stored through (see {@link beginWrites}). Without one, or when it fails to start,
   * chunks are stored here.
   */
  constructor(db: OutpostDB, format: ChunkFormat = 'blob', openWriter?: () => ChunkWriter) {
    this.#db = db;
    this.#format = format;
    this.#openWriter = format === 'blob' ? openWriter : undefined;
  }

  get(name: string, version: string): Promise<VersionRecord | undefined> {
    return this.#db.get('versions', [name, version]);
  }

  /** Every version record, complete or not. */
  all(): Promise<VersionRecord[]> {
    return this.#db.getAll('versions');
  }

  async versionsOf(name: string): Promise<VersionRecord[]> {
    return this.#db.getAllFromIndex('versions', 'byName', name);
  }

  /**
   * Records the version (its manifest) before any chunk is stored. A different manifest
   * (re-signed after a key rotation) replaces the stored one and the version is
   * incomplete until its chunks are checked again; chunks stay, since every chunk is
   * verified against the current manifest when read, and only those that differ are fetched.
   */
  async begin(record: Pick<VersionRecord, 'name' | 'version' | 'manifest' | 'manifestSha256' | 'bytes'>, now: number): Promise<VersionRecord> {
    const tx = this.#db.transaction('versions', 'readwrite');
    const existing = await tx.store.get([record.name, record.version]);
    let next: VersionRecord;
    if (!existing) next = { ...record, storedBytes: 0, complete: false, lastUsed: now, storedAt: now };
    else if (existing.manifestSha256 !== record.manifestSha256) next = { ...existing, ...record, complete: false };
    // Same pin, other bytes: the stored manifest was damaged and has just been fetched again.
    else if (!sameBytes(existing.manifest, record.manifest)) next = { ...existing, manifest: record.manifest };
    else next = existing;
    await tx.store.put(next);
    await tx.done;
    return next;
  }

  /** Indices of the chunks of `file` already stored. */
  async storedChunks(name: string, version: string, file: string): Promise<Set<number>> {
    const keys = await this.#db.getAllKeys('chunks', fileChunkRange(name, version, file));
    return new Set(keys.map((key) => key[3]));
  }

  /**
   * A download of `incoming` bytes starts; every call is matched by one {@link settle}.
   * From {@link WRITER_MIN_BYTES} on, Blob chunks go through a writer (chunk-writer.ts),
   * started now so it is up by the first chunk; smaller downloads are stored here, where
   * a worker's start would cost more time than the Blobs cost memory.
   */
  beginWrites(incoming: number): void {
    this.#downloads += 1;
    if (this.#openWriter && incoming >= WRITER_MIN_BYTES) this.#writer ??= this.#openWriter();
  }

  /** A download that began is over: once none is left, the writer is ended (which frees what it held). */
  settle(): void {
    this.#downloads = Math.max(0, this.#downloads - 1);
    this.#closeIfIdle();
  }

  /** Stores one verified chunk and counts its bytes, atomically. */
  async putChunk(name: string, version: string, file: string, index: number, bytes: Uint8Array): Promise<void> {
    if (this.#writer && this.#written >= WRITER_ROTATE_BYTES && this.#inFlight === 0) {
      this.#writer.close();
      this.#writer = this.#openWriter?.();
      this.#written = 0;
    }
    const writer = this.#writer;
    if (writer) {
      this.#written += bytes.byteLength;
      this.#inFlight += 1;
      try {
        return await writer.put({ name, version, file, index, bytes });
      } catch (error) {
        if (!(error instanceof WriterGone)) throw error;
        // No writer on this page (a worker refused, or it died): store here from now on.
        this.#openWriter = undefined;
        if (this.#writer === writer) this.#writer = undefined;
      } finally {
        this.#inFlight -= 1;
        this.#closeIfIdle();
      }
    }
    return this.#put(name, version, file, index, bytes);
  }

  #closeIfIdle(): void {
    if (this.#downloads > 0 || this.#inFlight > 0) return;
    const writer = this.#writer;
    this.#writer = undefined;
    // The next download's writer starts with nothing stored through it.
    this.#written = 0;
    writer?.close();
  }

  async #put(name: string, version: string, file: string, index: number, bytes: Uint8Array): Promise<void> {
    const tx = this.#db.transaction(['versions', 'chunks'], 'readwrite');
    const chunks = tx.objectStore('chunks');
    const versions = tx.objectStore('versions');
    const [previous, record] = await Promise.all([chunks.get([name, version, file, index]), versions.get([name, version])]);
    const data = toChunkData(bytes, this.#format);
    await chunks.put({ name, version, file, index, data });
    if (record) {
      record.storedBytes += bytes.byteLength - (chunkSize(previous?.data));
      await versions.put(record);
    }
    await tx.done;
  }

  async readChunks(name: string, version: string, file: string): Promise<ChunkRecord[]> {
    return this.#db.getAll('chunks', fileChunkRange(name, version, file));
  }

  async deleteChunk(name: string, version: string, file: string, index: number): Promise<void> {
    const tx = this.#db.transaction(['versions', 'chunks'], 'readwrite');
    const chunk = await tx.objectStore('chunks').get([name, version, file, index]);
    if (chunk) {
      await tx.objectStore('chunks').delete([name, version, file, index]);
      const record = await tx.objectStore('versions').get([name, version]);
      if (record) {
        record.storedBytes -= chunkSize(chunk.data);
        record.complete = false;
        await tx.objectStore('versions').put(record);
      }
    }
    await tx.done;
  }

  async update(name: string, version: string, change: Partial<Pick<VersionRecord, 'complete' | 'lastUsed'>>): Promise<void> {
    const tx = this.#db.transaction('versions', 'readwrite');
    const record = await tx.store.get([name, version]);
    if (record) await tx.store.put({ ...record, ...change });
    await tx.done;
  }

  /** Removes one version, or every version of `name`, chunks included. */
  async remove(name: string, version?: string): Promise<void> {
    const tx = this.#db.transaction(['versions', 'chunks'], 'readwrite');
    const versions = version === undefined ? await tx.objectStore('versions').index('byName').getAll(name) : [{ name, version }];
    for (const record of versions) {
      await tx.objectStore('chunks').delete(versionChunkRange(record.name, record.version));
      await tx.objectStore('versions').delete([record.name, record.version]);
    }
    await tx.done;
  }

  /** Bytes held by all versions, complete or partial. */
  async usedBytes(): Promise<number> {
    const records = await this.all();
    return records.reduce((sum, record) => sum + record.storedBytes, 0);
  }
}

/** A damaged record may hold anything where a Blob belongs: it then counts as empty. */
function sameBytes(a: unknown, b: Uint8Array): boolean {
  if (!(a instanceof Uint8Array) || a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
