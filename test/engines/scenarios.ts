// The browser behaviours that matter most, written once and run in every engine:
// signed delivery (cold, warm, tamper, offline, abort) and execution (oracle, invalid
// input, crash recovery, backend fallback) and telemetry (OTLP to a loopback receiver,
// decoded with the official protobuf definitions). Page code goes through the same harness
// page the Playwright specs use.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { oracleRun } from '../browser/support/oracle.js';
import { checkLogsPayload, checkMetricsPayload } from '../browser/support/otlp-conformance.js';
import type { OtlpReceiver } from '../browser/support/otlp-receiver.js';
import type { RegistryFixture } from '../browser/support/registry-fixture.js';
import type { RegistryServer } from '../browser/support/registry-server.js';
import { fromWire, maxAbsDiff, randomFloat32, toWire, type NodeTensor, type WireTensor } from '../browser/support/tensors.js';
import type { EnginePage } from './drivers/index.js';

export const VAD = 'models/silero_vad_v5.onnx';
export const CHUNK = 256 * 1024;
const VAD_BYTES = statSync(VAD).size;
const modelPath = (version: string) => `models/vad/${version}/model.onnx`;

export interface Context {
  page: EnginePage;
  fx: RegistryFixture;
  server: RegistryServer;
  /** The loopback OTLP receiver of the telemetry scenarios. */
  receiver?: OtlpReceiver;
}

interface LoadResult {
  ok: boolean;
  info?: { version: string; backend: string; cached: boolean; backendInfo: { attempts: Array<{ backend: string; ok?: boolean }> } };
  error?: { name: string; code?: string; message: string; details?: Record<string, unknown> };
}

export async function openHarness({ page, server }: Context, isolated = true): Promise<void> {
  await page.goto(`${server.origin}/test/browser/pages/harness.html${isolated ? '' : '?isolated=0'}`);
  await page.evaluate(async () => {
    for (let i = 0; i < 600 && !(window as any).harnessReady; i++) await new Promise((r) => setTimeout(r, 50));
    if (!(window as any).harnessReady) throw new Error('harness did not start');
  }, null);
}

/** A new runtime `r` on the page (the previous one is closed); its cache persists. */
async function openRuntime({ page, fx }: Context, backend = 'wasm'): Promise<void> {
  await page.evaluate(
    ([root, b]) =>
      (window as any).harness.openRuntime('r', {
        registryUrl: '/registry/',
        trustedRoot: root,
        backend: b,
        retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 50 },
      }),
    [fx.rootText, backend] as const,
  );
}

const load = (ctx: Context, name: string, options: Record<string, unknown> = {}) =>
  ctx.page.evaluate(([n, o]) => (window as any).harness.load('r', n, o), [name, options] as const) as Promise<LoadResult>;

function expectLoaded(result: LoadResult, version: string): void {
  assert.equal(result.error, undefined, JSON.stringify(result.error));
  assert.equal(result.info?.version, version);
}

function expectCode(result: LoadResult, code: string): void {
  assert.equal(result.ok, false, `expected ${code}, the load succeeded`);
  assert.equal(result.error?.name, 'OutpostError');
  assert.equal(result.error?.code, code, result.error?.message);
}

export const delivery: Record<string, (ctx: Context) => Promise<void>> = {
  async 'cold load verifies and stores; usage() reports a persistent cache'(ctx) {
    await openHarness(ctx);
    await openRuntime(ctx);
    const cold = await load(ctx, 'vad');
    expectLoaded(cold, '1.0.0');
    assert.equal(cold.info?.cached, true);
    assert.equal(ctx.server.sent.get(modelPath('1.0.0')), VAD_BYTES);
    const usage = await ctx.page.evaluate(() => (window as any).harness.cache('r', 'usage'), null);
    assert.equal(usage.value.persistent, true, JSON.stringify(usage.value));
    assert.ok(['blob', 'arraybuffer'].includes(usage.value.format), usage.value.format);
    assert.equal(usage.value.bytes, VAD_BYTES);
  },
  async 'warm load in a new runtime reads only the cache'(ctx) {
    await openRuntime(ctx);
    expectLoaded(await load(ctx, 'vad'), '1.0.0');
    assert.equal(ctx.server.sent.get(modelPath('1.0.0')) ?? 0, 0);
  },
  async 'an aborted download is ABORTED and the next load resumes'(ctx) {
    expectCode(await load(ctx, 'vad', { version: '1.1.0', abortAfterBytes: CHUNK * 3 }), 'ABORTED');
    ctx.server.reset();
    expectLoaded(await load(ctx, 'vad', { version: '1.1.0' }), '1.1.0');
    assert.ok((ctx.server.sent.get(modelPath('1.1.0')) ?? 0) < VAD_BYTES, 'resumed, not restarted');
  },
  async 'a tampered model byte is INTEGRITY_MISMATCH and the cached version still loads'(ctx) {
    const bytes = await ctx.fx.read(modelPath('1.2.0'));
    bytes[CHUNK * 2 + 9]! ^= 0x01;
    ctx.server.faults.overrides.set(modelPath('1.2.0'), bytes);
    const result = await load(ctx, 'vad', { version: '1.2.0' });
    expectCode(result, 'INTEGRITY_MISMATCH');
    assert.equal(result.error?.details?.chunk, 2);
    ctx.server.reset();
    expectLoaded(await load(ctx, 'vad', { version: '1.0.0' }), '1.0.0');
    assert.equal(ctx.server.sent.get(modelPath('1.0.0')) ?? 0, 0);
  },
  async 'offline: the cached version loads; an uncached model is DOWNLOAD_FAILED'(ctx) {
    ctx.server.faults.offline = true;
    await openRuntime(ctx);
    expectLoaded(await load(ctx, 'vad', { version: '1.0.0' }), '1.0.0');
    expectCode(await load(ctx, 'tiny'), 'DOWNLOAD_FAILED');
  },
};

type EngineRun = { ok: boolean; backend?: string; outputs?: Record<string, WireTensor>; error?: any; isOutpostError?: boolean };

const engineLoad = (ctx: Context, url: string, options: Record<string, unknown>) =>
  ctx.page.evaluate(([u, o]) => (window as any).harness.engineLoad('e', u, o), [url, options] as const) as Promise<any>;
const engineRun = (ctx: Context, feeds: unknown) =>
  ctx.page.evaluate((f) => (window as any).harness.engineRun('e', f), feeds) as Promise<EngineRun>;
const affine = (values: number[]) => ({ x: toWire({ type: 'float32', dims: [1, values.length], data: Float32Array.from(values) }) });

function vadFeeds(seed: number): Record<string, NodeTensor> {
  return {
    input: randomFloat32([1, 512], seed, 0.5),
    state: randomFloat32([2, 1, 128], seed + 1, 0.1),
    sr: { type: 'int64', dims: [], data: BigInt64Array.of(16000n) },
  };
}

export const execution: Record<string, (ctx: Context) => Promise<void>> = {
  async 'Silero VAD on WASM equals onnxruntime-node'(ctx) {
    await openHarness(ctx);
    const feeds = [vadFeeds(1), vadFeeds(42)];
    const expected = await oracleRun(VAD, feeds);
    const wire = feeds.map((set) => Object.fromEntries(Object.entries(set).map(([k, v]) => [k, toWire(v)])));
    const result = await ctx.page.evaluate(([f]) => (window as any).harness.runModel('/models/silero_vad_v5.onnx', 'wasm', f), [wire] as const) as any;
    assert.equal(result.error, undefined, JSON.stringify(result.error));
    expected.forEach((outputs, i) => {
      for (const [name, want] of Object.entries(outputs)) {
        const got = fromWire(result.results[i][name]);
        assert.deepEqual(got.dims, want.dims);
        assert.ok(maxAbsDiff(got, want) <= 1e-4, `${name}: max abs diff ${maxAbsDiff(got, want)}`);
      }
    });
  },
  async 'feeds that do not match are INVALID_INPUT naming the input'(ctx) {
    const loaded = await engineLoad(ctx, '/models/tiny_affine.onnx', { backend: 'wasm' });
    assert.equal(loaded.ok, true, JSON.stringify(loaded.error));
    const wrong = { x: toWire({ type: 'int32', dims: [1, 4], data: new Int32Array(4) }) };
    const result = await engineRun(ctx, wrong);
    assert.equal(result.ok, false);
    assert.equal(result.isOutpostError, true);
    assert.equal(result.error.code, 'INVALID_INPUT');
    assert.equal(result.error.details.input, 'x');
    assert.equal(result.error.details.reason, 'dtype-mismatch');
  },
  async 'a crashed worker rejects with WORKER_CRASHED and the next run recovers'(ctx) {
    await ctx.page.evaluate(() => (window as any).harness.openEngines.get('e').simulate('crash'), null);
    const crashed = await engineRun(ctx, affine([1, 2, 3, 4]));
    assert.equal(crashed.ok, false);
    assert.equal(crashed.error.code, 'WORKER_CRASHED');
    const again = await engineRun(ctx, affine([1, 2, 3, 4]));
    assert.equal(again.ok, true, JSON.stringify(again.error));
    assert.deepEqual(Array.from(fromWire(again.outputs!.y!).data as Float32Array), [3, 5, 7, 9]);
  },
  async "'auto' runs where WebGPU is missing; a forced WebGPU is BACKEND_UNAVAILABLE listing why"(ctx) {
    const env = await ctx.page.evaluate(async () => {
      const engine = (window as any).harness.internal.openBytesEngine();
      try {
        return await engine.environment();
      } finally {
        engine.close();
      }
    }, null);
    const auto = await ctx.page.evaluate(() => (window as any).harness.runModel('/models/tiny_affine.onnx', 'auto', []), null) as any;
    assert.equal(auto.ok, true, JSON.stringify(auto.error));
    if (env.webgpu.available) return;
    assert.equal(auto.info.backend, 'wasm');
    const forced = await ctx.page.evaluate(() => (window as any).harness.runModel('/models/tiny_affine.onnx', 'webgpu', []), null) as any;
    assert.equal(forced.ok, false);
    assert.equal(forced.error.code, 'BACKEND_UNAVAILABLE');
    assert.equal(forced.error.details.attempts[0].backend, 'webgpu');
  },
  async 'without cross-origin isolation runs take the message path and still match'(ctx) {
    await openHarness(ctx, false);
    const loaded = await engineLoad(ctx, '/models/tiny_affine.onnx', { backend: 'wasm' });
    assert.equal(loaded.ok, true, JSON.stringify(loaded.error));
    const result = await engineRun(ctx, affine([0, 1, 2, 3]));
    assert.equal(result.ok, true, JSON.stringify(result.error));
    assert.deepEqual(Array.from(fromWire(result.outputs!.y!).data as Float32Array), [1, 3, 5, 7]);
  },
};

/** A runtime `t` with telemetry to the receiver and model `m` (`name`) loaded; `runs` runs of x = [i, i + 0.5, -i, 2]. */
async function telemetryRuns(ctx: Context, name: string, runs: number): Promise<void> {
  const receiver = ctx.receiver;
  assert.ok(receiver, 'the telemetry scenarios need a receiver');
  await openHarness(ctx);
  const result = await ctx.page.evaluate(
    async ([root, endpoint, n, model]) => {
      const w = window as any;
      w.t?.close();
      w.t = w.harness.outpost.createRuntime({
        registryUrl: '/registry/',
        trustedRoot: root,
        backend: 'wasm',
        storage: { dbName: `engines-telemetry-${Math.random().toString(36).slice(2)}` },
        telemetry: { endpoint, intervalMs: 3_600_000 },
      });
      try {
        w.m = await w.t.load(model);
        for (let i = 0; i < n; i++) await w.m.run({ x: { type: 'float32', dims: [1, 4], data: new Float32Array([i, i + 0.5, -i, 2]) } });
        await w.t.flush();
        return 'ok';
      } catch (error) {
        return `${(error as any)?.code ?? ''} ${String((error as Error)?.message ?? error)}`;
      }
    },
    [ctx.fx.rootText, receiver.endpoint, runs, name] as const,
  );
  assert.equal(result, 'ok');
}

const delivered = (receiver: OtlpReceiver, path: string) => receiver.delivered().filter((request) => request.path === path);

export const telemetry: Record<string, (ctx: Context) => Promise<void>> = {
  async 'runs and a flush reach an OTLP receiver as decodable DELTA histograms with exact counts'(ctx) {
    await telemetryRuns(ctx, 'tiny', 25);
    const receiver = ctx.receiver!;
    const points = delivered(receiver, '/v1/metrics').flatMap((request) => checkMetricsPayload(request.body));
    const runs = points.filter((p) => p.metric === 'outpost.inference.duration');
    assert.deepEqual(runs.map((p) => p.count), [25]);
    assert.deepEqual(runs[0]?.attributes, { 'model.name': 'tiny', 'model.version': '1.0.0', 'outpost.backend': 'wasm' });
    const phases = points.filter((p) => p.metric === 'outpost.load.duration').map((p) => p.attributes['outpost.load.phase']);
    assert.ok(phases.includes('metadata') && phases.includes('compile'), phases.join(','));
    for (const request of receiver.requests) assert.match(request.key ?? '', /^[0-9a-f-]{16,}$/);
    // No manifest opt-in: no log request at all.
    assert.equal(receiver.requests.filter((r) => r.path === '/v1/logs').length, 0);
  },
  async 'a model opted in to sampled inputs sends each run as an OTLP log with its exact values'(ctx) {
    await telemetryRuns(ctx, 'tiny-sampled', 3);
    const samples = delivered(ctx.receiver!, '/v1/logs').flatMap((request) => checkLogsPayload(request.body));
    assert.deepEqual(
      samples.map((s) => s.inputs.x?.values),
      [0, 1, 2].map((i) => Array.from(new Float32Array([i, i + 0.5, -i, 2]))),
    );
    assert.deepEqual(samples[0]?.attributes, { 'event.name': 'outpost.input.sample', 'model.name': 'tiny-sampled', 'model.version': '1.0.0', 'outpost.backend': 'wasm' });
  },
};

/** What the engine offers and what Outpost picks, for the README's engine table. */
export async function measureFeatures(ctx: Context): Promise<Record<string, unknown>> {
  await openHarness(ctx);
  await openRuntime(ctx);
  expectLoaded(await load(ctx, 'tiny'), '1.0.0');
  const usage = await ctx.page.evaluate(() => (window as any).harness.cache('r', 'usage'), null);
  const features = await ctx.page.evaluate(async () => {
    const engine = (window as any).harness.internal.openBytesEngine();
    try {
      const env = await engine.environment();
      return {
        crossOriginIsolated,
        webgpu: env.webgpu.available ? `yes (${env.webgpu.description})` : `no (${env.webgpu.reason})`,
        wasmThreads: env.threads,
        simd: env.simd,
        sharedChannel: crossOriginIsolated && typeof SharedArrayBuffer === 'function' && typeof (Atomics as any).waitAsync === 'function',
        atomicsWaitAsync: typeof (Atomics as any).waitAsync === 'function',
        webLocks: typeof navigator.locks?.request === 'function',
        storagePersist: typeof navigator.storage?.persist === 'function',
        persisted: await navigator.storage?.persisted?.().catch(() => null),
        quota: (await navigator.storage?.estimate?.().catch(() => undefined))?.quota ?? null,
      };
    } finally {
      engine.close();
    }
  }, null);
  return { ...features, cache: usage.value };
}

/** Any page (the demo): opened, given time to run its start-up, and no page errors. */
export async function expectNoPageErrors(ctx: Context, path: string): Promise<void> {
  await ctx.page.goto(`${ctx.server.origin}${path}`);
  // The page says it is ready once its module ran to the end: an error while the module
  // loads comes before the error trap exists, so readiness is what shows it.
  const ready = await ctx.page.evaluate(async () => {
    for (let i = 0; i < 600 && document.body.dataset.ready !== 'true'; i++) await new Promise((r) => setTimeout(r, 100));
    if (document.body.dataset.ready === 'true') return 'ready';
    // Imported again, the module shows its evaluation error.
    const script = document.querySelector<HTMLScriptElement>('script[type=module][src]');
    return script ? import(`${script.src}?again`).then(() => 'not ready, though its module loads', (e: Error) => `not ready: ${String(e.stack ?? e)}`) : 'not ready';
  }, null);
  assert.equal(ready, 'ready');
  assert.deepEqual(await ctx.page.errors(), []);
}

/**
 * The operator dashboard served by a collector holding a few runs: loaded, its uPlot
 * charts drawn (latency, rates, load phases), and no page errors.
 */
export async function expectDashboardRenders(page: EnginePage, collectorUrl: string): Promise<void> {
  await page.goto(`${collectorUrl}/?range=1h&refresh=0`);
  const charts = await page.evaluate(async () => {
    for (let i = 0; i < 100 && document.body.dataset.loaded === undefined; i++) await new Promise((r) => setTimeout(r, 100));
    const script = document.querySelector<HTMLScriptElement>('script[type=module][src]');
    // Not loaded: imported again, the module shows its evaluation error (fired before the error trap existed).
    const failure = document.body.dataset.loaded !== undefined || !script ? undefined : await import(`${script.src}?again`).then(() => 'loads', (e: Error) => String(e.stack ?? e));
    return {
      failure,
      loaded: document.body.dataset.loaded !== undefined,
      canvases: document.querySelectorAll('.uplot canvas').length,
      latency: document.querySelector('#latency')?.getAttribute('data-state') ?? null,
    };
  }, null);
  assert.deepEqual({ loaded: charts.loaded, latency: charts.latency }, { loaded: true, latency: 'data' }, `the dashboard did not load: ${charts.failure ?? ''}`);
  assert.ok(charts.canvases >= 3, `expected the latency, rates and load charts, found ${charts.canvases} canvases`);
  assert.deepEqual(await page.errors(), []);
}
