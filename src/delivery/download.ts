import { isOutpostError, OutpostError } from '../errors.js';
import { chunkRange, verifyChunk } from '../registry/integrity.js';
import type { FileEntry } from '../registry/schema.js';
import { openBodyReader } from './body-reader.js';
import { getWithRetry, guardedRead, type RequestContext } from './http.js';
import { asDownloadError, backoffDelay, sleep } from './retry.js';

export interface DownloadRequest {
  ctx: RequestContext;
  url: URL;
  file: FileEntry;
  /** Chunk indices already held and verified; only the others are fetched. */
  have: ReadonlySet<number>;
  /**
   * Receives each chunk once verified, in order; a rejection stops the download.
   * `bytes` are lent: their buffer assembles a later chunk once the promise settles, so
   * `accept` copies what it keeps (IndexedDB and `Blob` copy on write).
   */
  accept: (index: number, bytes: Uint8Array) => Promise<void>;
  /** Network bytes received (for progress). */
  onReceived?: (bytes: number) => void;
}

/** Verified chunks waiting for `accept` before the network read pauses. */
const MAX_QUEUED_CHUNKS = 2;

/** A connection that ended early: worth resuming from the byte it stopped at. */
class CutShort extends Error {}

/** The chunk being assembled when a connection ended: its bytes so far survive the cut. */
interface PartialChunk {
  index: number;
  bytes: Uint8Array;
  filled: number;
}

/**
 * The buffers chunks are assembled in, each reused once its chunk is accepted: a
 * download allocates the few chunks in flight, not the file's size in garbage that
 * the engine would collect only later (next to onnxruntime's own copy of the model).
 */
class ChunkBuffers {
  readonly #free: ArrayBuffer[] = [];
  readonly #size: number;

  constructor(chunkSize: number) {
    this.#size = chunkSize;
  }

  /** A buffer for a chunk of `length` bytes (the last chunk of a file may be shorter). */
  take(length: number): Uint8Array {
    return new Uint8Array(this.#free.pop() ?? new ArrayBuffer(this.#size), 0, length);
  }

  /** Hands back a chunk's buffer, which nothing may read any more. */
  give(bytes: Uint8Array): void {
    // Queued chunks plus the one being read: more are never in use at once.
    if (bytes.buffer.byteLength === this.#size && this.#free.length <= MAX_QUEUED_CHUNKS) this.#free.push(bytes.buffer as ArrayBuffer);
  }
}

/** What one file's download keeps across its requests. */
interface DownloadState {
  buffers: ChunkBuffers;
  missing: Set<number>;
  partial: PartialChunk | undefined;
  /** Chunks already fetched whole again after failing their hash: a second failure is final. */
  refetched: Set<number>;
  /** Body bytes received, over every request (progress, as opposed to a retry in vain). */
  received: number;
}

/**
 * Downloads the missing chunks of one file with HTTP Range, verifying each chunk
 * against its signed hash before handing it on. A cut connection resumes from the exact
 * byte it stopped at: the partial chunk's bytes are kept and the chunk is verified once
 * complete. A chunk that then fails its hash (bytes spliced from two responses that
 * differ) is fetched whole once more before the download fails. A server that ignores
 * Range is read from the start, skipping what is already held. Retries with backoff
 * while progress is being made.
 */
export async function downloadFile(request: DownloadRequest): Promise<void> {
  const { ctx, url, file } = request;
  const state: DownloadState = { buffers: new ChunkBuffers(file.chunkSize), missing: new Set(), partial: undefined, refetched: new Set(), received: 0 };
  for (let i = 0; i < file.chunks.length; i++) if (!request.have.has(i)) state.missing.add(i);
  let failures = 0;
  while (state.missing.size > 0) {
    const before = state.received;
    try {
      await fetchRun(request, state);
    } catch (error) {
      const chunk = isOutpostError(error, 'INTEGRITY_MISMATCH') ? error.details.chunk : undefined;
      if (typeof chunk === 'number' && !state.refetched.has(chunk)) {
        state.refetched.add(chunk);
        if (state.partial?.index === chunk) dropPartial(state);
        continue;
      }
      if (!(error instanceof CutShort) && !isNetworkError(error, ctx.signal)) throw asDownloadError(error, url.href, ctx.signal);
      failures = state.received > before ? 1 : failures + 1;
      if (failures > ctx.retry.retries) {
        throw new OutpostError('DOWNLOAD_FAILED', `${url.href}: connection failed ${failures} times without progress`, {
          cause: error,
          details: { url: url.href, attempts: failures, missingChunks: state.missing.size },
        });
      }
      await sleep(backoffDelay(ctx.retry, failures), ctx.signal, `download of ${url.href}`);
    }
  }
}

/**
 * Fetches from the first missing byte (inside the partial chunk, when there is one) to
 * the end of that contiguous run of missing chunks.
 */
async function fetchRun(request: DownloadRequest, state: DownloadState): Promise<void> {
  const { ctx, url, file } = request;
  const { missing } = state;
  const first = Math.min(...missing);
  let last = first;
  while (missing.has(last + 1)) last++;
  if (state.partial && state.partial.index !== first) dropPartial(state);
  const start = chunkRange(file, first).start + (state.partial?.filled ?? 0);
  const end = chunkRange(file, last).end;

  const response = await getWithRetry(ctx, url, { Range: `bytes=${start}-${end - 1}` });
  let position = rangeOffset(response, start, file, url);

  if (!response.body) throw new CutShort('empty body');
  const reader = openBodyReader(response.body);
  const read = guardedRead(reader, ctx.retry, url);
  // Verification and storage of chunk i overlap with the network read of chunk i+1.
  let pipeline: Promise<void> = Promise.resolve();
  let failed: unknown;
  let queued = 0;
  const complete = (chunk: number, bytes: Uint8Array) => {
    queued += 1;
    pipeline = pipeline.then(async () => {
      await verifyChunk(file, chunk, bytes);
      await request.accept(chunk, bytes);
      missing.delete(chunk);
    }).finally(() => {
      queued -= 1;
      state.buffers.give(bytes);
    });
    pipeline.catch((error: unknown) => {
      failed ??= error;
    });
  };
  try {
    while (position < end) {
      // Backpressure: a network faster than storage would otherwise pile whole chunks up in memory.
      if (queued >= MAX_QUEUED_CHUNKS) await pipeline.catch(() => undefined);
      if (failed !== undefined) throw failed;
      const { done, value } = await read();
      if (done) throw new CutShort(`connection closed at byte ${position} of ${end}`);
      request.onReceived?.(value.byteLength);
      state.received += value.byteLength;
      let cursor = 0;
      while (cursor < value.byteLength && position < end) {
        const index = Math.floor(position / file.chunkSize);
        const span = chunkRange(file, index);
        const take = Math.min(value.byteLength - cursor, span.end - position);
        if (missing.has(index)) {
          if (state.partial?.index !== index) {
            dropPartial(state);
            state.partial = { index, bytes: state.buffers.take(span.end - span.start), filled: 0 };
          }
          const partial = state.partial;
          // A server that ignores Range resends bytes already held: keep only the new ones.
          const skip = partial.filled - (position - span.start);
          if (skip < take) {
            partial.bytes.set(value.subarray(cursor + Math.max(0, skip), cursor + take), partial.filled);
            partial.filled += take - Math.max(0, skip);
          }
          if (partial.filled === partial.bytes.byteLength) {
            state.partial = undefined;
            complete(index, partial.bytes);
          }
        }
        cursor += take;
        position += take;
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

function dropPartial(state: DownloadState): void {
  if (state.partial) state.buffers.give(state.partial.bytes);
  state.partial = undefined;
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

function isNetworkError(error: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return false;
  // fetch and stream reads reject with TypeError on network failure; DOWNLOAD_FAILED
  // from getWithRetry already spent its own retries.
  return error instanceof TypeError;
}
