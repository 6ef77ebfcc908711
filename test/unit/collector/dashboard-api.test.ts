import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DASHBOARD_MISSING } from '../../../src/collector/routes/dashboard.js';
import { CHROME, counterRequest, histogramPoint, JSON_HEADERS, kv, metricsRequest, tempDir, testApp } from './otlp.js';

type TestApp = Awaited<ReturnType<typeof testApp>>;
let current: TestApp | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

const MINUTE = 60_000;
// A fixed, minute-aligned past time, so buckets and ranges are exact.
const T0 = Math.floor((Date.now() - 30 * MINUTE) / MINUTE) * MINUTE;
const FIREFOX = [kv('service.name', 'shop'), kv('user_agent.original', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0')];

async function post(app: TestApp['app'], payload: unknown): Promise<void> {
  const res = await app.inject({ method: 'POST', url: '/v1/metrics', headers: JSON_HEADERS, payload: payload as object });
  expect(res.statusCode).toBe(200);
}

function counterAt(name: string, value: number, attributes: Array<ReturnType<typeof kv>>, time: number) {
  const request = counterRequest(name, value, attributes);
  request.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!.sum.dataPoints[0]!.timeUnixNano = String(BigInt(time) * 1_000_000n);
  return request;
}

describe('GET /api/v1/latency/series', () => {
  it('gives p50/p90/p99 per backend and step', async () => {
    current = await testApp();
    const { app } = current;
    await post(app, metricsRequest([
      histogramPoint({ backend: 'wasm', bounds: [10, 20], buckets: [0, 10, 0], time: T0 + 1000 }),
      histogramPoint({ backend: 'wasm', bounds: [10, 20], buckets: [10, 0, 0], time: T0 + 5 * MINUTE + 1000 }),
      histogramPoint({ backend: 'webgpu', bounds: [10, 20], buckets: [0, 0, 4], sum: 100, time: T0 + 1000 }),
    ]));
    const res = await app.inject(`/api/v1/latency/series?model=vad&from=${T0}&to=${T0 + 10 * MINUTE}&step=5`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.step).toBe(5 * MINUTE);
    expect(body.series.map((s: { backend: string }) => s.backend)).toEqual(['wasm', 'webgpu']);
    expect(body.series[0].points).toEqual([
      { t: T0, count: 10, p50: 15, p90: 19, p99: 19.9 },
      // First bucket starts at 0 when no min was recorded.
      { t: T0 + 5 * MINUTE, count: 10, p50: 5, p90: 9, p99: 9.9 },
    ]);
    expect(body.series[1].points).toHaveLength(1);
    expect(body.series[1].points[0].count).toBe(4);
  });

  it.each(['step=0', 'step=abc', `from=${T0}&to=${T0 + 2000 * MINUTE}&step=1`, 'from=5&to=1', 'browsr=chrome'])('answers 400 with a reason for %s', async (query) => {
    current = await testApp();
    const res = await current.app.inject(`/api/v1/latency/series?${query}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().reason).toBe('bad_query');
    expect(res.json().message).toMatch(/^(step|from|query): /);
  });
});

describe('GET /api/v1/latency/browsers', () => {
  it('splits by backend, browser family and major version', async () => {
    current = await testApp();
    const { app } = current;
    await post(app, metricsRequest([histogramPoint({ backend: 'wasm', bounds: [10, 20], buckets: [0, 10, 0], time: T0 })], 'outpost.inference.duration', CHROME));
    await post(app, metricsRequest([histogramPoint({ backend: 'wasm', bounds: [10, 20], buckets: [10, 0, 0], time: T0 })], 'outpost.inference.duration', FIREFOX));
    await post(app, metricsRequest([histogramPoint({ backend: 'webgpu', bounds: [10, 20], buckets: [0, 0, 2], sum: 50, time: T0 })], 'outpost.inference.duration', CHROME));
    const res = await app.inject('/api/v1/latency/browsers?model=vad');
    expect(res.statusCode).toBe(200);
    expect(res.json().rows.map((r: Record<string, unknown>) => [r.backend, r.browser, r.browserVersion, r.count, r.p50])).toEqual([
      ['wasm', 'chrome', '120', 10, 15],
      ['wasm', 'firefox', '128', 10, 5],
      ['webgpu', 'chrome', '120', 2, expect.any(Number)],
    ]);
    expect((await app.inject('/api/v1/latency/browsers?backend=wasm')).statusCode).toBe(400);
  });
});

describe('GET /api/v1/rates', () => {
  it('gives error rates per version with codes, and fallbacks per load', async () => {
    current = await testApp();
    const { app } = current;
    // 30 runs of 1.0.0, 10 of 2.0.0.
    await post(app, metricsRequest([
      histogramPoint({ version: '1.0.0', bounds: [10], buckets: [30, 0], time: T0 }),
      histogramPoint({ version: '2.0.0', bounds: [10], buckets: [10, 0], time: T0 }),
    ]));
    const model = (version: string, code: string) => [kv('error.code', code), kv('model.name', 'vad'), kv('model.version', version)];
    await post(app, counterAt('outpost.errors', 6, model('1.0.0', 'INVALID_INPUT'), T0));
    await post(app, counterAt('outpost.errors', 4, model('1.0.0', 'RUN_FAILED'), T0 + MINUTE));
    await post(app, counterAt('outpost.backend.fallback', 1, [kv('outpost.backend.from', 'webgpu'), kv('outpost.backend.to', 'wasm'), kv('outpost.fallback.reason', 'no-adapter')], T0));
    // 4 loads (their metadata phase), cold and warm.
    await post(app, metricsRequest([
      histogramPoint({ bounds: [50], buckets: [2, 0], sum: 40, time: T0, extra: [kv('outpost.load.phase', 'metadata'), kv('outpost.load.cache', 'miss')] }),
      histogramPoint({ bounds: [50], buckets: [2, 0], sum: 10, time: T0, extra: [kv('outpost.load.phase', 'metadata'), kv('outpost.load.cache', 'hit')] }),
    ], 'outpost.load.duration'));

    const res = await app.inject(`/api/v1/rates?from=${T0}&to=${T0 + 10 * MINUTE}&step=10`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.rows).toEqual([
      { model: 'vad', version: '1.0.0', runs: 30, errors: 10, errorRate: 0.25, codes: [{ code: 'INVALID_INPUT', count: 6 }, { code: 'RUN_FAILED', count: 4 }] },
      { model: 'vad', version: '2.0.0', runs: 10, errors: 0, errorRate: 0, codes: [] },
    ]);
    expect(body.fallbacks).toEqual({ loads: 4, count: 1, rate: 0.25, rows: [{ from: 'webgpu', to: 'wasm', reason: 'no-adapter', count: 1 }] });
    expect(body.points).toEqual([{ t: T0, runs: 40, errors: 10, fallbacks: 1 }]);
    const one = (await app.inject(`/api/v1/rates?version=2.0.0&from=${T0}`)).json();
    expect(one.rows.map((r: { version: string }) => r.version)).toEqual(['2.0.0']);
  });

  it('answers 400 for a bad range', async () => {
    current = await testApp();
    const res = await current.app.inject('/api/v1/rates?from=20&to=10');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ reason: 'bad_query', message: 'from: from must not be after to' });
  });
});

describe('GET /api/v1/load', () => {
  it('gives phase durations for cold (miss) and warm (hit) loads in load order', async () => {
    current = await testApp();
    const { app } = current;
    const phase = (name: string, cache: string, buckets: number[], sum: number) =>
      histogramPoint({ bounds: [10, 100], buckets, sum, time: T0, extra: [kv('outpost.load.phase', name), kv('outpost.load.cache', cache)] });
    await post(app, metricsRequest([
      phase('compile', 'miss', [0, 2, 0], 100),
      phase('download', 'miss', [0, 0, 2], 600),
      phase('metadata', 'miss', [2, 0, 0], 10),
      phase('metadata', 'hit', [2, 0, 0], 4),
      phase('compile', 'hit', [0, 2, 0], 80),
    ], 'outpost.load.duration'));
    const res = await app.inject('/api/v1/load?model=vad');
    expect(res.statusCode).toBe(200);
    expect(res.json().rows.map((r: Record<string, unknown>) => [r.start, r.phase, r.cache, r.count, r.mean])).toEqual([
      ['cold', 'metadata', 'miss', 2, 5],
      ['cold', 'download', 'miss', 2, 300],
      ['cold', 'compile', 'miss', 2, 50],
      ['warm', 'metadata', 'hit', 2, 2],
      ['warm', 'compile', 'hit', 2, 40],
    ]);
    expect((await app.inject('/api/v1/load?phase=compile')).statusCode).toBe(400);
  });
});

describe('GET /api/v1/models', () => {
  it('lists model versions that sent anything, with their runs', async () => {
    current = await testApp();
    const { app } = current;
    await post(app, metricsRequest([histogramPoint({ version: '1.0.0', bounds: [10], buckets: [3, 0], time: T0 })]));
    await post(app, counterAt('outpost.errors', 1, [kv('error.code', 'X'), kv('model.name', 'det'), kv('model.version', '0.1.0')], T0 + MINUTE));
    const body = (await app.inject('/api/v1/models')).json();
    expect(body.models).toEqual([
      { model: 'det', version: '0.1.0', runs: 0, firstMinute: T0 + MINUTE, lastMinute: T0 + MINUTE },
      { model: 'vad', version: '1.0.0', runs: 3, firstMinute: T0, lastMinute: T0 },
    ]);
  });
});

describe('GET / (dashboard)', () => {
  it('serves the built page and its assets, and nothing outside the folder', async () => {
    const site = tempDir();
    try {
      mkdirSync(join(site.dir, 'assets'));
      writeFileSync(join(site.dir, 'index.html'), '<!doctype html><title>Outpost operator view</title>');
      writeFileSync(join(site.dir, 'assets', 'main-abc.js'), 'console.log(1)');
      current = await testApp({ dashboardDir: site.dir });
      const page = await current.app.inject('/');
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.body).toContain('Outpost operator view');
      const asset = await current.app.inject('/assets/main-abc.js');
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['cache-control']).toMatch(/immutable/);
      expect((await current.app.inject('/../package.json')).statusCode).toBe(404);
      expect((await current.app.inject('/assets/')).statusCode).toBe(404);
    } finally {
      site.remove();
    }
  });

  it('answers 503 saying what to run when the dashboard is not built', async () => {
    const empty = tempDir();
    try {
      current = await testApp({ dashboardDir: empty.dir });
      const res = await current.app.inject('/');
      expect(res.statusCode).toBe(503);
      expect(res.body).toBe(DASHBOARD_MISSING);
      expect(res.body).toContain('npm run build');
    } finally {
      empty.remove();
    }
  });
});
