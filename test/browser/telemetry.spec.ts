import { expect, test, type Page } from '@playwright/test';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../scripts/run-cli.js';
import { binIndex } from '../../src/registry/reference.js';
import { checkLogsPayload, checkMetricsPayload, type DecodedPoint, type DecodedSample } from './support/otlp-conformance.js';
import { startOtlpReceiver, type OtlpReceiver } from './support/otlp-receiver.js';
import { startRegistryServer, type RegistryServer } from './support/registry-server.js';

// Telemetry end to end: a registry whose model carries a drift reference made by
// `publish --reference-inputs`, createRuntime() in real Chromium, and an OTLP
// receiver of our own on loopback. Every payload is decoded with the official OTLP
// protobuf definitions.

const AFFINE = 'models/tiny_affine.onnx';
const FEED = [0, 1, 2, 3];

let server: RegistryServer;
let receiver: OtlpReceiver;
let rootText: string;
let reference: Array<{ name: string; edges: number[]; counts: number[] }>;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  const base = await mkdtemp(join(tmpdir(), 'outpost-telemetry-'));
  const keys = join(base, 'keys');
  const dir = join(base, 'registry');
  const feeds = join(base, 'feeds.jsonl');
  const examples = [[0, 1, 2, 3], [1, 1, 1, 1], [-2, 0, 4, 8], [0.5, 0.5, 3, 3]];
  await writeFile(feeds, examples.map((data) => JSON.stringify({ x: { type: 'float32', dims: [1, 4], data } })).join('\n'));
  await runCli('keygen', '--out', keys, '--name', 'root');
  await runCli('keygen', '--out', keys, '--name', 'targets');
  await runCli('init', dir, '--root-key', join(keys, 'root.private.json'), '--targets-key', join(keys, 'targets.public.json'));
  const key = join(keys, 'targets.private.json');
  await runCli('publish', dir, AFFINE, '--name', 'affine', '--version', '1.0.0', '--key', key, '--reference-inputs', feeds);
  await runCli('release', dir, '--name', 'affine', '--version', '1.0.0', '--key', key);
  // The same model opted in to sampled inputs: every run; then with caps a run's 16
  // bytes fit three times a window, and a cap below one record.
  const sampled = [
    ['sampled', '--sample-inputs', '1'],
    ['windowed', '--sample-inputs', '1', '--sample-max-bytes', '16', '--sample-window-bytes', '48'],
    ['undersized', '--sample-inputs', '1', '--sample-max-bytes', '15'],
  ];
  for (const [name, ...flags] of sampled) {
    await runCli('publish', dir, AFFINE, '--name', name!, '--version', '1.0.0', '--key', key, ...flags);
    await runCli('release', dir, '--name', name!, '--version', '1.0.0', '--key', key);
  }
  rootText = await readFile(join(dir, 'root.json'), 'utf8');
  const envelope = JSON.parse(await readFile(join(dir, 'models/affine/1.0.0/manifest.json'), 'utf8'));
  reference = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')).reference.features;
  server = await startRegistryServer(dir);
});

test.afterAll(async () => {
  await server?.close();
});

test.beforeEach(async () => {
  receiver = await startOtlpReceiver();
});

test.afterEach(async () => {
  await receiver?.close();
});

/** Opens a page with runtime `t` and model `m` (`model`@1.0.0) loaded, telemetry to the receiver. */
async function openTelemetryPage(page: Page, telemetry: Record<string, unknown> = {}, consent?: boolean, model = 'affine'): Promise<void> {
  await page.goto(`${server.origin}/test/browser/pages/harness.html`);
  await page.waitForFunction(() => (window as any).harnessReady === true);
  const loaded = await page.evaluate(
    async ([root, options, withheld, name]) => {
      const w = window as any;
      // A fresh queue per test: earlier tests' leftovers must not be sent here.
      const dbName = `telemetry-${Math.random().toString(36).slice(2)}`;
      w.consent = withheld === undefined ? true : withheld;
      w.t = w.harness.outpost.createRuntime({
        registryUrl: '/registry/',
        trustedRoot: root,
        backend: 'wasm',
        storage: { dbName },
        telemetry: { intervalMs: 3_600_000, ...options, consent: () => w.consent },
      });
      try {
        w.m = await w.t.load(name);
        return 'ok';
      } catch (error) {
        return String((error as Error).message);
      }
    },
    [rootText, { endpoint: receiver.endpoint, ...telemetry }, consent, model] as const,
  );
  expect(loaded).toBe('ok');
}

function runs(page: Page, count: number): Promise<void> {
  return page.evaluate(async ([n, data]) => {
    const w = window as any;
    for (let i = 0; i < n; i++) await w.m.run({ x: { type: 'float32', dims: [1, 4], data: new Float32Array(data) } });
  }, [count, FEED] as const);
}

function flush(page: Page): Promise<void> {
  return page.evaluate(() => (window as any).t.flush());
}

/** Every data point the receiver accepted (once per Idempotency-Key), each payload checked. */
function deliveredPoints(): DecodedPoint[] {
  return receiver
    .delivered()
    .filter((request) => request.path === '/v1/metrics')
    .flatMap((request) => checkMetricsPayload(request.body));
}

const sumOf = (points: DecodedPoint[], metric: string, field: 'count' | 'asInt') =>
  points.filter((p) => p.metric === metric).reduce((sum, p) => sum + (p[field] ?? 0), 0);

test('1,000 runs arrive as exact histograms, and drift counts equal a hand binning into the reference', async ({ page }) => {
  await openTelemetryPage(page);
  await runs(page, 1000);
  await flush(page);
  // No opt-in in this manifest: not one log request, only metrics.
  for (const request of receiver.requests) {
    expect(request.path).toBe('/v1/metrics');
    expect(request.key).toMatch(/^[0-9a-f-]{16,}$/);
  }
  const points = deliveredPoints();
  const duration = points.filter((p) => p.metric === 'outpost.inference.duration');
  expect(duration).toHaveLength(1);
  expect(duration[0]?.count).toBe(1000);
  expect(duration[0]?.attributes).toEqual({ 'model.name': 'affine', 'model.version': '1.0.0', 'outpost.backend': 'wasm' });
  const phases = points.filter((p) => p.metric === 'outpost.load.duration').map((p) => `${p.attributes['outpost.load.phase']}/${p.attributes['outpost.load.cache']}`);
  expect(phases).toEqual(expect.arrayContaining(['metadata/miss', 'download/miss', 'compile/miss']));

  // By hand: every run feeds x = [0, 1, 2, 3], so y = [1, 3, 5, 7].
  const perRun: Record<string, number[]> = {
    'input.x.value': FEED,
    'input.x.mean': [1.5],
    'input.x.std': [Math.sqrt(1.25)],
    'output.y.value': [1, 3, 5, 7],
    'output.y.mean': [4],
    'output.y.std': [Math.sqrt(5)],
    'output.y.top_class': [3],
    'output.y.top_prob': [1 / [1, 3, 5, 7].reduce((sum, v) => sum + Math.exp(v - 7), 0)],
  };
  const drift = points.filter((p) => p.metric === 'outpost.drift.feature');
  expect(drift.map((p) => p.attributes['outpost.drift.feature']).sort()).toEqual(reference.map((f) => f.name).sort());
  for (const [name, values] of Object.entries(perRun)) {
    const feature = reference.find((f) => f.name === name)!;
    const expected = new Array(feature.edges.length + 1).fill(0);
    for (const value of values) expected[binIndex(feature.edges, value)] += 1000;
    const point = drift.find((p) => p.attributes['outpost.drift.feature'] === name);
    expect(point?.explicitBounds, name).toEqual(feature.edges);
    expect(point?.bucketCounts, name).toEqual(expected);
    expect(point?.attributes).toMatchObject({ 'model.name': 'affine', 'model.version': '1.0.0' });
  }
});

test('consent false: nothing is sent, not even on flush or close', async ({ page }) => {
  await openTelemetryPage(page, {}, false);
  await runs(page, 20);
  await flush(page);
  await page.evaluate(() => (window as any).t.close());
  expect(receiver.requests).toHaveLength(0);
});

test('a page being hidden flushes what it has', async ({ page }) => {
  await openTelemetryPage(page);
  await runs(page, 7);
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await expect.poll(() => sumOf(deliveredPoints(), 'outpost.inference.duration', 'count'), { timeout: 20_000 }).toBe(7);
});

test('a page that leaves sends the runs it made, though its window was still open (pagehide, keepalive)', async ({ page }) => {
  // Which telemetry requests the page starts, counted as it starts them.
  await page.addInitScript(() => {
    const w = window as any;
    const original = window.fetch.bind(window);
    w.telemetryPosts = 0;
    window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      if (String(input instanceof Request ? input.url : input).includes('/v1/metrics')) w.telemetryPosts += 1;
      return original(input, init);
    };
  });
  await openTelemetryPage(page);
  await runs(page, 9);
  // The page takes the worker's counts into its keeping 500 ms after a run.
  await page.waitForTimeout(1_500);
  // A leaving page has no time to ask its worker or its database: the requests must
  // start within the pagehide event itself.
  const startedInPagehide = await page.evaluate(() => {
    const w = window as any;
    const before = w.telemetryPosts as number;
    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }));
    return (w.telemetryPosts as number) - before;
  });
  expect(startedInPagehide).toBeGreaterThan(0);
  await page.goto('about:blank');
  await expect.poll(() => sumOf(deliveredPoints(), 'outpost.inference.duration', 'count'), { timeout: 20_000 }).toBe(9);
  expect(deliveredPoints().filter((p) => p.metric === 'outpost.load.duration').length).toBeGreaterThan(0);
});

test('503 with Retry-After: the batch waits, then arrives once under the same Idempotency-Key', async ({ page }) => {
  receiver.answers.push({ status: 503, headers: { 'retry-after': '1' } });
  await openTelemetryPage(page);
  await runs(page, 3);
  await flush(page);
  await expect.poll(() => sumOf(deliveredPoints(), 'outpost.inference.duration', 'count'), { timeout: 20_000 }).toBe(3);
  const [refused, ...rest] = receiver.requests.filter((r) => r.path === '/v1/metrics');
  const retried = rest.filter((r) => r.key === refused?.key);
  expect(retried).toHaveLength(1);
  expect((retried[0]?.at ?? 0) - (refused?.at ?? 0)).toBeGreaterThanOrEqual(900);
  // Nothing else was sent twice.
  const keys = rest.map((r) => r.key);
  expect(new Set(keys).size).toBe(keys.length);
});

test('offline, then online: every batch is delivered exactly once', async ({ page, context }) => {
  await openTelemetryPage(page);
  await context.setOffline(true);
  for (let i = 0; i < 3; i++) {
    await runs(page, 2);
    await flush(page);
  }
  expect(receiver.requests).toHaveLength(0);
  await context.setOffline(false);
  await expect.poll(() => sumOf(deliveredPoints(), 'outpost.inference.duration', 'count'), { timeout: 20_000 }).toBe(6);
  const keys = receiver.requests.filter((r) => r.path === '/v1/metrics').map((r) => r.key);
  expect(new Set(keys).size).toBe(keys.length);
  expect(sumOf(deliveredPoints(), 'outpost.load.duration', 'count')).toBeGreaterThanOrEqual(3);
});

test('the queue keeps its bound, drops the oldest, and reports the drops', async ({ page }) => {
  receiver.answers.push({ status: 503 });
  await openTelemetryPage(page, { maxQueuedBatches: 2, retryBaseMs: 600_000, retryMaxMs: 600_000 });
  // Flush 1 makes two batches (runs, load phases) and its first send is refused; flushes
  // 2-4 add one batch each while the sender backs off: five made, two kept, three dropped.
  for (let i = 0; i < 4; i++) {
    await runs(page, 1);
    await flush(page);
  }
  expect(receiver.requests).toHaveLength(1);
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await expect.poll(() => sumOf(deliveredPoints(), 'outpost.telemetry.dropped', 'asInt'), { timeout: 20_000 }).toBe(3);
  const points = deliveredPoints();
  expect(points.find((p) => p.metric === 'outpost.telemetry.dropped')?.attributes).toEqual({ 'outpost.drop.reason': 'queue-full' });
  // The two newest batches: the runs of flushes 3 and 4.
  expect(sumOf(points, 'outpost.inference.duration', 'count')).toBe(2);
  expect(receiver.delivered()).toHaveLength(3);
});

/** Every sampled-input record the receiver accepted (once per Idempotency-Key), each payload checked. */
function deliveredSamples(): DecodedSample[] {
  return receiver
    .delivered()
    .filter((request) => request.path === '/v1/logs')
    .flatMap((request) => checkLogsPayload(request.body));
}

/** `count` runs of `x = [i, i + 0.25, -i, 1e-3 * i]` for i = 0..count-1: distinct, exactly representable per run. */
function distinctRuns(page: Page, count: number): Promise<void> {
  return page.evaluate(async (n) => {
    const w = window as any;
    for (let i = 0; i < n; i++) await w.m.run({ x: { type: 'float32', dims: [1, 4], data: new Float32Array([i, i + 0.25, -i, 1e-3 * i]) } });
  }, count);
}

test('sampled inputs at rate 1: every run arrives as an OTLP log with its exact input values', async ({ page }) => {
  await openTelemetryPage(page, {}, undefined, 'sampled');
  await distinctRuns(page, 20);
  await flush(page);
  const samples = deliveredSamples();
  expect(samples).toHaveLength(20);
  const expected = Array.from({ length: 20 }, (_, i) => Array.from(new Float32Array([i, i + 0.25, -i, 1e-3 * i])));
  expect(samples.map((s) => s.inputs.x?.values)).toEqual(expected);
  for (const sample of samples) {
    expect(sample.inputs.x).toMatchObject({ type: 'float32', dims: [1, 4] });
    expect(Object.keys(sample.inputs)).toEqual(['x']);
    expect(sample.attributes).toEqual({ 'event.name': 'outpost.input.sample', 'model.name': 'sampled', 'model.version': '1.0.0', 'outpost.backend': 'wasm' });
    expect(BigInt(sample.timeUnixNano)).toBeGreaterThan(0n);
  }
  for (const request of receiver.requests.filter((r) => r.path === '/v1/logs')) expect(request.key).toMatch(/^[0-9a-f-]{16,}$/);
  // The metrics of the same runs still arrive as before.
  expect(sumOf(deliveredPoints(), 'outpost.inference.duration', 'count')).toBe(20);
});

test('sampled inputs: consent false sends no log and nothing else', async ({ page }) => {
  await openTelemetryPage(page, {}, false, 'sampled');
  await distinctRuns(page, 5);
  await flush(page);
  await page.evaluate(() => (window as any).t.close());
  expect(receiver.requests).toHaveLength(0);
});

test('sampled inputs: consent withdrawn after load drops the waiting samples', async ({ page }) => {
  await openTelemetryPage(page, {}, undefined, 'sampled');
  await distinctRuns(page, 5);
  await page.evaluate(() => ((window as any).consent = false));
  await flush(page);
  await page.evaluate(() => ((window as any).consent = true));
  await flush(page);
  expect(receiver.requests.filter((r) => r.path === '/v1/logs')).toHaveLength(0);
});

test('sampled inputs: byte caps per window and per record are kept, and what they refuse is counted', async ({ page }) => {
  await openTelemetryPage(page, {}, undefined, 'windowed');
  await distinctRuns(page, 5);
  await flush(page);
  await distinctRuns(page, 2);
  await flush(page);
  // 48 bytes a window, 16 a run: three of the first five, then both of the next two.
  expect(deliveredSamples().map((s) => s.inputs.x?.values[0])).toEqual([0, 1, 2, 0, 1]);
  const skipped = (reason: string) => deliveredPoints().filter((p) => p.metric === 'outpost.input.samples.skipped' && p.attributes['outpost.skip.reason'] === reason);
  expect(skipped('window-cap').map((p) => p.asInt)).toEqual([2]);
  expect(skipped('window-cap')[0]?.attributes).toMatchObject({ 'model.name': 'windowed', 'model.version': '1.0.0' });
  expect(skipped('record-cap')).toHaveLength(0);

  await receiver.close();
  receiver = await startOtlpReceiver();
  await openTelemetryPage(page, {}, undefined, 'undersized');
  await distinctRuns(page, 4);
  await flush(page);
  expect(receiver.requests.filter((r) => r.path === '/v1/logs')).toHaveLength(0);
  expect(skipped('record-cap').map((p) => p.asInt)).toEqual([4]);
});
