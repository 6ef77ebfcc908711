/**
 * The page's half of a memory-bounded load: every chunk of a file is made present in
 * IndexedDB without the page ever holding the file. Missing chunks are downloaded,
 * verified as they arrive and written at once (fetch-missing.ts); chunks already
 * cached are only counted here, since the worker re-verifies every chunk as it reads
 * them (worker/assemble.ts) and reports any it finds damaged.
 */
import { chunkSpan, fetchMissing, type FileRequest } from './fetch-missing.js';

/**
 * Ensures every chunk of `request.file` is in the store; returns the bytes that were
 * there already. Offline, a missing chunk is INTEGRITY_MISMATCH when the version was
 * complete (damage) and DOWNLOAD_FAILED otherwise, as for a load from bytes.
 *
 * @example
 * ```ts
 * const { cached } = await storeFile({ ...request, file: manifest.files[0] });
 * ```
 */
export async function storeFile(request: FileRequest): Promise<{ cached: number }> {
  const { store, name, version, file } = request;
  const have = await store.storedChunks(name, version, file.path);
  // A record past the file's chunk count (an older layout, or damage) is dropped, not
  // counted: the worker reads only the file's own chunks.
  for (const index of have) {
    if (Number.isInteger(index) && index >= 0 && index < file.chunks.length) continue;
    have.delete(index);
    await store.deleteChunk(name, version, file.path, index);
  }
  const cached = [...have].reduce((sum, i) => sum + chunkSpan(file, i), 0);
  await fetchMissing(request, { have });
  return { cached };
}
