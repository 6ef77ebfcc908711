import { makeRoom, isQuotaError } from '../cache/quota.js';
import type { ModelStore } from '../cache/surface.js';
import { chunkBytes, chunkSize } from '../cache/chunk-data.js';
import { OutpostError } from '../errors.js';
import { downloadFile } from '../delivery/download.js';
import type { RequestContext } from '../delivery/http.js';
import { chunkRange, verifyChunk } from '../registry/integrity.js';
import { registryUrl } from '../registry/paths.js';
import type { FileEntry } from '../registry/schema.js';
import { abortError, isOutpostError } from '../errors.js';
import type { LoadProgress } from './options.js';

export interface MaterializeRequest {
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

/**
 * The verified bytes of one file: cached chunks are re-verified as they are read (a
 * corrupted one is dropped and fetched again), missing ones are downloaded, verified
 * and stored. Nothing unverified ever reaches the returned buffer.
 */
export async function materializeFile(request: MaterializeRequest): Promise<Uint8Array> {
  const { store, name, version, file, ctx } = request;
  const out = new Uint8Array(file.length);
  const { have, dropped } = await readCachedChunks(request, out);
  if (have.size === file.chunks.length) return out;

  if (!request.online && (dropped.length > 0 || request.wasComplete === true)) {
    // The damaged chunks are gone already and the version is no longer complete, so
    // the next online load fetches just those chunks again.
    await store.update(name, version, { complete: false });
    const missing = file.chunks.map((_, i) => i).filter((i) => !have.has(i));
    throw new OutpostError('INTEGRITY_MISMATCH', `${name}@${version}: ${missing.length} cached chunks are damaged or missing and the registry is unreachable`, {
      details: { name, version, record: 'chunk', path: file.path, chunks: missing },
    });
  }
  if (!request.online) {
    throw new OutpostError('DOWNLOAD_FAILED', `${name}@${version}: offline and ${file.chunks.length - have.size} chunks are not cached`, {
      details: { name, version, missingChunks: file.chunks.length - have.size },
    });
  }
  const missingBytes = file.length - [...have].reduce((sum, i) => sum + chunkSpan(file, i), 0);
  await makeRoom({ store, name, version, incoming: missingBytes, maxBytes: request.maxBytes, inUse: request.inUse });

  let loaded = file.length - missingBytes;
  request.progress({ phase: 'download', loaded, total: file.length });
  await downloadFile({
    ctx,
    url: registryUrl(request.registryUrl, file.path),
    file,
    have,
    accept: async (index, bytes) => {
      if (ctx.signal?.aborted) throw abortError(`load of ${name}@${version}`, ctx.signal);
      await storeChunk(request, index, bytes);
      out.set(bytes, chunkRange(file, index).start);
      loaded += bytes.byteLength;
      request.progress({ phase: 'download', loaded, total: file.length });
    },
  });
  return out;
}

async function readCachedChunks(request: MaterializeRequest, out: Uint8Array): Promise<{ have: Set<number>; dropped: number[] }> {
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

/** Stores one verified chunk; on the browser's quota error, frees what it may and tries once more. */
export async function storeChunk(request: MaterializeRequest, index: number, bytes: Uint8Array): Promise<void> {
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

export function chunkSpan(file: FileEntry, index: number): number {
  const { start, end } = chunkRange(file, index);
  return end - start;
}
