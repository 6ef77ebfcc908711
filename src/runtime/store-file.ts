/**
 * The page's half of a memory-bounded load: every chunk of a file is made present in
 * IndexedDB without the page ever holding the file. Missing chunks are downloaded,
 * verified as they arrive and written at once, each released after its write; chunks
 * already cached are only counted here, since the worker re-verifies every chunk as it
 * reads them (worker/assemble.ts) and reports any it finds damaged.
 */
import { makeRoom } from '../cache/quota.js';
import { downloadFile } from '../delivery/download.js';
import { abortError, OutpostError } from '../errors.js';
import { registryUrl } from '../registry/paths.js';
import { chunkSpan, storeChunk, type MaterializeRequest } from './materialize.js';

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
export async function storeFile(request: MaterializeRequest): Promise<{ cached: number }> {
  const { store, name, version, file, ctx } = request;
  const have = await store.storedChunks(name, version, file.path);
  // A record past the file's chunk count (an older layout, or damage) is dropped, not
  // counted: the worker reads only the file's own chunks.
  for (const index of have) {
    if (Number.isInteger(index) && index >= 0 && index < file.chunks.length) continue;
    have.delete(index);
    await store.deleteChunk(name, version, file.path, index);
  }
  const cached = [...have].reduce((sum, i) => sum + chunkSpan(file, i), 0);
  if (have.size === file.chunks.length) return { cached };

  const missing = file.chunks.map((_, i) => i).filter((i) => !have.has(i));
  if (!request.online && request.wasComplete === true) {
    await store.update(name, version, { complete: false });
    throw new OutpostError('INTEGRITY_MISMATCH', `${name}@${version}: ${missing.length} cached chunks are damaged or missing and the registry is unreachable`, {
      details: { name, version, record: 'chunk', path: file.path, chunks: missing },
    });
  }
  if (!request.online) {
    throw new OutpostError('DOWNLOAD_FAILED', `${name}@${version}: offline and ${missing.length} chunks are not cached`, {
      details: { name, version, missingChunks: missing.length },
    });
  }
  await makeRoom({ store, name, version, incoming: file.length - cached, maxBytes: request.maxBytes, inUse: request.inUse });

  let loaded = cached;
  request.progress({ phase: 'download', loaded, total: file.length });
  await downloadFile({
    ctx,
    url: registryUrl(request.registryUrl, file.path),
    file,
    have,
    accept: async (index, bytes) => {
      if (ctx.signal?.aborted) throw abortError(`load of ${name}@${version}`, ctx.signal);
      await storeChunk(request, index, bytes);
      loaded += bytes.byteLength;
      request.progress({ phase: 'download', loaded, total: file.length });
    },
  });
  return { cached };
}
