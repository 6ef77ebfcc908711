import { OutpostError } from '../errors.js';
import type { BodyReader } from './body-reader.js';
import { asDownloadError, backoffDelay, DEFAULT_RETRY, isRetryableStatus, sleep, type RetryPolicy } from './retry.js';

export interface RequestContext {
  fetch: typeof fetch;
  retry: RetryPolicy;
  signal?: AbortSignal;
}

/**
 * GET `url`, retrying network failures and retryable statuses with backoff. Resolves
 * with any final response the caller must judge (2xx, 404, …); DOWNLOAD_FAILED once
 * the retries are spent, ABORTED when the signal fires.
 */
export async function getWithRetry(ctx: RequestContext, url: URL, headers?: HeadersInit): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    let response: Response | undefined;
    let failure: unknown;
    try {
      response = await ctx.fetch(url, { headers, signal: ctx.signal, cache: 'no-store', credentials: 'same-origin' });
      if (!isRetryableStatus(response.status)) return response;
      failure = new Error(`HTTP ${response.status}`);
    } catch (error) {
      failure = error;
    }
    if (ctx.signal?.aborted || attempt > ctx.retry.retries) {
      const error = asDownloadError(failure, url.href, ctx.signal);
      if (response) error.details.status = response.status;
      error.details.attempts = attempt;
      throw error;
    }
    void response?.body?.cancel().catch(() => undefined);
    await sleep(backoffDelay(ctx.retry, attempt, response?.headers.get('retry-after')), ctx.signal, `download of ${url.href}`);
  }
}

/**
 * `reader.read` with the slow-retrieval rules of `policy`: DOWNLOAD_FAILED (details
 * `reason: 'idle' | 'slow'`) and the body cancelled when nothing arrives for
 * `idleTimeoutMs`, or when, past that long, the average rate is below
 * `minBytesPerSecond`. A server trickling bytes can then hold neither a load nor the
 * cross-tab lock of a download.
 */
export function guardedRead(
  reader: BodyReader,
  policy: Pick<RetryPolicy, 'idleTimeoutMs' | 'minBytesPerSecond'>,
  url: URL,
): () => Promise<ReadableStreamReadResult<Uint8Array>> {
  const idle = policy.idleTimeoutMs ?? DEFAULT_RETRY.idleTimeoutMs!;
  const minRate = policy.minBytesPerSecond ?? DEFAULT_RETRY.minBytesPerSecond!;
  const started = Date.now();
  let total = 0;
  const fail = (reason: 'idle' | 'slow', message: string) => {
    void reader.cancel().catch(() => undefined);
    return new OutpostError('DOWNLOAD_FAILED', `${url.href}: ${message}`, { details: { url: url.href, reason, bytes: total } });
  };
  return async () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(fail('idle', `no bytes for ${idle} ms`)), idle);
    });
    try {
      const result = await Promise.race([reader.read(), timeout]);
      if (!result.done) total += result.value.byteLength;
      const elapsed = Date.now() - started;
      if (!result.done && elapsed > idle && (total * 1000) / elapsed < minRate) {
        throw fail('slow', `${Math.round((total * 1000) / elapsed)} bytes/s, below the ${minRate} bytes/s minimum`);
      }
      return result;
    } finally {
      clearTimeout(timer);
    }
  };
}

/**
 * Reads a metadata body, refusing more than `maxBytes` (endless-data defence) before
 * reading it all: METADATA_INVALID when oversized; DOWNLOAD_FAILED when the body is
 * slower than `policy` allows ({@link guardedRead}).
 */
export async function readCapped(response: Response, maxBytes: number, url: URL, policy: Pick<RetryPolicy, 'idleTimeoutMs' | 'minBytesPerSecond'> = DEFAULT_RETRY): Promise<Uint8Array> {
  const oversized = (seen: number) =>
    new OutpostError('METADATA_INVALID', `${url.href} is larger than the ${maxBytes}-byte limit`, {
      details: { url: url.href, maxBytes, seen },
    });
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    void response.body?.cancel().catch(() => undefined);
    throw oversized(declared);
  }
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const read = guardedRead(reader, policy, url);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      void reader.cancel().catch(() => undefined);
      throw oversized(total);
    }
    parts.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** A metadata document, or `undefined` on 404. Other non-2xx statuses are DOWNLOAD_FAILED. */
export async function fetchMetadata(ctx: RequestContext, url: URL, maxBytes: number): Promise<Uint8Array | undefined> {
  const response = await getWithRetry(ctx, url);
  if (response.status === 404) {
    void response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (!response.ok) {
    void response.body?.cancel().catch(() => undefined);
    throw new OutpostError('DOWNLOAD_FAILED', `${url.href}: HTTP ${response.status}`, {
      details: { url: url.href, status: response.status },
    });
  }
  try {
    return await readCapped(response, maxBytes, url, ctx.retry);
  } catch (error) {
    throw asDownloadError(error, url.href, ctx.signal);
  }
}
