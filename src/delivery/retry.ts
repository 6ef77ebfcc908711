import { abortError, OutpostError } from '../errors.js';

export interface RetryPolicy {
  /** Attempts after the first, per failure streak. @default 4 */
  retries: number;
  /** First backoff delay; doubles each time, with jitter. @default 250 */
  baseDelayMs: number;
  /** No single wait exceeds this, `Retry-After` included. @default 10000 */
  maxDelayMs: number;
  /** Slow retrieval: a response body that sends nothing for this long fails. @default 30000 */
  idleTimeoutMs?: number;
  /** Slow retrieval: a body slower than this on average, once `idleTimeoutMs` has passed, fails. @default 1024 */
  minBytesPerSecond?: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, baseDelayMs: 250, maxDelayMs: 10_000, idleTimeoutMs: 30_000, minBytesPerSecond: 1024 };

/** Statuses worth another try: the server or a proxy may recover. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** Delay for attempt `attempt` (1-based), honouring a `Retry-After` header when present. */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfter?: string | null, now = Date.now()): number {
  const fromHeader = parseRetryAfter(retryAfter, now);
  if (fromHeader !== undefined) return Math.min(fromHeader, policy.maxDelayMs);
  const exponential = policy.baseDelayMs * 2 ** (attempt - 1);
  // Full jitter keeps a fleet of clients from retrying in lock step.
  return Math.min(policy.maxDelayMs, exponential / 2 + Math.random() * (exponential / 2));
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function sleep(ms: number, signal: AbortSignal | undefined, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(what, signal));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(what, signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Rethrows an abort as ABORTED; anything else as DOWNLOAD_FAILED naming `url`. */
export function asDownloadError(error: unknown, url: string, signal?: AbortSignal): OutpostError {
  if (error instanceof OutpostError) return error;
  if (signal?.aborted) return abortError(`download of ${url}`, signal);
  const reason = error instanceof Error ? error.message : String(error);
  return new OutpostError('DOWNLOAD_FAILED', `${url}: ${reason}`, { cause: error, details: { url } });
}
