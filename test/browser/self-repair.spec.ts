import { expect, test, type Page } from '@playwright/test';
import { buildRegistry, type RegistryFixture } from './support/registry-fixture.js';
import { startRegistryServer, type RegistryServer } from './support/registry-server.js';
import { expectCode, expectLoaded, load, openRuntimePage } from './support/delivery.js';
import { trustKey } from '../../src/cache/trust-records.js';
import { trustNamespace } from '../../src/delivery/trust-namespace.js';
import { damageRecord, readRecord, writeRecord, type DamageKind, type DamageTarget } from './support/idb.js';

// Self-repair: every cached record is checked when used. Online, a damaged one is
// dropped and fetched again and the load succeeds; offline, the load fails with
// INTEGRITY_MISMATCH naming the record, and the damage is gone, so the next online
// load heals.

const VAD = 'models/silero_vad_v5.onnx';
const CHUNK = 256 * 1024;
const FILE = 'models/vad/1.0.0/model.onnx';

type Kind = DamageKind;
interface Damage extends DamageTarget {
  record: 'chunk' | 'manifest' | 'index';
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
async function damage(page: Page, dbName: string, d: Damage): Promise<void> {
  const key = d.key === INDEX_KEY ? trustKey(await trustNamespace(`${server.origin}/registry/`, fx.rootText), 'index') : d.key;
  await damageRecord(page, dbName, { ...d, key });
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

// The install id has nothing to refetch: a damaged one is replaced by a new id, online
// or offline, as a fresh install would get, and never used as it was (a `42` or a
// truncated id would put every install damaged alike in one arbitrary rollout bucket).
const installIdCases: Array<{ label: string; target: DamageTarget }> = [
  // A hex digit changed: still shaped like an id, only its check tells.
  { label: 'flip', target: { store: 'state', key: 'installId', field: 'id', kind: 'flip', hexAt: 0 } },
  { label: 'truncate', target: { store: 'state', key: 'installId', field: 'id', kind: 'truncate' } },
  { label: 'wrongType', target: { store: 'state', key: 'installId', field: 'id', kind: 'wrongType' } },
  { label: 'wrongType (whole record)', target: { store: 'state', key: 'installId', kind: 'wrongType' } },
  { label: 'delete', target: { store: 'state', key: 'installId', kind: 'delete' } },
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

for (const { label, target } of installIdCases) {
  test(`a damaged install id (${label}) is replaced by a new one, online and offline, and the new one holds`, async ({ page }) => {
    const dbName = `repair-id-${++db}`;
    const open = () => openRuntimePage(page, server, fx.rootText, { storage: { dbName }, refreshInterval: 0 });
    const stored = async () => (await readRecord(page, dbName, 'state', 'installId')) as { id: string; crc32: number } | undefined;
    await open();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
    const first = await stored();
    expect(first?.id).toMatch(UUID);

    for (const offline of [false, true]) {
      await damageRecord(page, dbName, target);
      const damaged = await readRecord(page, dbName, 'state', 'installId');
      await open();
      server.reset();
      server.faults.offline = offline;
      await expectLoaded(await load(page, 'vad'), '1.0.0');
      const replaced = await stored();
      expect(replaced?.id).toMatch(UUID);
      expect(replaced?.id).not.toBe(first?.id);
      expect(replaced?.id).not.toBe((damaged as { id?: unknown } | undefined)?.id);
      // Kept from then on: the next runtime buckets with the same id.
      await open();
      await expectLoaded(await load(page, 'vad'), '1.0.0');
      expect(await stored()).toEqual(replaced);
    }
  });
}

test('an install id stored bare, as before it carried a check, is kept and rewritten with one', async ({ page }) => {
  const dbName = `repair-id-${++db}`;
  const open = () => openRuntimePage(page, server, fx.rootText, { storage: { dbName }, refreshInterval: 0 });
  await open();
  await expectLoaded(await load(page, 'vad'), '1.0.0');
  const bare = '0f8e3c1a-5b7d-4e2f-9a6c-3d1b2e4f5a6b';
  await writeRecord(page, dbName, 'state', bare, { key: 'installId' });
  await open();
  await expectLoaded(await load(page, 'vad'), '1.0.0');
  expect(await readRecord(page, dbName, 'state', 'installId')).toEqual({ id: bare, crc32: expect.any(Number) });
});
