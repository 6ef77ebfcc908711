import { describe, expect, it } from 'vitest';
import { couldBeRootDocument, probeNextRoot } from '../../../src/delivery/root-probe.js';
import type { RequestContext } from '../../../src/delivery/http.js';

const url = new URL('https://registry.example/roots/2.root.json');
const ROOT_TEXT = '{"payloadType":"application/vnd.outpost.root+json","payload":"e30=","signatures":[]}';

function context(respond: () => Response): RequestContext {
  return { fetch: async () => respond(), retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 } };
}

describe('probeNextRoot', () => {
  it('returns the bytes of a JSON document, for the verifier to judge', async () => {
    const bytes = await probeNextRoot(context(() => new Response(ROOT_TEXT, { headers: { 'content-type': 'application/json' } })), url, 64 * 1024);
    expect(new TextDecoder().decode(bytes)).toBe(ROOT_TEXT);
  });

  it('treats a 404 as no newer root', async () => {
    expect(await probeNextRoot(context(() => new Response('missing', { status: 404 })), url, 64 * 1024)).toBeUndefined();
  });

  it('treats an SPA fallback (index.html with 200) as no newer root', async () => {
    const page = '<!doctype html><html><body><div id="app"></div></body></html>';
    expect(await probeNextRoot(context(() => new Response(page, { headers: { 'content-type': 'text/html' } })), url, 64 * 1024)).toBeUndefined();
    // The same page under a generic type is still not JSON.
    expect(await probeNextRoot(context(() => new Response(page, { headers: { 'content-type': 'application/octet-stream' } })), url, 64 * 1024)).toBeUndefined();
  });

  it('treats a body larger than a root may be as no newer root', async () => {
    const big = `{"pad":"${'x'.repeat(2000)}"}`;
    expect(await probeNextRoot(context(() => new Response(big)), url, 1024)).toBeUndefined();
  });

  it('keeps failing on server errors', async () => {
    await expect(probeNextRoot(context(() => new Response('down', { status: 503 })), url, 1024)).rejects.toMatchObject({ code: 'DOWNLOAD_FAILED' });
    await expect(probeNextRoot(context(() => new Response('no', { status: 403 })), url, 1024)).rejects.toMatchObject({ code: 'DOWNLOAD_FAILED' });
  });
});

describe('couldBeRootDocument', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  it('accepts JSON objects only', () => {
    expect(couldBeRootDocument(bytes(ROOT_TEXT))).toBe(true);
    expect(couldBeRootDocument(bytes('[1,2]'))).toBe(false);
    expect(couldBeRootDocument(bytes('null'))).toBe(false);
    expect(couldBeRootDocument(bytes('<html></html>'))).toBe(false);
    expect(couldBeRootDocument(Uint8Array.of(0x7b, 0xff, 0x7d))).toBe(false);
  });
});
