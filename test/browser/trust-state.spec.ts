import { expect, test } from '@playwright/test';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { trustKey } from '../../src/cache/trust-records.js';
import { trustNamespace } from '../../src/delivery/trust-namespace.js';
import { buildRegistry, type RegistryFixture } from './support/registry-fixture.js';
import { startRegistryServer, type RegistryServer } from './support/registry-server.js';
import { resign, signer } from './support/resign.js';
import { expectCode, expectLoaded, load, openRuntimePage } from './support/delivery.js';
import { readRecord, writeRecord } from './support/idb.js';

// Trust state against the attacks of a TUF client audit: a fast-forwarded index that
// would brick clients, an index of an equal version with other bytes, two registries
// on one origin sharing state, a root walked once per runtime. Each test builds its
// own registry (they rotate keys) and its own database.

const VAD = 'models/silero_vad_v5.onnx';
const CHUNK = 256 * 1024;

test.describe.configure({ mode: 'serial' });

let db = 0;
const nextDb = () => `trust-${++db}-${Date.now()}`;

async function registry(): Promise<{ fx: RegistryFixture; server: RegistryServer }> {
  const fx = await buildRegistry({ chunkSize: CHUNK, models: [{ name: 'vad', version: '1.0.0', file: VAD }] });
  return { fx, server: await startRegistryServer(fx.dir) };
}

/** Rotates the root to one whose targets key is `targets-next`, and re-signs with it (the operator's recovery). */
async function rotateTargets(fx: RegistryFixture): Promise<void> {
  await fx.cli('keygen', '--out', fx.keysDir, '--name', 'targets-next');
  await fx.cli(
    'rotate-root', fx.dir, '--key', join(fx.keysDir, 'root1.private.json'),
    '--new-root-key', join(fx.keysDir, 'root1.private.json'),
    '--targets-key', join(fx.keysDir, 'targets-next.public.json'),
  );
  await fx.cli('resign', fx.dir, '--key', join(fx.keysDir, 'targets-next.private.json'), '--resign-all-manifests');
}

test('a floor fast-forwarded with a stolen targets key resets once a root update changes the targets keys', async ({ page }) => {
  const { fx, server } = await registry();
  try {
    const dbName = nextDb();
    const open = () => openRuntimePage(page, server, fx.rootText, { storage: { dbName }, refreshInterval: 0 });
    await open();
    await expectLoaded(await load(page, 'vad'), '1.0.0');

    // The stolen key signs the highest version there is; the client takes it as its floor.
    const stolen = await signer(join(fx.keysDir, 'targets1.private.json'));
    const fastForward = await resign(await fx.read('index.json'), (index) => {
      index.version = Number.MAX_SAFE_INTEGER;
    }, [stolen]);
    server.faults.overrides.set('index.json', fastForward);
    await open();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
    server.reset();
    await open();
    expectCode(await load(page, 'vad'), 'ROLLBACK_DETECTED');

    // Recovery: the operator rotates the targets key and re-signs. The floor belonged to the old key.
    await rotateTargets(fx);
    await open();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
    // And the new floor holds: the fast-forwarded index, signed by a key no longer trusted, is refused.
    server.faults.overrides.set('index.json', fastForward);
    await open();
    expectCode(await load(page, 'vad'), 'SIGNATURE_INVALID');
  } finally {
    await server.close();
  }
});

test('an index of the trusted version with other bytes is refused and does not replace the offline copy', async ({ page }) => {
  const { fx, server } = await registry();
  try {
    const dbName = nextDb();
    const open = () => openRuntimePage(page, server, fx.rootText, { storage: { dbName }, refreshInterval: 0 });
    await open();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
    const key = await signer(join(fx.keysDir, 'targets1.private.json'));
    const sameVersion = await resign(await fx.read('index.json'), (index) => {
      index.models.vad.revoked.push('1.0.0');
      delete index.models.vad.channels.stable;
    }, [key]);
    server.faults.overrides.set('index.json', sameVersion);
    await open();
    expectCode(await load(page, 'vad'), 'ROLLBACK_DETECTED');
    server.reset();
    server.faults.offline = true;
    await open();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
  } finally {
    await server.close();
  }
});

test('two registries on one origin keep their own trust state; a persisted root counts only if it chains from the shipped one', async ({ page }) => {
  const { fx: a, server } = await registry();
  const b = await buildRegistry({ chunkSize: CHUNK, models: [{ name: 'vad', version: '2.0.0', file: VAD }] });
  try {
    // B: a higher index version and a rotated root (its own keys), served beside A.
    for (let i = 0; i < 4; i++) await b.cli('resign', b.dir, '--key', join(b.keysDir, 'targets1.private.json'));
    await b.cli('rotate-root', b.dir, '--key', join(b.keysDir, 'root1.private.json'), '--new-root-key', join(b.keysDir, 'root1.private.json'));
    await cp(b.dir, join(a.dir, 'b'), { recursive: true });

    // The default database, as two apps on one origin would have it.
    const openA = () => openRuntimePage(page, server, a.rootText, { refreshInterval: 0 });
    const openB = () => openRuntimePage(page, server, b.rootText, { registryUrl: '/registry/b/', refreshInterval: 0 });
    await openA();
    await page.evaluate(() => new Promise((done) => ((indexedDB.deleteDatabase('outpost').onsuccess = done))));
    await openA();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
    await openB();
    await expectLoaded(await load(page, 'vad'), '2.0.0');
    // B's floor (version 7), B's root 2 and B's offline index are not A's.
    await openA();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
    server.faults.offline = true;
    await openA();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
    server.reset();

    // Plant B's root 2 as A's persisted chain: it is not reached from A's shipped root.
    const nsA = await trustNamespace(`${server.origin}/registry/`, a.rootText);
    const planted = new TextDecoder().decode(await b.read('roots/2.root.json'));
    await writeRecord(page, 'outpost', 'state', [planted], { key: trustKey(nsA, 'roots') });
    await openA();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
    expect(await readRecord(page, 'outpost', 'state', trustKey(nsA, 'roots'))).toBeUndefined();
  } finally {
    await server.close();
  }
});

test('the root is walked on every index fetch: a rotation reaches an open runtime, and a walk cut short by a 503 is taken up again', async ({ page }) => {
  const { fx, server } = await registry();
  try {
    const dbName = nextDb();
    await openRuntimePage(page, server, fx.rootText, { storage: { dbName }, refreshInterval: 0 });
    await expectLoaded(await load(page, 'vad'), '1.0.0');
    const retired = await signer(join(fx.keysDir, 'targets1.private.json'));

    // The runtime stays open across the rotation; the retired key then signs a newer index.
    await rotateTargets(fx);
    const forged = await resign(await fx.read('index.json'), (index) => {
      index.version += 10;
    }, [retired]);
    server.faults.overrides.set('index.json', forged);
    expectCode(await load(page, 'vad'), 'SIGNATURE_INVALID');
    expect(server.requests.some((r) => r.path === 'roots/2.root.json' && r.status === 200)).toBe(true);

    // A fresh runtime whose first walk meets a 503 on roots/2 keeps root 1, whose keys do
    // not cover the new index; once the registry answers, the next fetch walks on.
    server.reset();
    await openRuntimePage(page, server, fx.rootText, { storage: { dbName: nextDb() }, refreshInterval: 0 });
    server.faults.status.set('roots/2.root.json', 503);
    expectCode(await load(page, 'vad'), 'SIGNATURE_INVALID');
    expect(server.requests.filter((r) => r.path === 'roots/2.root.json' && r.status === 503).length).toBeGreaterThan(0);
    server.faults.status.clear();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
  } finally {
    await server.close();
  }
});

test('slow retrieval: a trickled index falls back to the cache, a trickled model fails with DOWNLOAD_FAILED and frees its lock', async ({ page }) => {
  const { fx, server } = await registry();
  try {
    // Small limits so the test is quick: 400 ms idle, 10 kB/s minimum; the server sends 20 B/s.
    const slow = { retries: 1, baseDelayMs: 5, maxDelayMs: 20, idleTimeoutMs: 400, minBytesPerSecond: 10_000 };
    const dbName = nextDb();
    const open = () => openRuntimePage(page, server, fx.rootText, { storage: { dbName }, refreshInterval: 0, retry: slow });
    await open();
    await expectLoaded(await load(page, 'vad'), '1.0.0');

    server.reset();
    server.faults.trickle.add('index.json');
    await open();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
    expect(server.sent.get('index.json') ?? 0).toBeLessThan((await fx.read('index.json')).byteLength);

    // A cold cache: the model itself trickles.
    server.reset();
    server.faults.trickle.add('models/vad/1.0.0/model.onnx');
    await openRuntimePage(page, server, fx.rootText, { storage: { dbName: nextDb() }, refreshInterval: 0, retry: slow });
    const failed = await load(page, 'vad');
    expectCode(failed, 'DOWNLOAD_FAILED');
    expect(['idle', 'slow']).toContain(failed.error?.details?.reason);
    // The version lock was released: the same runtime loads once the server sends at speed.
    server.faults.trickle.clear();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
  } finally {
    await server.close();
  }
});

test('a cached chunk whose index lies past the file is dropped and the version still loads', async ({ page }) => {
  const { fx, server } = await registry();
  try {
    const dbName = nextDb();
    const open = () => openRuntimePage(page, server, fx.rootText, { storage: { dbName }, refreshInterval: 0 });
    await open();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
    const key = ['vad', '1.0.0', 'models/vad/1.0.0/model.onnx', 99];
    const [name, version, file, index] = key;
    await writeRecord(page, dbName, 'chunks', { name, version, file, index, data: Array.from(new Uint8Array(8)) }, { blobField: 'data' });
    await open();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
    expect(await readRecord(page, dbName, 'chunks', key)).toBeUndefined();
  } finally {
    await server.close();
  }
});

test('a warm load that meets the index it holds writes no floor or index record; a damaged offline copy is written again', async ({ page }) => {
  const { fx, server } = await registry();
  try {
    const dbName = nextDb();
    const ns = await trustNamespace(`${server.origin}/registry/`, fx.rootText);
    // Counts puts of trust records, as the page makes them (the runtime works on the page's IndexedDB).
    const openCounting = async () => {
      await openRuntimePage(page, server, fx.rootText, { storage: { dbName }, refreshInterval: 0 });
      await page.evaluate(() => {
        const w = window as any;
        w.trustPuts = [];
        const put = IDBObjectStore.prototype.put;
        IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
          if (typeof key === 'string' && key.startsWith('trust:')) w.trustPuts.push(key.split(':').pop());
          return put.call(this, value, key);
        };
      });
    };
    const puts = () => page.evaluate(() => (window as any).trustPuts as string[]);
    await openCounting();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
    expect(await puts()).toEqual(expect.arrayContaining(['floor', 'index']));

    await openCounting();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
    expect((await puts()).filter((record) => record === 'floor' || record === 'index')).toEqual([]);

    // The offline copy damaged: the next online load writes it again, and offline still works.
    await writeRecord(page, dbName, 'state', 'not an index', { key: trustKey(ns, 'index') });
    await openCounting();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
    expect((await puts()).filter((record) => record === 'floor' || record === 'index')).toEqual(['index']);
    expect(await readRecord(page, dbName, 'state', trustKey(ns, 'index'))).toBe(new TextDecoder().decode(await fx.read('index.json')));
    server.faults.offline = true;
    await openCounting();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
  } finally {
    await server.close();
  }
});
