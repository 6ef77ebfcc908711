import { OutpostError } from '../errors.js';
import { chunkRange, verifyChunk } from '../registry/integrity.js';
import type { FileEntry } from '../registry/schema.js';
import { getWithRetry, type RequestContext } from './http.js';
import { asDownloadError, backoffDelay, sleep } from './retry.js';

export interface DownloadRequest {
  ctx: RequestContext;
  url: URL;
  file: FileEntry;
  /** Chunk indices already held and verified; only the others are fetched. */
  have: ReadonlySet<number>;
  /** Receives each chunk once verified, in order; a rejection stops the download. */
  accept: (index: number, bytes: Uint8Array) => Promise<void>;
  /** Network bytes received (for progress). */
  onReceived?: (bytes: number) => void;
}

/** A connection that ended early: worth resuming from the last verified chunk. */
class CutShort extends Error {}

/**
 * Downloads the missing chunks of one file with HTTP Range, verifying each chunk
 * against its signed hash before handing it on. A cut connection resumes from the
 * last verified chunk; a server that ignores Range is read from the start, skipping
 * what is already held. Retries with backoff while progress is being made.
 */
export async function downloadFile(request: DownloadRequest): Promise<void> {
  const { ctx, url, file } = request;
  const missing = new Set<number>();
  for (let i = 0; i < file.chunks.length; i++) if (!request.have.has(i)) missing.add(i);
  let failures = 0;
  while (missing.size > 0) {
    const before = missing.size;
    try {
      await fetchRun(request, missing);
    } catch (error) {
      if (!(error instanceof CutShort) && !isNetworkError(error, ctx.signal)) throw asDownloadError(error, url.href, ctx.signal);
      failures = missing.size < before ? 1 : failures + 1;
      if (failures > ctx.retry.retries) {
        throw new OutpostError('DOWNLOAD_FAILED', `${url.href}: connection failed ${failures} times without progress`, {
          cause: error,
          details: { url: url.href, attempts: failures, missingChunks: missing.size },
        });
      }
      await sleep(backoffDelay(ctx.retry, failures), ctx.signal, `download of ${url.href}`);
    }
  }
}

/** Fetches from the first missing chunk to the end of that contiguous run of missing chunks. */
async function fetchRun(request: DownloadRequest, missing: Set<number>): Promise<void> {
  const { ctx, url, file } = request;
  const sorted = [...missing].sort((a, b) => a - b);
  const first = sorted[0] as number;
  let last = first;
  while (missing.has(last + 1)) last++;
  const start = chunkRange(file, first).start;
  const end = chunkRange(file, last).end;

  const response = await getWithRetry(ctx, url, { Range: `bytes=${start}-${end - 1}` });
  const offset = rangeOffset(response, start, file, url);

  const reader = response.body?.getReader();
  if (!reader) throw new CutShort('empty body');
  let position = offset;
  let index = Math.floor(position / file.chunkSize);
  let buffer = newChunkBuffer(file, index);
  let filled = 0;
  // Verification and storage of chunk i overlap with the network read of chunk i+1.
  let pipeline: Promise<void> = Promise.resolve();
  let failed: unknown;
  try {
    while (position < end) {
      if (failed !== undefined) throw failed;
      const { done, value } = await reader.read();
      if (done) throw new CutShort(`connection closed at byte ${position} of ${end}`);
      request.onReceived?.(value.byteLength);
      let cursor = 0;
      while (cursor < value.byteLength && position < end) {
        const take = Math.min(value.byteLength - cursor, buffer.byteLength - filled);
        if (missing.has(index)) buffer.set(value.subarray(cursor, cursor + take), filled);
        filled += take;
        cursor += take;
        position += take;
        if (filled === buffer.byteLength) {
          if (missing.has(index)) {
            const chunk = index;
            const bytes = buffer;
            pipeline = pipeline.then(async () => {
              await verifyChunk(file, chunk, bytes);
              await request.accept(chunk, bytes);
              missing.delete(chunk);
            });
            pipeline.catch((error: unknown) => {
              failed ??= error;
            });
          }
          index++;
          filled = 0;
          if (position < file.length) buffer = newChunkBuffer(file, index);
        }
      }
    }
  } catch (error) {
    // Chunks received before the failure are still being verified and stored: let them
    // finish, so the retry resumes after them instead of fetching them again.
    await pipeline.catch(() => undefined);
    throw failed ?? error;
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  await pipeline;
}

/** Where the body starts in the file: the range asked for (206) or byte 0 (200). */
function rangeOffset(response: Response, start: number, file: FileEntry, url: URL): number {
  const lengthMismatch = (actual: number) =>
    new OutpostError('INTEGRITY_MISMATCH', `${url.href} is ${actual} bytes, its manifest signs ${file.length}`, {
      details: { url: url.href, path: file.path, expected: file.length, actual },
    });
  if (response.status === 206) {
    const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
    if (match && match[3] !== '*' && Number(match[3]) !== file.length) throw lengthMismatch(Number(match[3]));
    if (match && Number(match[1]) === start) return start;
    throw new OutpostError('DOWNLOAD_FAILED', `${url.href}: the server answered a different range than asked`, {
      details: { url: url.href, asked: start, contentRange: response.headers.get('content-range') },
    });
  }
  if (response.status === 200) {
    const declared = response.headers.get('content-length');
    if (declared !== null && Number(declared) !== file.length && !response.headers.get('content-encoding')) {
      throw lengthMismatch(Number(declared));
    }
    return 0;
  }
  void response.body?.cancel().catch(() => undefined);
  throw new OutpostError('DOWNLOAD_FAILED', `${url.href}: HTTP ${response.status}`, {
    details: { url: url.href, status: response.status },
  });
}

function newChunkBuffer(file: FileEntry, index: number): Uint8Array {
  const { start, end } = chunkRange(file, index);
  return new Uint8Array(end - start);
}

function isNetworkError(error: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return false;
  // fetch and stream reads reject with TypeError on network failure; DOWNLOAD_FAILED
  // from getWithRetry already spent its own retries.
  return error instanceof TypeError;
}
