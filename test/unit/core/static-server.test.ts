import { describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRange, startStaticServer } from '../../../scripts/static-server.js';

describe('parseRange', () => {
  it.each([
    ['bytes=0-99', { start: 0, end: 99 }],
    ['bytes=100-', { start: 100, end: 999 }],
    ['bytes=-10', { start: 990, end: 999 }],
    ['bytes=900-5000', { start: 900, end: 999 }],
  ])('%s', (header, expected) => {
    expect(parseRange(header, 1000)).toEqual(expected);
  });

  it('ignores absent or multi-range headers and rejects unsatisfiable ones', () => {
    expect(parseRange(undefined, 10)).toBeUndefined();
    expect(parseRange('bytes=0-1,3-4', 10)).toBeUndefined();
    expect(parseRange('bytes=20-', 10)).toBe('invalid');
    expect(parseRange('bytes=5-2', 10)).toBe('invalid');
  });
});

describe('startStaticServer conditional requests', () => {
  it('answers a matching If-None-Match with 304 and a replaced file with its new body', async () => {
    const root = await mkdtemp(join(tmpdir(), 'static-'));
    await writeFile(join(root, 'index.json'), '{"version":1}');
    const server = await startStaticServer({ root, port: 0 });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/index.json`;
    try {
      const first = await fetch(url);
      const etag = first.headers.get('etag');
      expect(first.status).toBe(200);
      expect(etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
      const again = await fetch(url, { headers: { 'if-none-match': etag! } });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe('');
      // A weak form of the same tag matches too; a range request is always served.
      expect((await fetch(url, { headers: { 'if-none-match': `"x", W/${etag}` } })).status).toBe(304);
      expect((await fetch(url, { headers: { 'if-none-match': etag!, range: 'bytes=0-1' } })).status).toBe(206);
      // Same size, new content: a new validator, so the client gets the new body.
      await new Promise((done) => setTimeout(done, 5));
      await writeFile(join(root, 'index.json'), '{"version":2}');
      const changed = await fetch(url, { headers: { 'if-none-match': etag! } });
      expect(changed.status).toBe(200);
      expect(await changed.text()).toBe('{"version":2}');
      expect(changed.headers.get('etag')).not.toBe(etag);
    } finally {
      server.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
