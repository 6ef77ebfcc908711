import { expect, test, type Page } from '@playwright/test';
import { buildRegistry, type RegistryFixture } from './support/registry-fixture.js';
import { startRegistryServer, type RegistryServer } from './support/registry-server.js';
import { expectCode, expectLoaded, load, openRuntimePage } from './support/delivery.js';
import { trustKey } from '../../src/cache/trust-records.js';
import { trustNamespace } from '../../src/delivery/trust-namespace.js';

// Self-repair: every cached record is checked when used. Online, a damaged one is
// dropped and fetched again and the load succeeds; offline, the load fails with
// INTEGRITY_MISMATCH naming the record, and the damage is gone, so the next online
// load heals.

const VAD = 'models/silero_vad_v5.onnx';
const CHUNK = 256 * 1024;
const FILE = 'models/vad/1.0.0/model.onnx';

type Kind = 'flip' | 'truncate' | 'wrongType' | 'delete';
interface Damage {
  record: 'chunk' | 'manifest' | 'index';
  store: 'chunks' | 'versions' | 'state';
  key: string | Array<string | number>;
  /** The field of the stored value to damage; none: the value itself. */
  field?: string;
  kind: Kind;
}

const chunk = (kind: Kind): Damage => ({ record: 'chunk', store: 'chunks', key: ['vad', '1.0.0', FILE, 2], field: 'data', kind });
const manifest = (kind: Exclude<Kind, 'delete'>): Damage => ({ record: 'manifest', store: 'versions', key: ['vad', '1.0.0'], field: 'manifest', kind });
// The offline index lives under the registry's trust namespace; its key is resolved per test.
const INDEX_KEY = 'trust:<namespace>:index';
const index = (kind: Exclude<Kind, 'delete'>): Damage => ({ record: 'index', store: 'state', key: INDEX_KEY, kind });

const cases: Damage[] = [
  chunk('flip'), chunk('truncate'), chunk('wrongType'), chunk('delete'),
  manifest('flip'), manifest('truncate'), manifest('wrongType'),
  index('flip'), index('truncate'), index('wrongType'),
];

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

/** Damages one record in IndexedDB, as a disk fault, a bug or another script would. */
async function damage(page: Page, dbName: string, damage: Damage): Promise<void> {
  const d = damage.key === INDEX_KEY ? { ...damage, key: trustKey(await trustNamespace(`${server.origin}/registry/`, fx.rootText), 'index') } : damage;
  await page.evaluate(
    async ([name, d]) => {
      const request = <T>(r: IDBRequest<T>) => new Promise<T>((resolve, reject) => ((r.onsuccess = () => resolve(r.result)), (r.onerror = () => reject(r.error))));
      const db = await request(indexedDB.open(name));
      const store = (mode: IDBTransactionMode) => db.transaction(d.store, mode).objectStore(d.store);
      if (d.kind === 'delete') {
        await request(store('readwrite').delete(d.key));
        db.close();
        return;
      }
      const value = await request(store('readonly').get(d.key));
      if (value === undefined) throw new Error(`no record ${JSON.stringify(d.key)} to damage`);
      const target = d.field ? value[d.field] : value;
      let next: unknown;
      if (d.kind === 'wrongType') next = 42;
      else if (target instanceof Blob) {
        const bytes = new Uint8Array(await target.arrayBuffer());
        if (d.kind === 'flip') bytes[5]! ^= 0xff;
        next = new Blob([d.kind === 'truncate' ? bytes.subarray(0, bytes.length >> 1) : bytes]);
      } else if (target instanceof Uint8Array) {
        const bytes = target.slice();
        if (d.kind === 'flip') bytes[bytes.length >> 1]! ^= 0x01;
        next = d.kind === 'truncate' ? bytes.subarray(0, bytes.length >> 1).slice() : bytes;
      } else {
        const text = String(target);
        const at = text.length >> 1;
        next = d.kind === 'truncate' ? text.slice(0, at) : text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
      }
      // A new transaction: the first one closed while the Blob was read.
      if (d.field) await request(store('readwrite').put({ ...value, [d.field]: next }));
      else await request(store('readwrite').put(next, d.key));
      db.close();
    },
    [dbName, d] as const,
  );
}

let db = 0;
for (const d of cases) {
  test(`a damaged cached ${d.record} (${d.kind}): refetched online; offline INTEGRITY_MISMATCH, then healed online`, async ({ page }) => {
    const dbName = `repair-${++db}`;
    const open = () => openRuntimePage(page, server, fx.rootText, { storage: { dbName }, refreshInterval: 0 });
    await open();
    await expectLoaded(await load(page, 'vad'), '1.0.0');

    // Online: dropped, fetched again, loaded.
    await damage(page, dbName, d);
    await open();
    server.reset();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
    if (d.record === 'chunk') expect(server.sent.get(FILE)).toBe(CHUNK);
    else expect(server.sent.get(FILE) ?? 0).toBe(0);
    if (d.record === 'manifest') expect(server.sent.get('models/vad/1.0.0/manifest.json')).toBeGreaterThan(0);

    // Offline: the specific code, naming the record.
    await damage(page, dbName, d);
    await open();
    server.reset();
    server.faults.offline = true;
    const offline = await load(page, 'vad');
    expectCode(offline, 'INTEGRITY_MISMATCH');
    expect(offline.error?.details?.record).toBe(d.record);
    // The damage is gone, not met again: offline the load now fails for want of the record.
    expectCode(await load(page, 'vad'), 'DOWNLOAD_FAILED');

    // Online again: healed.
    server.reset();
    await open();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
    await open();
    server.faults.offline = true;
    await expectLoaded(await load(page, 'vad'), '1.0.0');
  });
}
