/**
 * A load the page assembles (the cache lives in memory, or no worker stages from
 * IndexedDB): the verified bytes of one file, to be transferred to the worker.
 */
import { chunkBytes, chunkSize } from '../cache/chunk-data.js';
import { isOutpostError } from '../errors.js';
import { chunkRange, verifyChunk } from '../registry/integrity.js';
import { fetchMissing, type FileRequest } from './fetch-missing.js';

/**
 * The verified bytes of one file: cached chunks are re-verified as they are read (a
 * corrupted one is dropped and fetched again), missing ones are downloaded, verified
 * and stored. Nothing unverified ever reaches the returned buffer.
 *
 * @example
 * ```ts
 * const bytes = await materializeFile({ ...request, file: manifest.files[0] });
 * ```
 */
export async function materializeFile(request: FileRequest): Promise<Uint8Array> {
  const { file } = request;
  const out = new Uint8Array(file.length);
  const { have, dropped } = await readCachedChunks(request, out);
  await fetchMissing(request, {
    have,
    damaged: dropped.length > 0,
    stored: (index, bytes) => out.set(bytes, chunkRange(file, index).start),
  });
  return out;
}

async function readCachedChunks(request: FileRequest, out: Uint8Array): Promise<{ have: Set<number>; dropped: number[] }> {
  const { store, name, version, file } = request;
  const records = await store.readChunks(name, version, file.path);
  const have = new Set<number>();
  const dropped: number[] = [];
  if (records.length === 0) return { have, dropped };
  const total = records.reduce((sum, record) => sum + chunkSize(record.data), 0);
  let verified = 0;
  request.progress({ phase: 'verify', loaded: 0, total });
  await Promise.all(
    records.map(async (record) => {
      let bytes: Uint8Array;
      try {
        // A value that is not bytes (a damaged or foreign record) counts as a corrupted chunk.
        bytes = await chunkBytes(record.data);
        await verifyChunk(file, record.index, bytes);
      } catch (error) {
        if (!isOutpostError(error, 'INTEGRITY_MISMATCH') && !(error instanceof DOMException)) throw error;
        // A corrupted cached chunk is dropped and fetched again, like a missing one.
        await store.deleteChunk(name, version, file.path, record.index);
        dropped.push(record.index);
        return;
      }
      out.set(bytes, chunkRange(file, record.index).start);
      have.add(record.index);
      verified += bytes.byteLength;
      request.progress({ phase: 'verify', loaded: verified, total });
    }),
  );
  return { have, dropped };
}
