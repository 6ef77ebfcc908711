import { expect, test, type Page } from '@playwright/test';
import { statSync } from 'node:fs';
import { buildRegistry, type RegistryFixture } from './support/registry-fixture.js';
import { startRegistryServer, type RegistryServer } from './support/registry-server.js';
import { expectCode, expectLoaded, load, openRuntimePage } from './support/delivery.js';

// The cache degrades instead of failing: each way a browser can refuse storage is
// simulated in the page before the runtime opens its database, and the load must
// still return a verified model, with the cache saying where (and why) it keeps it.

const VAD = 'models/silero_vad_v5.onnx';
const CHUNK = 256 * 1024;
const VAD_BYTES = statSync(VAD).size;
const MODEL = 'models/vad/1.0.0/model.onnx';

let fx: RegistryFixture;
let server: RegistryServer;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  fx = await buildRegistry({ chunkSize: CHUNK, models: [{ name: 'vad', version: '1.0.0', file: VAD }] });
  server = await startRegistryServer(fx.dir);
});

test.afterAll(async () => {
  await server?.close();
});

test.beforeEach(() => server.reset());

type Refusal = 'blob' | 'all-writes' | 'chunk-writes' | 'no-indexeddb' | 'quota-zero';

/** Opens the harness with one storage refusal in place, then the runtime (its own database). */
async function openRefusing(page: Page, refusal: Refusal | undefined, dbName: string): Promise<void> {
  await openRuntimePage(page, server, fx.rootText, { storage: { dbName } });
  if (refusal) await page.evaluate(refuse, refusal);
  // The runtime opens its database on the first load, after the stub is in place.
  await page.evaluate(([root, db]) => (window as any).harness.openRuntime('r', {
    registryUrl: '/registry/', trustedRoot: root, backend: 'wasm', storage: { dbName: db },
    retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 50 },
  }), [fx.rootText, dbName] as const);
}

/** Runs in the page: makes the browser refuse storage the way `refusal` names. */
function refuse(refusal: Refusal): void {
  const put = IDBObjectStore.prototype.put;
  // WebKit's words for a refused Blob in an ephemeral session.
  const refused = () => new DOMException('Error preparing Blob/File data to be stored in object store', 'UnknownError');
  if (refusal === 'no-indexeddb') Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true });
  if (refusal === 'quota-zero') navigator.storage.estimate = async () => ({ usage: 0, quota: 0 });
  IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: any, key?: IDBValidKey) {
    if (refusal === 'blob' && (value instanceof Blob || value?.data instanceof Blob)) throw refused();
    if (refusal === 'all-writes') throw refused();
    if (refusal === 'chunk-writes' && this.name === 'chunks') throw refused();
    return put.call(this, value, key);
  };
}

const usage = async (page: Page) => {
  const result = await page.evaluate(() => (window as any).harness.cache('r', 'usage'));
  expect(result.ok, JSON.stringify(result.error)).toBe(true);
  return result.value as { bytes: number; quota?: number; persistent: boolean; persisted?: boolean; format: string; reason?: string; error?: string };
};

/** A run of the loaded model gives an output: the bytes it was built from were whole. */
async function expectRuns(page: Page): Promise<void> {
  const feeds = {
    input: { type: 'float32', dims: [1, 512], base64: Buffer.alloc(512 * 4).toString('base64') },
    state: { type: 'float32', dims: [2, 1, 128], base64: Buffer.alloc(256 * 4).toString('base64') },
    sr: { type: 'int64', dims: [], base64: Buffer.from(new BigInt64Array([16000n]).buffer).toString('base64') },
  };
  const result = await page.evaluate((f) => (window as any).harness.runOpen('m', f), feeds);
  expect(result.ok, JSON.stringify(result.error)).toBe(true);
  expect(result.outputs.output.dims).toEqual([1, 1]);
}

test('the default cache stores Blob chunks and reports itself persistent', async ({ page }) => {
  await openRefusing(page, undefined, 'fallback-default');
  const result = await load(page, 'vad', {}, 'm');
  await expectLoaded(result, '1.0.0');
  expect((result.info as any).cached).toBe(true);
  expect(await usage(page)).toMatchObject({ bytes: VAD_BYTES, persistent: true, format: 'blob' });
  expect(typeof (await usage(page)).persisted).toBe('boolean');
});

test('persistent storage is requested when the cache opens, and usage() says whether it was granted', async ({ page }) => {
  await page.addInitScript(() => {
    (window as any).persistCalls = 0;
    navigator.storage.persist = async () => {
      (window as any).persistCalls++;
      return true;
    };
  });
  await openRefusing(page, undefined, 'fallback-persist');
  await expectLoaded(await load(page, 'vad', {}, 'm'), '1.0.0');
  expect(await usage(page)).toMatchObject({ persistent: true, persisted: true });
  expect(await page.evaluate(() => (window as any).persistCalls)).toBe(1);
});

test('where Blob values are refused, chunks are stored as ArrayBuffer, remembered for the database', async ({ page }) => {
  await openRefusing(page, 'blob', 'fallback-blob');
  const cold = await load(page, 'vad', {}, 'm');
  await expectLoaded(cold, '1.0.0');
  expect((cold.info as any).cached).toBe(true);
  await expectRuns(page);
  expect(await usage(page)).toMatchObject({ bytes: VAD_BYTES, persistent: true, format: 'arraybuffer' });

  // A reload with Blob allowed again keeps the remembered format and reads the cache.
  server.reset();
  await openRefusing(page, undefined, 'fallback-blob');
  const warm = await load(page, 'vad', {}, 'm');
  await expectLoaded(warm, '1.0.0');
  expect(server.sent.get(MODEL) ?? 0).toBe(0);
  await expectRuns(page);
  expect(await usage(page)).toMatchObject({ persistent: true, format: 'arraybuffer' });
});

for (const [refusal, reason] of [
  ['no-indexeddb', 'no-indexeddb'],
  ['quota-zero', 'quota-zero'],
  ['all-writes', 'write-refused'],
  ['chunk-writes', 'write-failed'],
] as const) {
  test(`${refusal}: the model loads verified from memory, uncached, and usage() says ${reason}`, async ({ page }) => {
    await openRefusing(page, refusal, `fallback-${refusal}`);
    const cold = await load(page, 'vad', {}, 'm');
    await expectLoaded(cold, '1.0.0');
    expect((cold.info as any).cached).toBe(false);
    expect(server.sent.get(MODEL)).toBe(VAD_BYTES);
    await expectRuns(page);
    const storage = await usage(page);
    expect(storage).toMatchObject({ persistent: false, format: 'memory', reason });
    expect(storage.quota).toBeUndefined();
    if (refusal === 'all-writes' || refusal === 'chunk-writes') expect(storage.error).toBe('UnknownError');

    // A second load in the same runtime is served from memory, still verified.
    server.reset();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
    if (refusal !== 'chunk-writes') expect(server.sent.get(MODEL) ?? 0).toBe(0);
  });
}

test('without storage, tampered bytes are still INTEGRITY_MISMATCH and a dead network DOWNLOAD_FAILED', async ({ page }) => {
  await openRefusing(page, 'no-indexeddb', 'fallback-tamper');
  const bytes = await fx.read(MODEL);
  bytes[CHUNK + 5]! ^= 0x01;
  server.faults.overrides.set(MODEL, bytes);
  expectCode(await load(page, 'vad'), 'INTEGRITY_MISMATCH');
  server.reset();
  server.faults.offline = true;
  expectCode(await load(page, 'vad'), 'DOWNLOAD_FAILED');
  server.reset();
  await expectLoaded(await load(page, 'vad'), '1.0.0');
});
