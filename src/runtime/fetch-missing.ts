/**
 * The download step both ways of loading a file share (store-file.ts for a load the
 * worker assembles from IndexedDB, materialize.ts for one the page assembles): the
 * chunks not cached are fetched, verified as they arrive and stored one by one, each
 * chunk's buffer reused for a later one once stored.
 */
import { makeRoom, isQuotaError } from '../cache/quota.js';
import type { ModelStore } from '../cache/surface.js';
import { downloadFile } from '../delivery/download.js';
import type { RequestContext } from '../delivery/http.js';
import { abortError, OutpostError } from '../errors.js';
import { chunkRange } from '../registry/integrity.js';
import { registryUrl } from '../registry/paths.js';
import type { FileEntry } from '../registry/schema.js';
import type { LoadProgress } from './options.js';

/** One file of a version to make present: where from, where to, and how to report. */
export interface FileRequest {
  ctx: RequestContext;
  store: ModelStore;
  registryUrl: string | URL;
  name: string;
  version: string;
  file: FileEntry;
  maxBytes: number | undefined;
  inUse: ReadonlySet<string>;
  /** When false (offline), missing chunks cannot be fetched. */
  online: boolean;
  /** The cache held this version whole: a chunk missing now is damage, not an unfinished download. */
  wasComplete?: boolean;
  progress: (progress: LoadProgress) => void;
}

export interface FetchMissingOptions {
  /** Chunk indices cached and usable; every other chunk is fetched. */
  have: ReadonlySet<number>;
  /** Cached chunks were found damaged (and dropped) just now. */
  damaged?: boolean;
  /** Sees each verified chunk once stored; the bytes are lent, valid only until it returns. */
  stored?: (index: number, bytes: Uint8Array) => void;
}

/**
 * Fetches, verifies and stores every chunk of `request.file` not in `have`, making
 * room first. Offline, a missing chunk is INTEGRITY_MISMATCH when the version was
 * complete or chunks were just found damaged (the version is marked incomplete, so
 * the next online load fetches just those), and DOWNLOAD_FAILED otherwise.
 *
 * @example
 * ```ts
 * await fetchMissing(request, { have: await store.storedChunks(name, version, file.path) });
 * ```
 */
export async function fetchMissing(request: FileRequest, options: FetchMissingOptions): Promise<void> {
  const { store, name, version, file } = request;
  const { have } = options;
  if (have.size === file.chunks.length) return;
  const missing = file.chunks.map((_, i) => i).filter((i) => !have.has(i));
  if (!request.online && (options.damaged === true || request.wasComplete === true)) {
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
  const missingBytes = missing.reduce((sum, i) => sum + chunkSpan(file, i), 0);
  await makeRoom({ store, name, version, incoming: missingBytes, maxBytes: request.maxBytes, inUse: request.inUse });

  let loaded = file.length - missingBytes;
  request.progress({ phase: 'download', loaded, total: file.length });
  // Settled before the worker assembles the file, so a chunk writer's Blobs are freed first.
  store.beginWrites(missingBytes);
  try {
    await download(request, have, options.stored, (bytes) => {
      loaded += bytes;
      request.progress({ phase: 'download', loaded, total: file.length });
    });
  } finally {
    store.settle();
  }
}

/** The missing chunks, fetched, verified, stored, each then lent to `stored` and counted by `advance`. */
async function download(request: FileRequest, have: ReadonlySet<number>, stored: FetchMissingOptions['stored'], advance: (bytes: number) => void): Promise<void> {
  const { name, version, file, ctx } = request;
  await downloadFile({
    ctx,
    url: registryUrl(request.registryUrl, file.path),
    file,
    have,
    accept: async (index, bytes) => {
      if (ctx.signal?.aborted) throw abortError(`load of ${name}@${version}`, ctx.signal);
      await storeChunk(request, index, bytes);
      stored?.(index, bytes);
      advance(bytes.byteLength);
    },
  });
}

/** Stores one verified chunk; on the browser's quota error, frees what it may and tries once more. */
async function storeChunk(request: FileRequest, index: number, bytes: Uint8Array): Promise<void> {
  const { store, name, version, file } = request;
  try {
    await store.putChunk(name, version, file.path, index, bytes);
  } catch (error) {
    if (!isQuotaError(error)) throw error;
    // The browser's quota, not ours: free what may be freed and try once more.
    const remaining = file.length - chunkRange(file, index).start;
    await makeRoom({ store, name, version, incoming: remaining, maxBytes: 0, inUse: request.inUse }).catch(() => undefined);
    try {
      await store.putChunk(name, version, file.path, index, bytes);
    } catch (retryError) {
      if (!isQuotaError(retryError)) throw retryError;
      throw new OutpostError('QUOTA_EXCEEDED', `${name}@${version}: the browser refused to store more`, {
        cause: retryError,
        details: { name, version, chunk: index },
      });
    }
  }
}

/** Bytes in chunk `index` of `file`. */
export function chunkSpan(file: FileEntry, index: number): number {
  const { start, end } = chunkRange(file, index);
  return end - start;
}
