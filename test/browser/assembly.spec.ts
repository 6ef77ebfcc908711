import { expect, test } from '@playwright/test';
import { chromiumArgs } from '../../playwright.config.js';
import { openHarness } from './support/page.js';

// The worker's assembly of a cached version (worker/assemble.ts) reads each Blob chunk
// through a stream. Chromium collects such a stream, read in flight and all, when only
// that read's promise refers to it, and the load then waits forever. This spec runs the
// assembly in a worker that collects garbage after every turn of its event loop.

test.use({
  launchOptions: {
    executablePath: process.env.OUTPOST_CHROMIUM ?? '/usr/bin/chromium',
    args: [...chromiumArgs, '--js-flags=--expose-gc'],
  },
});

const CHUNK = 1024 * 1024;
const CHUNKS = 12;
/** Far longer than reading 12 MiB from the disk cache takes; a lost read never ends. */
const PATIENCE_MS = 20_000;

test('a cached version is assembled whole while its worker collects garbage throughout', async ({ page }) => {
  await openHarness(page);
  const outcome = await page.evaluate(
    async ({ chunkSize, count, patience }) => {
      const internal = await import('/dist/internal.js' as string);
      const dbName = `assembly-${Math.random().toString(36).slice(2)}`;
      const hex = (buffer: ArrayBuffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
      // Chunks as a download stores them: Blob records, each with its signed hash.
      const bytes = new Uint8Array(chunkSize * count);
      for (let i = 0; i < bytes.length; i += 4096) bytes[i] = (i / 4096) % 251;
      const cache = await internal.openCache(dbName);
      const { store } = cache;
      await store.begin({ name: 'm', version: '1.0.0', manifest: new Uint8Array([1]), manifestSha256: 'x', bytes: bytes.length }, Date.now());
      const chunks: string[] = [];
      for (let i = 0; i < count; i++) {
        const chunk = bytes.subarray(i * chunkSize, (i + 1) * chunkSize);
        chunks.push(hex(await crypto.subtle.digest('SHA-256', chunk)));
        await store.putChunk('m', '1.0.0', 'model.onnx', i, chunk);
      }
      cache.close();
      const file = { path: 'model.onnx', length: bytes.length, sha256: hex(await crypto.subtle.digest('SHA-256', bytes)), chunkSize, chunks };

      const results: Array<{ ok: boolean; same?: boolean; error?: string }> = [];
      for (let attempt = 0; attempt < 3; attempt++) {
        const worker = new Worker('/test/browser/pages/assemble-worker.js', { type: 'module' });
        const answered = new Promise<{ ok: boolean; bytes?: ArrayBuffer; error?: string }>((resolve) => (worker.onmessage = ({ data }) => resolve(data)));
        worker.postMessage({ dbName, name: 'm', version: '1.0.0', files: [{ file }] });
        const reply = await Promise.race([
          answered,
          new Promise<{ ok: false; error: string }>((resolve) => setTimeout(() => resolve({ ok: false, error: `no answer in ${patience} ms` }), patience)),
        ]);
        worker.terminate();
        results.push(reply.ok ? { ok: true, same: hex(await crypto.subtle.digest('SHA-256', reply.bytes!)) === file.sha256 } : { ok: false, error: reply.error ?? '' });
      }
      indexedDB.deleteDatabase(dbName);
      return results;
    },
    { chunkSize: CHUNK, count: CHUNKS, patience: PATIENCE_MS },
  );
  expect(outcome).toEqual([
    { ok: true, same: true },
    { ok: true, same: true },
    { ok: true, same: true },
  ]);
});
