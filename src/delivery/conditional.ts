import { getWithRetry, readCapped, type RequestContext } from './http.js';
import { asDownloadError } from './retry.js';
import { OutpostError } from '../errors.js';

/** What a conditional GET found. */
export type ConditionalResult =
  | { status: 'unchanged' }
  | { status: 'missing' }
  | { status: 'changed'; bytes: Uint8Array; etag: string | undefined };

/**
 * GET a metadata document with `If-None-Match: etag`, so a document that has not changed
 * costs a 304 and no body. The body is capped at `maxBytes` like every metadata read;
 * `missing` on 404, DOWNLOAD_FAILED for other non-2xx statuses once retries are spent.
 * A cross-origin registry must list `ETag` in `Access-Control-Expose-Headers`, or every
 * refresh reads the whole document (still correct, only larger).
 *
 * @example
 * ```ts
 * const first = await fetchIfChanged(ctx, url, MAX_INDEX_BYTES);
 * const again = await fetchIfChanged(ctx, url, MAX_INDEX_BYTES, first.status === 'changed' ? first.etag : undefined);
 * if (again.status === 'unchanged') console.log('304: nothing to verify');
 * ```
 */
export async function fetchIfChanged(ctx: RequestContext, url: URL, maxBytes: number, etag?: string): Promise<ConditionalResult> {
  const response = await getWithRetry(ctx, url, etag === undefined ? undefined : { 'If-None-Match': etag });
  if (response.status === 304 && etag !== undefined) {
    void response.body?.cancel().catch(() => undefined);
    return { status: 'unchanged' };
  }
  if (response.status === 404) {
    void response.body?.cancel().catch(() => undefined);
    return { status: 'missing' };
  }
  if (!response.ok) {
    void response.body?.cancel().catch(() => undefined);
    throw new OutpostError('DOWNLOAD_FAILED', `${url.href}: HTTP ${response.status}`, {
      details: { url: url.href, status: response.status },
    });
  }
  try {
    const bytes = await readCapped(response, maxBytes, url, ctx.retry);
    return { status: 'changed', bytes, etag: response.headers.get('etag') ?? undefined };
  } catch (error) {
    throw asDownloadError(error, url.href, ctx.signal);
  }
}
