import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../scripts/run-cli.js';
import { driftPlugin } from '../../src/collector/drift/plugin.js';
import { ReferenceBook } from '../../src/collector/drift/references.js';
import { registryReader } from '../../src/collector/drift/registry-source.js';
import { serveCollector, type RunningCollector } from '../../src/collector/server.js';
import { openSqliteStore } from '../../src/collector/store/sqlite.js';
import { normalSample, seededRandom } from '../unit/drift/random.js';
import { startRegistryServer, type RegistryServer } from './support/registry-server.js';

// The operator view end to end: a registry whose versions carry drift references made
// by `publish --reference-inputs`, a collector on a real SQLite file pointed at it, the
// tiny affine model run in Chromium through createRuntime with telemetry on — 1.0.0 fed
// like its reference, 1.1.0 fed shifted inputs — then the dashboard read in the page.

const AFFINE = 'models/tiny_affine.onnx';
const RUNS = 300;

let server: RegistryServer;
let collector: RunningCollector;
let rootText: string;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  const base = await mkdtemp(join(tmpdir(), 'outpost-dashboard-'));
  const keys = join(base, 'keys');
  const dir = join(base, 'registry');
  const feeds = join(base, 'feeds.jsonl');
  const random = seededRandom(7);
  const examples = Array.from({ length: 200 }, () => normalSample(random, 4));
  await writeFile(feeds, examples.map((data) => JSON.stringify({ x: { type: 'float32', dims: [1, 4], data } })).join('\n'));
  await runCli('keygen', '--out', keys, '--name', 'root');
  await runCli('keygen', '--out', keys, '--name', 'targets');
  await runCli('init', dir, '--root-key', join(keys, 'root.private.json'), '--targets-key', join(keys, 'targets.public.json'));
  const key = join(keys, 'targets.private.json');
  for (const version of ['1.0.0', '1.1.0']) await runCli('publish', dir, AFFINE, '--name', 'affine', '--version', version, '--key', key, '--reference-inputs', feeds);
  await runCli('release', dir, '--name', 'affine', '--version', '1.1.0', '--key', key);
  rootText = await readFile(join(dir, 'root.json'), 'utf8');
  server = await startRegistryServer(dir);
  const references = new ReferenceBook(registryReader(dir), rootText);
  collector = await serveCollector({
    port: 0,
    store: openSqliteStore({ file: join(base, 'collector.db') }),
    processMetrics: false,
    retentionIntervalMs: 0,
    // Scored every half second instead of every minute, so the test need not wait.
    plugins: [driftPlugin({ references, intervalMs: 500 })],
  });
});

test.afterAll(async () => {
  await collector?.close();
  await server?.close();
});

/** Loads affine@version in a page, runs it `RUNS` times on N(mean, 1) inputs and flushes. */
async function runVersion(page: Page, version: string, mean: number, seed: number): Promise<void> {
  await page.goto(`${server.origin}/test/browser/pages/harness.html`);
  await page.waitForFunction(() => (window as any).harnessReady === true);
  const random = seededRandom(seed);
  const inputs = Array.from({ length: RUNS }, () => normalSample(random, 4, mean));
  const result = await page.evaluate(
    async ([root, endpoint, v, feeds]) => {
      const w = window as any;
      const t = w.harness.outpost.createRuntime({
        registryUrl: '/registry/',
        trustedRoot: root,
        backend: 'wasm',
        storage: { dbName: `dashboard-${v}` },
        telemetry: { endpoint, intervalMs: 3_600_000, consent: () => true },
      });
      const m = await t.load('affine', { version: v });
      for (const data of feeds) await m.run({ x: { type: 'float32', dims: [1, 4], data: new Float32Array(data) } });
      await t.flush();
      return 'ok';
    },
    [rootText, collector.url, version, inputs] as const,
  );
  expect(result).toBe('ok');
}

async function api(path: string): Promise<any> {
  const response = await fetch(`${collector.url}${path}`);
  expect(response.status, path).toBe(200);
  return response.json();
}

test('runs like the reference are ok, shifted runs alert, and the dashboard shows both', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  await runVersion(page, '1.0.0', 0, 11);
  await runVersion(page, '1.1.0', 2, 12);

  await expect.poll(async () => (await api('/api/v1/latency?model=affine')).rows.reduce((n: number, r: { count: number }) => n + r.count, 0), { timeout: 30_000 }).toBe(2 * RUNS);
  const drift = await api('/api/v1/drift?model=affine');
  const byVersion = (version: string) => drift.rows.filter((r: { version: string }) => r.version === version);
  const mean = (version: string) => byVersion(version).find((r: { feature: string }) => r.feature === 'input.x.mean');
  expect(mean('1.0.0')).toMatchObject({ count: RUNS, status: 'ok' });
  expect(mean('1.1.0')).toMatchObject({ count: RUNS, status: 'alert' });
  expect(byVersion('1.0.0').every((r: { status: string }) => r.status === 'ok' || r.status === 'insufficient')).toBe(true);
  await expect.poll(async () => (await api('/api/v1/alerts')).alerts.map((a: { version: string }) => a.version), { timeout: 30_000 }).toContain('1.1.0');
  const alerts = (await api('/api/v1/alerts')).alerts;
  expect(alerts.every((a: { version: string }) => a.version === '1.1.0')).toBe(true);
  const latency = (await api('/api/v1/latency?model=affine&version=1.0.0')).rows[0];

  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.goto(`${collector.url}/?model=affine&range=1h`);
  await expect(page.locator('body[data-loaded]')).toBeAttached({ timeout: 30_000 });
  await expect(page).toHaveURL(/model=affine/);

  // Open alerts on top, naming the shifted version.
  await expect(page.locator('#alerts')).toHaveAttribute('data-state', 'data');
  await expect(page.locator('#alerts table')).toContainText(`affine@1.1.0`);
  await expect(page.locator('#alerts table')).toContainText('input.x.mean');
  // Latency: a uPlot chart and the numbers the API gives.
  await expect(page.locator('#latency[data-state="data"] .uplot canvas')).toHaveCount(1);
  const latencyRow = page.locator('#latency .latency-summary tr', { hasText: 'affine@1.0.0' });
  await expect(latencyRow).toContainText(String(latency.count));
  await expect(page.locator('#browsers table')).toContainText('wasm');
  await expect(page.locator('#browsers table')).toContainText(`${2 * RUNS} runs`); // both versions, one browser
  await expect(page.locator('#rates .rates-table')).toContainText('affine@1.1.0');
  await expect(page.locator('#rates .uplot canvas')).toHaveCount(1);
  await expect(page.locator('#load .uplot canvas')).toHaveCount(1);
  await expect(page.locator('#load .load-table')).toContainText('cold');

  // Drift panel per version: verdict, PSI as the API says, histogram and PSI charts.
  const okPanel = page.locator('article.drift-version[data-version="affine@1.0.0"]');
  const alertPanel = page.locator('article.drift-version[data-version="affine@1.1.0"]');
  await expect(okPanel).toHaveAttribute('data-status', 'ok');
  await expect(alertPanel).toHaveAttribute('data-status', 'alert');
  const card = alertPanel.locator('.feature[data-feature="input.x.mean"]');
  await expect(card).toHaveAttribute('data-status', 'alert');
  await expect(card.locator('.numbers')).toContainText(`PSI ${mean('1.1.0').psi.toFixed(3)}`);
  await expect(card.locator('[data-chart="drift-histogram"] .uplot canvas')).toHaveCount(1);
  await expect(card.locator('[data-chart="drift-psi"] .uplot canvas')).toHaveCount(1);
  await expect(okPanel.locator('.drift-table')).toContainText(mean('1.0.0').psi.toFixed(3));

  const shot = await page.screenshot({ fullPage: true });
  await testInfo.attach('dashboard', { body: shot, contentType: 'image/png' });
  await writeFile(testInfo.outputPath('dashboard.png'), shot);
  if (process.env.OUTPOST_DASHBOARD_SHOT) await writeFile(process.env.OUTPOST_DASHBOARD_SHOT, shot);

  const axe = await new AxeBuilder({ page }).analyze();
  const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
});

test('an empty collector says what to do', async ({ page }) => {
  await page.goto(`${collector.url}/?model=nothing-here&range=1h`);
  await expect(page.locator('body[data-loaded]')).toBeAttached({ timeout: 30_000 });
  await expect(page.locator('#latency')).toHaveAttribute('data-state', 'empty');
  await expect(page.locator('#latency .empty')).toContainText('No data yet: point `telemetry.endpoint` at this collector');
});
