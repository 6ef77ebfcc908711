import { afterEach, describe, expect, it } from 'vitest';
import { quantiles } from '../../../src/collector/query/quantiles.js';
import { runRetention } from '../../../src/collector/retention.js';
import { openSqliteStore } from '../../../src/collector/store/sqlite.js';
import { main } from '../../../src/cli/main.js';
import { histogramPoint, JSON_HEADERS, metricsRequest, tempDir, testApp } from './otlp.js';
import { join } from 'node:path';

type TestApp = Awaited<ReturnType<typeof testApp>>;
let current: TestApp | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

describe('quantiles', () => {
  it('interpolates linearly inside the bucket', () => {
    const h = { bounds: [10, 20], buckets: [0, 10, 0], count: 10, sum: 150, min: null, max: null };
    expect(quantiles([h], [0.5, 0.9])).toEqual([15, 19]);
  });

  it('ends the last bucket at the recorded max and starts the first at min', () => {
    expect(quantiles([{ bounds: [10], buckets: [0, 4], count: 4, sum: 80, min: 12, max: 30 }], [0.5])).toEqual([21]);
    expect(quantiles([{ bounds: [10], buckets: [4, 0], count: 4, sum: 30, min: 6, max: 9 }], [0.5])).toEqual([7.5]);
  });

  it('combines histograms with different bounds', () => {
    const a = { bounds: [10], buckets: [10, 0], count: 10, sum: 50, min: 0, max: 10 };
    const b = { bounds: [20], buckets: [0, 10], count: 10, sum: 250, min: 20, max: 30 };
    expect(quantiles([a, b], [0.5])[0]).toBeCloseTo(10, 6);
    expect(quantiles([a, b], [0.75])[0]).toBeCloseTo(25, 6);
  });

  it('is NaN with no data', () => {
    expect(quantiles([], [0.5])[0]).toBeNaN();
  });
});

describe('GET /api/v1/latency', () => {
  it('answers the binding shape, filtered by model, backend and time', async () => {
    current = await testApp();
    const { app } = current;
    const time = Date.now() - 120_000;
    const points = [
      histogramPoint({ model: 'vad', backend: 'wasm', bounds: [10, 20], buckets: [0, 10, 0], time }),
      histogramPoint({ model: 'vad', backend: 'webgpu', bounds: [10, 20], buckets: [10, 0, 0], time }),
      histogramPoint({ model: 'det', backend: 'wasm', bounds: [10, 20], buckets: [0, 0, 5], time }),
    ];
    expect((await app.inject({ method: 'POST', url: '/v1/metrics', headers: JSON_HEADERS, payload: metricsRequest(points) })).statusCode).toBe(200);
    const all = await app.inject('/api/v1/latency');
    expect(all.statusCode).toBe(200);
    expect(all.json().rows).toHaveLength(3);
    const vad = await app.inject('/api/v1/latency?model=vad&backend=wasm');
    expect(vad.json()).toEqual({ rows: [{ model: 'vad', version: '1.0.0', backend: 'wasm', count: 10, p50: 15, p90: 19, p99: 19.9 }] });
    const later = await app.inject(`/api/v1/latency?from=${time + 60_000}`);
    expect(later.json()).toEqual({ rows: [] });
  });

  it.each(['from=yesterday', 'to=-1', 'from=10&to=5', 'modle=vad'])('answers 400 for %s', async (query) => {
    current = await testApp();
    const res = await current.app.inject(`/api/v1/latency?${query}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().reason).toBe('bad_query');
  });
});

describe('operations', () => {
  it('GET /healthz is 200 while the store writes and 503 once it cannot', async () => {
    current = await testApp();
    expect((await current.app.inject('/healthz')).statusCode).toBe(200);
    await current.store.close();
    expect((await current.app.inject('/healthz')).statusCode).toBe(503);
  });

  it('GET /metrics counts requests, points and rejections and exports device latency', async () => {
    current = await testApp();
    const { app } = current;
    await app.inject({ method: 'POST', url: '/v1/metrics', headers: JSON_HEADERS, payload: metricsRequest([histogramPoint({ bounds: [5, 10], buckets: [1, 2, 1] })]) });
    await app.inject({ method: 'POST', url: '/v1/metrics', headers: JSON_HEADERS, payload: '{' });
    const text = (await app.inject('/metrics')).body;
    expect(text).toContain('outpost_collector_requests_total{signal="metrics",status="200"} 1');
    expect(text).toContain('outpost_collector_requests_total{signal="metrics",status="400"} 1');
    expect(text).toContain('outpost_collector_points_total{signal="metrics",outcome="accepted"} 1');
    expect(text).toContain('outpost_collector_rejections_total{reason="malformed"} 1');
    expect(text).toContain('outpost_inference_duration_ms_bucket{model="vad",version="1.0.0",backend="wasm",le="5"} 1');
    expect(text).toContain('outpost_inference_duration_ms_bucket{model="vad",version="1.0.0",backend="wasm",le="10"} 3');
    expect(text).toContain('outpost_inference_duration_ms_count{model="vad",version="1.0.0",backend="wasm"} 4');
    expect(text).toContain('outpost_collector_store_write_seconds_count 1');
  });

  it('retention deletes old rollups in batches and keeps recent ones', async () => {
    const temp = tempDir();
    const store = openSqliteStore({ file: join(temp.dir, 'r.db') });
    const series = { metric: 'm', kind: 'sum' as const, model: '', version: '', backend: '', browser: 'other', bounds: [], attributes: {} };
    const now = Date.now();
    const old = Array.from({ length: 25 }, (_, i) => ({ series, minute: (Math.floor(now / 60_000) - 100_000 - i) * 60_000, count: 1, sum: 1, min: 1, max: 1, buckets: [] }));
    await store.write([{ rollups: [...old, { ...old[0]!, minute: Math.floor(now / 60_000) * 60_000 }], records: [] }]);
    const deleted = await runRetention(store, { retentionDays: 30, idempotencyTtlMs: 86_400_000, batch: 10 }, now);
    expect(deleted).toBe(25);
    expect((await store.stats()).rollups).toBe(1);
    await store.close();
    temp.remove();
  });

  it('outpost collector --help documents every flag', async () => {
    const out: string[] = [];
    expect(await main(['collector', '--help'], { out: (l) => out.push(l), err: () => {} })).toBe(0);
    for (const flag of ['--port', '--host', '--db', '--token', '--retention', '--rate-limit', '--cors-origin', '--body-limit', '--trust-proxy', '--durability', '--log-level']) {
      expect(out.join('\n')).toContain(flag);
    }
    expect(await main(['collector', '--port', 'x'], { out: () => {}, err: () => {} })).toBe(2);
  });
});
