import { expect, test, type Page } from '@playwright/test';
import { statSync } from 'node:fs';
import { buildRegistry, type RegistryFixture } from './support/registry-fixture.js';
import { startRegistryServer, type RegistryServer } from './support/registry-server.js';
import { cacheList, expectCode, expectLoaded, load, openRuntimePage } from './support/delivery.js';

// Resume from the byte: a cut connection costs what was lost in flight, not the
// chunk it was in. Chunks are 512 KiB here, so resuming from the chunk would fetch up
// to 11 % of this model again and miss the 1.05× target.

const DET = 'models/ppocr_det.onnx';
const CHUNK = 512 * 1024;
const BYTES = statSync(DET).size;
const FILE = 'models/det/1.0.0/model.onnx';

let fx: RegistryFixture;
let server: RegistryServer;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  fx = await buildRegistry({ chunkSize: CHUNK, models: [{ name: 'det', version: '1.0.0', file: DET }] });
  server = await startRegistryServer(fx.dir);
});

test.afterAll(async () => {
  await server?.close();
});

test.beforeEach(() => server.reset());

let db = 0;
/** A runtime on a database of its own: every test starts with an empty cache. */
const open = (page: Page) => openRuntimePage(page, server, fx.rootText, { storage: { dbName: `resume-${++db}` }, refreshInterval: 0 });
const ranges = () => server.requests.filter((r) => r.path === FILE).map((r) => Number(/bytes=(\d+)-/.exec(r.range ?? '')?.[1] ?? 0));

const cuts = {
  'inside a chunk': 3 * CHUNK + CHUNK / 2 + 123,
  'at a chunk edge': 5 * CHUNK,
  'in the last chunk': BYTES - 5000,
};

for (const [where, cut] of Object.entries(cuts)) {
  test(`one cut ${where} costs at most 1.05× the model's bytes and resumes at the exact byte`, async ({ page }) => {
    await open(page);
    server.faults.cutOnce.set(FILE, cut);
    await expectLoaded(await load(page, 'det'), '1.0.0');
    const fetched = server.sent.get(FILE) ?? 0;
    console.log(`cut ${where} (byte ${cut} of ${BYTES}): fetched ${fetched} bytes (${(fetched / BYTES).toFixed(4)}×)`);
    expect(fetched).toBeLessThanOrEqual(1.05 * BYTES);
    expect(ranges()).toEqual([0, cut]);
    expect(await cacheList(page)).toEqual([expect.objectContaining({ name: 'det', bytes: BYTES })]);
  });
}

test('a chunk spliced from two responses that differ is fetched whole once, then the load succeeds', async ({ page }) => {
  await open(page);
  const cut = 2 * CHUNK + 1000;
  // The resumed response carries a different byte inside the partial chunk (a file
  // replaced between the requests, a bad cache node): the spliced chunk fails its hash.
  const altered = await fx.read(FILE);
  altered[cut + 10]! ^= 0x01;
  server.faults.cutOnce.set(FILE, cut);
  server.faults.sequence.set(FILE, [undefined, altered]);
  await expectLoaded(await load(page, 'det'), '1.0.0');
  expect(ranges()).toEqual([0, cut, 2 * CHUNK]);
  const fetched = server.sent.get(FILE) ?? 0;
  console.log(`spliced chunk refetched whole: ${fetched} bytes (${(fetched / BYTES).toFixed(4)}×)`);
});

test('a chunk that fails its hash again after the whole refetch fails the load with INTEGRITY_MISMATCH', async ({ page }) => {
  await open(page);
  const altered = await fx.read(FILE);
  altered[4 * CHUNK + 7]! ^= 0x01;
  server.faults.overrides.set(FILE, altered);
  const result = await load(page, 'det');
  expectCode(result, 'INTEGRITY_MISMATCH');
  expect(result.error?.details?.chunk).toBe(4);
  expect(ranges()).toEqual([0, 4 * CHUNK]);
  expect(await cacheList(page)).toEqual([]);
});

test('a server that ignores Range: the resume reads from byte 0 and keeps only the new bytes (cost: the bytes before the cut, again)', async ({ page }) => {
  await open(page);
  server.faults.ignoreRange = true;
  const cut = Math.floor(BYTES * 0.6);
  server.faults.cutOnce.set(FILE, cut);
  await expectLoaded(await load(page, 'det'), '1.0.0');
  const fetched = server.sent.get(FILE) ?? 0;
  console.log(`ignoring Range, cut at 60 %: fetched ${fetched} bytes (${(fetched / BYTES).toFixed(4)}×)`);
  expect(fetched).toBe(cut + BYTES);
  expect(await cacheList(page)).toEqual([expect.objectContaining({ name: 'det', bytes: BYTES })]);
});
