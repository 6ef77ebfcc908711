import { OutpostError } from '../errors.js';
import { getWithRetry, readCapped, type RequestContext } from './http.js';
import { asDownloadError } from './retry.js';

/**
 * Fetches the candidate for the next root version (`roots/N+1.root.json`), or
 * `undefined` when there is none. Many hosts answer a missing file with a page
 * instead of a 404 (an SPA fallback serving index.html with 200, a CDN's error
 * document): a body that cannot be a root document — HTML, not a JSON object, larger
 * than a root may be — counts as "no newer root", like a 404. That is safe because
 * anyone on the path can already withhold a root; every body that could be a root is
 * returned and verified as strictly as before, and no other metadata gets this leniency.
 *
 * @example
 * ```ts
 * const bytes = await probeNextRoot(ctx, registryUrl(base, 'roots/2.root.json'), MAX_ROOT_BYTES);
 * if (bytes === undefined) return current; // no rotation published
 * ```
 */
export async function probeNextRoot(ctx: RequestContext, url: URL, maxBytes: number): Promise<Uint8Array | undefined> {
  const response = await getWithRetry(ctx, url);
  const discard = () => void response.body?.cancel().catch(() => undefined);
  if (response.status === 404) {
    discard();
    return undefined;
  }
  if (!response.ok) {
    discard();
    throw new OutpostError('DOWNLOAD_FAILED', `${url.href}: HTTP ${response.status}`, {
      details: { url: url.href, status: response.status },
    });
  }
  if (/^\s*text\/html\b/i.test(response.headers.get('content-type') ?? '')) {
    discard();
    return undefined;
  }
  let bytes: Uint8Array;
  try {
    bytes = await readCapped(response, maxBytes, url, ctx.retry);
  } catch (error) {
    // Oversized: a root never is, so this is some other document.
    if (error instanceof OutpostError && error.code === 'METADATA_INVALID') return undefined;
    throw asDownloadError(error, url.href, ctx.signal);
  }
  return couldBeRootDocument(bytes) ? bytes : undefined;
}

/**
 * Whether `bytes` is a JSON object (the envelope every signed document is). Only the
 * shape is judged here; the verifier decides whether it is a valid, signed root.
 *
 * @example
 * ```ts
 * couldBeRootDocument(new TextEncoder().encode('<!doctype html>')); // false
 * couldBeRootDocument(new TextEncoder().encode('{"payload":"…"}')); // true
 * ```
 */
export function couldBeRootDocument(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
