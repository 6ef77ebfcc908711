/**
 * One POST of one batch and what its answer means: sent, retry later (network error,
 * 408, 429, 5xx; `Retry-After` honoured), or refused for good (any other 4xx).
 */
import type { QueuedBatch } from './queue.js';

export type SendOutcome = { kind: 'sent' } | { kind: 'retry'; afterMs?: number } | { kind: 'rejected'; status: number };

/** Seconds or an HTTP date, as ms from `now`; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Exponential backoff with full jitter in its upper half: attempt 0 waits
 * base/2..base, each attempt doubles, capped at `maxMs`.
 *
 * @example
 * ```ts
 * backoffMs(3, 1000, 60000); // 4000..8000
 * ```
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return ceiling / 2 + random() * (ceiling / 2);
}

/**
 * @example
 * ```ts
 * const outcome = await sendBatch(fetch, 'http://localhost:4318', {}, batch, false);
 * ```
 */
export async function sendBatch(
  fetchFn: typeof fetch,
  endpoint: string,
  headers: Record<string, string>,
  batch: QueuedBatch,
  keepalive: boolean,
): Promise<SendOutcome> {
  const url = `${endpoint.replace(/\/+$/, '')}/v1/${batch.signal}`;
  let response: Response;
  try {
    response = await fetchFn(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': batch.id },
      body: batch.body,
      keepalive,
      credentials: 'omit',
    });
  } catch {
    return { kind: 'retry' };
  }
  // The body is never read: a collector's reasons are for operators, not for the page.
  void response.body?.cancel().catch(() => undefined);
  if (response.ok) return { kind: 'sent' };
  const { status } = response;
  if (status === 408 || status === 429 || status >= 500) {
    const afterMs = retryAfterMs(response.headers.get('retry-after'));
    return afterMs === undefined ? { kind: 'retry' } : { kind: 'retry', afterMs };
  }
  return { kind: 'rejected', status };
}
