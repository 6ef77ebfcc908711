/**
 * The worker's half of a memory-bounded load: it opens the runtime's IndexedDB itself,
 * reads a version's chunks one small batch at a time, re-verifies each against the
 * signed manifest's hash and copies it straight into one buffer per file, allocated
 * once at its final size. The page never holds the model; the worker holds it once,
 * until onnxruntime has copied it into its own memory.
 */
import { chunkBytes } from '../cache/chunk-data.js';
import { openOutpostDb, type OutpostDB } from '../cache/db.js';
import { isOutpostError, OutpostError } from '../errors.js';
import { chunkRange, verifyChunk } from '../registry/integrity.js';
import type { FileEntry } from '../registry/schema.js';
import type { BytesPayload, CacheSource } from './protocol.js';

/** Chunks read and hashed at once: enough to overlap IndexedDB with WebCrypto, few enough to stay small. */
const READ_AHEAD = 4;

/** The chunks of one file that were missing or failed their hash. */
export interface DamagedFile {
  path: string;
  chunks: number[];
}

/**
 * The verified files of `source`, ready for a session; INTEGRITY_MISMATCH with
 * `details.damaged` when chunks are missing or damaged (every file is checked, so the
 * page learns all of them at once), or `details.unreadable` when the worker cannot open
 * the database at all.
 *
 * @example
 * ```ts
 * const payload = await assembleFromCache({ dbName: 'outpost', name: 'vad', version: '1.0.0', files: [{ file }] });
 * ```
 */
export async function assembleFromCache(source: CacheSource): Promise<BytesPayload> {
  const label = `${source.name}@${source.version}`;
  let db: OutpostDB;
  try {
    db = await openOutpostDb(source.dbName);
  } catch (error) {
    // Nothing is known damaged: the page reads the cache itself instead (`unreadable`).
    throw new OutpostError('INTEGRITY_MISMATCH', `${label}: the worker could not open the cache`, {
      cause: error,
      details: { name: source.name, version: source.version, record: 'chunk', unreadable: true },
    });
  }
  try {
    const damaged: DamagedFile[] = [];
    const buffers: ArrayBuffer[] = [];
    for (const { file } of source.files) {
      const { buffer, bad } = await assembleFile(db, source, file);
      if (bad.length > 0) damaged.push({ path: file.path, chunks: bad });
      buffers.push(buffer);
    }
    if (damaged.length > 0) {
      const count = damaged.reduce((sum, file) => sum + file.chunks.length, 0);
      throw new OutpostError('INTEGRITY_MISMATCH', `${label}: ${count} cached chunks are damaged or missing`, {
        details: { name: source.name, version: source.version, record: 'chunk', damaged },
      });
    }
    const [bytes, ...external] = buffers as [ArrayBuffer, ...ArrayBuffer[]];
    const payload: BytesPayload = { bytes };
    const locations = source.files.slice(1).map(({ file, location }) => location ?? file.path);
    if (external.length > 0) payload.externalData = external.map((data, i) => ({ path: locations[i] as string, data }));
    return payload;
  } finally {
    // Closed at once: an open connection would block another tab's schema upgrade.
    db.close();
  }
}

async function assembleFile(db: OutpostDB, source: CacheSource, file: FileEntry): Promise<{ buffer: ArrayBuffer; bad: number[] }> {
  const out = new Uint8Array(file.length);
  const bad: number[] = [];
  // One scratch buffer per read in flight, reused chunk after chunk: reading a Blob
  // chunk makes no new buffer for the collector (see readChunk).
  const scratch: Array<Uint8Array | undefined> = Array.from({ length: READ_AHEAD }, () => undefined);
  for (let first = 0; first < file.chunks.length; first += READ_AHEAD) {
    const batch = Array.from({ length: Math.min(READ_AHEAD, file.chunks.length - first) }, (_, i) => first + i);
    await Promise.all(
      batch.map(async (index, slot) => {
        const record = await db.get('chunks', [source.name, source.version, file.path, index]);
        try {
          if (!record) throw new OutpostError('INTEGRITY_MISMATCH', `${file.path}: chunk ${index} is not cached`);
          const { bytes, buffer } = await readChunk(record.data, scratch[slot] ?? new Uint8Array(file.chunkSize));
          scratch[slot] = buffer;
          await verifyChunk(file, index, bytes);
          out.set(bytes, chunkRange(file, index).start);
        } catch (error) {
          // A value that is not bytes, or a Blob whose file is gone, counts as damaged.
          if (!isOutpostError(error, 'INTEGRITY_MISMATCH') && !(error instanceof DOMException)) throw error;
          bad.push(index);
        }
      }),
    );
  }
  return { buffer: out.buffer, bad: bad.sort((a, b) => a - b) };
}

/**
 * The bytes of a stored chunk. A Blob is read with a BYOB reader into `scratch` (handed
 * back as `buffer`, since each read moves it), so a file's assembly makes no per-chunk
 * buffer for the collector: those 4 MiB buffers would otherwise sit in the worker's heap
 * until it collects, on top of the assembled file and onnxruntime's copy of it.
 * Where Blob streams have no BYOB reader, or the Blob is larger than `scratch`, it is
 * read whole as before.
 */
async function readChunk(data: unknown, scratch: Uint8Array): Promise<{ bytes: Uint8Array; buffer: Uint8Array | undefined }> {
  if (!(data instanceof Blob) || data.size > scratch.byteLength) return { bytes: await chunkBytes(data), buffer: scratch };
  let reader: ReadableStreamBYOBReader;
  try {
    reader = data.stream().getReader({ mode: 'byob' });
  } catch {
    return { bytes: await chunkBytes(data), buffer: scratch };
  }
  reading.add(reader);
  try {
    let view = new Uint8Array(scratch.buffer, 0, scratch.byteLength);
    let filled = 0;
    let done = false;
    while (!done && filled < data.size) {
      const read = await reader.read(new Uint8Array(view.buffer, filled, view.byteLength - filled));
      done = read.done;
      if (read.value) {
        view = new Uint8Array(read.value.buffer, 0, read.value.buffer.byteLength);
        filled += read.value.byteLength;
      }
    }
    // A Blob longer than it said would be cut here: its hash then fails, as it should.
    if (!done) void reader.cancel().catch(() => undefined);
    return { bytes: view.subarray(0, filled), buffer: view };
  } finally {
    reading.delete(reader);
  }
}

/**
 * Readers with a read pending. Chromium collects a Blob's stream, and with it the read
 * in flight, when nothing but that read's promise refers to the stream: the read then
 * never settles, and the load waits forever (three runs of the 100 MB benchmark stopped
 * so; it happens at once when the worker collects garbage right after a read starts).
 * Held here until done, the stream stays alive; test/browser/assembly.spec.ts forces
 * those collections.
 */
const reading = new Set<ReadableStreamBYOBReader>();
