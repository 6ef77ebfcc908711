import { expect, test, type Page } from '@playwright/test';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { externalModelExpected, externalModelInput, writeExternalModel } from '../fixtures/external-model.js';
import { oracleRun } from './support/oracle.js';
import { buildRegistry, type RegistryFixture } from './support/registry-fixture.js';
import { startRegistryServer, type RegistryServer } from './support/registry-server.js';
import { cacheList, expectCode, expectLoaded, load, openRuntimePage } from './support/delivery.js';
import { fromWire, maxAbsDiff, toWire, type NodeTensor } from './support/tensors.js';

// A model whose weights live in an external data file: every file is signed into the
// manifest, downloaded, verified, cached and handed to onnxruntime as verified bytes.

const WEIGHTS = 'models/wide/1.0.0/wide.weights';
const CHUNK = 16 * 1024;

let fx: RegistryFixture;
let server: RegistryServer;
let modelPath: string;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  const written = await writeExternalModel(await mkdtemp(join(tmpdir(), 'outpost-external-')));
  modelPath = written.model;
  fx = await buildRegistry({ chunkSize: CHUNK, models: [{ name: 'wide', version: '1.0.0', file: modelPath }] });
  server = await startRegistryServer(fx.dir);
});

test.afterAll(async () => {
  await server?.close();
});

test.beforeEach(() => server.reset());

const x: NodeTensor = { type: 'float32', dims: [1, 64], data: externalModelInput() };

async function run(page: Page, modelId: string): Promise<NodeTensor> {
  const result = await page.evaluate(([id, feeds]) => (window as any).harness.runOpen(id, feeds), [modelId, { x: toWire(x) }] as const);
  expect(result.ok, JSON.stringify(result.error)).toBe(true);
  return fromWire(result.outputs.y);
}

test('a model with external data loads, runs like onnxruntime-node, and loads again from the cache', async ({ page }) => {
  await openRuntimePage(page, server, fx.rootText, { storage: { dbName: 'external-ok' } });
  const cold = await load(page, 'wide', {}, 'cold');
  await expectLoaded(cold, '1.0.0');
  expect(server.sent.get(WEIGHTS)).toBe(IN_BYTES());
  const lastDownload = cold.phases.filter((p) => p.phase === 'download').at(-1);
  const total = (await cacheList(page))[0]?.bytes;
  expect(lastDownload).toEqual({ phase: 'download', loaded: total, total });

  const y = await run(page, 'cold');
  const [oracle] = await oracleRun(join(fx.dir, 'models/wide/1.0.0/model.onnx'), [{ x }]);
  expect(maxAbsDiff(y, oracle!.y!)).toBeLessThan(1e-4);
  expect(maxAbsDiff(y, { type: 'float32', dims: [1, 256], data: externalModelExpected() })).toBeLessThan(1e-4);

  server.reset();
  const warm = await load(page, 'wide', {}, 'warm');
  await expectLoaded(warm, '1.0.0');
  expect(server.sent.get(WEIGHTS) ?? 0).toBe(0);
  expect(maxAbsDiff(await run(page, 'warm'), y)).toBe(0);
});

test('a tampered external data file is refused with INTEGRITY_MISMATCH and never cached', async ({ page }) => {
  const original = await fx.read(WEIGHTS);
  const bad = original.slice();
  bad[CHUNK + 7] = (bad[CHUNK + 7] ?? 0) ^ 0x40;
  server.faults.overrides.set(WEIGHTS, bad);
  await openRuntimePage(page, server, fx.rootText, { storage: { dbName: 'external-tampered' } });
  const result = await load(page, 'wide');
  expectCode(result, 'INTEGRITY_MISMATCH');
  expect(result.error?.details).toEqual(expect.objectContaining({ path: WEIGHTS, chunk: 1 }));
  expect(await cacheList(page)).toEqual([]);
});

function IN_BYTES(): number {
  return (64 * 256 + 256) * 4;
}
