import { expect, test, type Page } from '@playwright/test';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { buildRegistry, type RegistryFixture } from './support/registry-fixture.js';
import { startRegistryServer, type RegistryServer } from './support/registry-server.js';
import { resign, signer } from './support/resign.js';
import { cacheList, expectCode, expectLoaded, load, openRuntimePage } from './support/delivery.js';

// Signed delivery end to end: a registry built by the CLI, served same-origin with
// injectable faults, loaded by createRuntime() in real Chromium. Every attack asserts
// its error code and that a good cached version still loads afterwards.

const VAD = 'models/silero_vad_v5.onnx';
const DET = 'models/ppocr_det.onnx';
const CHUNK = 256 * 1024;
const VAD_BYTES = statSync(VAD).size;
const model = (version: string) => `models/vad/${version}/model.onnx`;
const manifest = (version: string) => `models/vad/${version}/manifest.json`;

let fx: RegistryFixture;
let server: RegistryServer;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  fx = await buildRegistry({
    chunkSize: CHUNK,
    models: [
      { name: 'vad', version: '1.0.0', file: VAD },
      { name: 'vad', version: '1.1.0', file: VAD, release: false },
      { name: 'det', version: '1.0.0', file: DET },
    ],
  });
  server = await startRegistryServer(fx.dir);
});

test.afterAll(async () => {
  await server?.close();
});

test.beforeEach(() => server.reset());

const open = (page: Page, options: Record<string, unknown> = {}) => openRuntimePage(page, server, fx.rootText, options);
const targetsKey = () => signer(join(fx.keysDir, 'targets1.private.json'));

/** Loads vad@1.0.0 into an empty cache. */
async function warmCache(page: Page, version = '1.0.0'): Promise<void> {
  await expectLoaded(await load(page, 'vad', { version }), version);
  server.reset();
}

/** The cached version loads again with the registry restored, without refetching the model. */
async function expectCachedStillLoads(page: Page, version = '1.0.0'): Promise<void> {
  server.reset();
  await expectLoaded(await load(page, 'vad', { version }), version);
  expect(server.sent.get(model(version)) ?? 0).toBe(0);
}

test('cold load verifies, stores and runs; a warm load reads only the cache', async ({ page }) => {
  await open(page, { backend: 'auto' });
  const cold = await load(page, 'vad');
  await expectLoaded(cold, '1.0.0');
  expect(cold.info?.backend).toBe('wasm');
  const phases = new Set(cold.phases.map((p) => p.phase));
  expect([...phases]).toEqual(['metadata', 'download', 'compile']);
  const lastDownload = cold.phases.filter((p) => p.phase === 'download').at(-1);
  expect(lastDownload).toEqual({ phase: 'download', loaded: VAD_BYTES, total: VAD_BYTES });
  expect(server.sent.get(model('1.0.0'))).toBe(VAD_BYTES);
  expect(await cacheList(page)).toEqual([expect.objectContaining({ name: 'vad', version: '1.0.0', bytes: VAD_BYTES, pinned: true })]);

  server.reset();
  const warm = await load(page, 'vad');
  await expectLoaded(warm, '1.0.0');
  expect(server.sent.get(model('1.0.0')) ?? 0).toBe(0);
  expect(warm.phases.some((p) => p.phase === 'verify' && p.loaded === VAD_BYTES)).toBe(true);
});

test('a tampered model byte is refused with INTEGRITY_MISMATCH and never cached', async ({ page }) => {
  await open(page);
  await warmCache(page);
  const bytes = await fx.read(model('1.1.0'));
  bytes[CHUNK * 3 + 17]! ^= 0x01;
  server.faults.overrides.set(model('1.1.0'), bytes);
  const result = await load(page, 'vad', { version: '1.1.0' });
  expectCode(result, 'INTEGRITY_MISMATCH');
  expect(result.error?.details?.chunk).toBe(3);
  expect((await cacheList(page)).map((e) => e.version)).toEqual(['1.0.0']);
  await expectCachedStillLoads(page);
});

test('a tampered manifest (validly signed, not the pinned bytes) is refused with INTEGRITY_MISMATCH', async ({ page }) => {
  await open(page);
  await warmCache(page);
  const forged = await resign(await fx.read(manifest('1.1.0')), (m) => {
    m.files[0].chunks[0] = '0'.repeat(64);
  }, [await targetsKey()]);
  server.faults.overrides.set(manifest('1.1.0'), forged);
  expectCode(await load(page, 'vad', { version: '1.1.0' }), 'INTEGRITY_MISMATCH');
  await expectCachedStillLoads(page);
});

test('an index signed by an unknown key is refused with SIGNATURE_INVALID', async ({ page }) => {
  await open(page);
  await warmCache(page);
  await fx.cli('keygen', '--out', fx.keysDir, '--name', 'mallory');
  const forged = await resign(await fx.read('index.json'), (index) => {
    index.version += 1;
  }, [await signer(join(fx.keysDir, 'mallory.private.json'))]);
  server.faults.overrides.set('index.json', forged);
  expectCode(await load(page, 'vad'), 'SIGNATURE_INVALID');
  await expectCachedStillLoads(page);
});

test('an index signed below the threshold is refused with SIGNATURE_INVALID', async ({ page }) => {
  const strict = await buildRegistry({ threshold: 2, targets: 3, chunkSize: CHUNK, models: [{ name: 'vad', version: '1.0.0', file: VAD }] });
  const strictServer = await startRegistryServer(strict.dir);
  try {
    await openRuntimePage(page, strictServer, strict.rootText);
    await expectLoaded(await load(page, 'vad'), '1.0.0');
    const oneSignature = await resign(await strict.read('index.json'), (index) => {
      index.version += 1;
    }, [await signer(join(strict.keysDir, 'targets1.private.json'))]);
    strictServer.faults.overrides.set('index.json', oneSignature);
    const result = await load(page, 'vad');
    expectCode(result, 'SIGNATURE_INVALID');
    strictServer.reset();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
    expect(strictServer.sent.get(model('1.0.0')) ?? 0).toBe(0);
  } finally {
    await strictServer.close();
  }
});

test('an expired index: METADATA_EXPIRED without a cache, the cached version with one', async ({ page }) => {
  // A newer version: the same version with other bytes would be refused as a rollback first.
  const expired = await resign(await fx.read('index.json'), (index) => {
    index.version += 1;
    index.expires = '2020-01-01T00:00:00Z';
  }, [await targetsKey()]);
  await open(page);
  server.faults.overrides.set('index.json', expired);
  expectCode(await load(page, 'vad'), 'METADATA_EXPIRED');

  server.reset();
  await warmCache(page);
  server.faults.overrides.set('index.json', expired);
  await expectLoaded(await load(page, 'vad'), '1.0.0');
  expect(server.sent.get(model('1.0.0')) ?? 0).toBe(0);
});

test('an index older than one already trusted is refused with ROLLBACK_DETECTED', async ({ page }) => {
  await open(page);
  await warmCache(page);
  const older = await resign(await fx.read('index.json'), (index) => {
    index.version -= 1;
  }, [await targetsKey()]);
  server.faults.overrides.set('index.json', older);
  expectCode(await load(page, 'vad'), 'ROLLBACK_DETECTED');
  // The floor is persisted: a new runtime (a reload) refuses it too.
  await open(page);
  server.faults.overrides.set('index.json', older);
  expectCode(await load(page, 'vad'), 'ROLLBACK_DETECTED');
  await expectCachedStillLoads(page);
});

test('metadata naming a path outside the registry is refused with METADATA_INVALID', async ({ page }) => {
  await open(page);
  await warmCache(page);
  const escaping = await resign(await fx.read('index.json'), (index) => {
    index.version += 1;
    index.models.vad.versions['1.1.0'].manifest.path = '../../secrets/manifest.json';
  }, [await targetsKey()]);
  server.faults.overrides.set('index.json', escaping);
  expectCode(await load(page, 'vad', { version: '1.1.0' }), 'METADATA_INVALID');
  expect(server.requests.some((r) => r.path.includes('secrets'))).toBe(false);
  await expectCachedStillLoads(page);
});

test('oversized metadata is refused with METADATA_INVALID before it is read whole', async ({ page }) => {
  await open(page);
  await warmCache(page);
  const huge = new Uint8Array(8 * 1024 * 1024).fill(0x20);
  huge[0] = 0x7b;
  server.faults.overrides.set('index.json', huge);
  expectCode(await load(page, 'vad'), 'METADATA_INVALID');
  await expectCachedStillLoads(page);
});

test('a connection cut mid-download resumes from the byte it stopped at', async ({ page }) => {
  await open(page);
  const cut = Math.floor(VAD_BYTES * 0.6);
  server.faults.cutOnce.set(model('1.0.0'), cut);
  await expectLoaded(await load(page, 'vad'), '1.0.0');
  const fetched = server.sent.get(model('1.0.0')) ?? 0;
  console.log(`cut at 60%: fetched ${fetched} bytes for a ${VAD_BYTES}-byte file (${(fetched / VAD_BYTES).toFixed(3)}×)`);
  expect(fetched).toBeLessThanOrEqual(1.05 * VAD_BYTES);
  const ranges = server.requests.filter((r) => r.path === model('1.0.0')).map((r) => r.range);
  expect(ranges).toHaveLength(2);
  const resumedAt = Number(/bytes=(\d+)-/.exec(ranges[1] ?? '')?.[1]);
  expect(resumedAt).toBe(cut);
});

test('a server that ignores Range still yields a verified model', async ({ page }) => {
  await open(page);
  server.faults.ignoreRange = true;
  server.faults.cutOnce.set(model('1.0.0'), Math.floor(VAD_BYTES * 0.5));
  await expectLoaded(await load(page, 'vad'), '1.0.0');
  expect(await cacheList(page)).toHaveLength(1);
});

test('a corrupted chunk in IndexedDB is detected on load and only that chunk is fetched again', async ({ page }) => {
  await open(page);
  await warmCache(page);
  await page.evaluate(async () => {
    const db: IDBDatabase = await new Promise((resolve, reject) => {
      const request = indexedDB.open('outpost');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const key = ['vad', '1.0.0', 'models/vad/1.0.0/model.onnx', 2];
    const request = (r: IDBRequest) => new Promise<any>((resolve, reject) => ((r.onsuccess = () => resolve(r.result)), (r.onerror = () => reject(r.error))));
    const record = await request(db.transaction('chunks').objectStore('chunks').get(key));
    const bytes = new Uint8Array(await record.data.arrayBuffer());
    bytes[5]! ^= 0xff;
    // A new transaction: the first one closed while the Blob was read.
    await request(db.transaction('chunks', 'readwrite').objectStore('chunks').put({ ...record, data: new Blob([bytes]) }));
    db.close();
  });
  await open(page);
  await expectLoaded(await load(page, 'vad'), '1.0.0');
  expect(server.sent.get(model('1.0.0'))).toBe(CHUNK);
});

test('over storage.maxBytes: older versions are evicted, and QUOTA_EXCEEDED when nothing may go', async ({ page }) => {
  await open(page, { storage: { maxBytes: Math.floor(VAD_BYTES * 1.5) } });
  await expectLoaded(await load(page, 'vad', { version: '1.1.0' }), '1.1.0');
  await expectLoaded(await load(page, 'vad', { version: '1.0.0' }), '1.0.0');
  expect((await cacheList(page)).map((e) => e.version)).toEqual(['1.0.0']);
  // det alone fits, but not beside vad's pinned (newest) version, which stays for offline use.
  const detBytes = statSync(DET).size;
  await open(page, { storage: { maxBytes: VAD_BYTES + detBytes - 1 } });
  const refused = await load(page, 'det');
  expectCode(refused, 'QUOTA_EXCEEDED');
  expect(refused.error?.details?.needed).toBe(detBytes);
  expect((await cacheList(page)).map((e) => `${e.name}@${e.version}`)).toEqual(['vad@1.0.0']);
  await expectCachedStillLoads(page);
});

test('abort: ABORTED, no partial entry listed, and the next load resumes', async ({ page }) => {
  await open(page);
  const aborted = await load(page, 'vad', { abortAfterBytes: CHUNK * 3 });
  expectCode(aborted, 'ABORTED');
  expect(await cacheList(page)).toEqual([]);
  server.reset();
  await expectLoaded(await load(page, 'vad'), '1.0.0');
  expect(server.sent.get(model('1.0.0')) ?? 0).toBeLessThan(VAD_BYTES);
});

test('offline: the last verified version loads from the cache; nothing cached is DOWNLOAD_FAILED', async ({ page }) => {
  await open(page);
  server.faults.offline = true;
  expectCode(await load(page, 'vad'), 'DOWNLOAD_FAILED');
  server.reset();
  await warmCache(page);
  await open(page);
  server.faults.offline = true;
  await expectLoaded(await load(page, 'vad'), '1.0.0');
});

test('two loads of one version at once download it once', async ({ page }) => {
  await open(page);
  const results = await page.evaluate(() =>
    Promise.all([(window as any).harness.load('r', 'vad'), (window as any).harness.load('r', 'vad')]),
  );
  for (const result of results) await expectLoaded(result, '1.0.0');
  expect(server.sent.get(model('1.0.0'))).toBe(VAD_BYTES);
});

test('revocation is a kill switch: refused with VERSION_REVOKED even when cached, and dropped from the cache', async ({ page }) => {
  const reg = await buildRegistry({
    chunkSize: CHUNK,
    models: [
      { name: 'vad', version: '1.0.0', file: VAD },
      { name: 'vad', version: '1.1.0', file: VAD },
    ],
  });
  const regServer = await startRegistryServer(reg.dir);
  try {
    await openRuntimePage(page, regServer, reg.rootText);
    await expectLoaded(await load(page, 'vad', { version: '1.0.0' }), '1.0.0');
    await expectLoaded(await load(page, 'vad', { version: '1.1.0' }), '1.1.0');
    await reg.cli('revoke', reg.dir, '--name', 'vad', '--version', '1.1.0', '--key', join(reg.keysDir, 'targets1.private.json'));
    expectCode(await load(page, 'vad', { version: '1.1.0' }), 'VERSION_REVOKED');
    expect((await cacheList(page)).map((e) => e.version)).toEqual(['1.0.0']);
    // The channel fell back to the previous release, which is still cached.
    regServer.reset();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
    expect(regServer.sent.get(model('1.0.0')) ?? 0).toBe(0);
    // Offline, the revoked version stays refused: the newest verified index says so.
    regServer.faults.offline = true;
    await openRuntimePage(page, regServer, reg.rootText);
    regServer.faults.offline = true;
    const offline = await load(page, 'vad', { version: '1.1.0' });
    expect(offline.ok).toBe(false);
  } finally {
    await regServer.close();
  }
});

test('staged rollout: a client stays in its bucket across reloads', async ({ page }) => {
  const reg = await buildRegistry({
    chunkSize: CHUNK,
    models: [
      { name: 'vad', version: '1.0.0', file: VAD },
      { name: 'vad', version: '1.1.0', file: VAD, release: 50 },
    ],
  });
  const regServer = await startRegistryServer(reg.dir);
  try {
    const versions: string[] = [];
    for (let i = 0; i < 3; i++) {
      await openRuntimePage(page, regServer, reg.rootText);
      const result = await load(page, 'vad');
      expect(result.error, JSON.stringify(result.error)).toBeUndefined();
      versions.push(result.info!.version);
      await page.reload();
    }
    expect(new Set(versions).size).toBe(1);
    expect(['1.0.0', '1.1.0']).toContain(versions[0]);
  } finally {
    await regServer.close();
  }
});

test('root rotation: a client shipped with root 1 walks to root 2 and trusts its new keys; a step signed only by the new keys is refused', async ({ page }) => {
  const reg = await buildRegistry({ chunkSize: CHUNK, models: [{ name: 'vad', version: '1.0.0', file: VAD }] });
  const regServer = await startRegistryServer(reg.dir);
  try {
    await openRuntimePage(page, regServer, reg.rootText);
    await expectLoaded(await load(page, 'vad'), '1.0.0');

    await reg.cli('keygen', '--out', reg.keysDir, '--name', 'root-next');
    await reg.cli('keygen', '--out', reg.keysDir, '--name', 'targets-next');
    await reg.cli(
      'rotate-root', reg.dir, '--key', join(reg.keysDir, 'root1.private.json'),
      '--new-root-key', join(reg.keysDir, 'root-next.private.json'),
      '--targets-key', join(reg.keysDir, 'targets-next.public.json'),
    );
    await reg.cli('resign', reg.dir, '--key', join(reg.keysDir, 'targets-next.private.json'), '--resign-all-manifests');

    // Still shipped with root 1: the chain leads to root 2, whose targets key signs now.
    await openRuntimePage(page, regServer, reg.rootText);
    regServer.reset();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
    // The manifest was re-signed, the model bytes were not: nothing is downloaded again.
    expect(regServer.sent.get(model('1.0.0')) ?? 0).toBe(0);

    // A fresh client offered a root 2 signed by the new root key alone.
    const forged = await resign(await reg.read('roots/2.root.json'), () => undefined, [await signer(join(reg.keysDir, 'root-next.private.json'))]);
    regServer.faults.overrides.set('roots/2.root.json', forged);
    await page.evaluate(() => indexedDB.deleteDatabase('outpost'));
    await openRuntimePage(page, regServer, reg.rootText);
    expectCode(await load(page, 'vad'), 'SIGNATURE_INVALID');
  } finally {
    await regServer.close();
  }
});
