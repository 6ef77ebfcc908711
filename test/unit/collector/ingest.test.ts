import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeProtobufResponse, encodeProtobufRequest } from '../../../src/collector/receiver/protobuf.js';
import { counterRequest, histogramPoint, JSON_HEADERS, kv, metricsRequest, testApp } from './otlp.js';

type TestApp = Awaited<ReturnType<typeof testApp>>;
let current: TestApp | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});
async function open(options: Parameters<typeof testApp>[0] = {}) {
  current = await testApp(options);
  return current;
}

describe('POST /v1/metrics', () => {
  it('adds histogram points of one series and minute into one rollup', async () => {
    const { app, store } = await open();
    const time = Date.now();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/metrics',
      headers: JSON_HEADERS,
      payload: metricsRequest([histogramPoint({ time, buckets: [1, 2, 1] }), histogramPoint({ time, buckets: [0, 1, 3], sum: 60 })]),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({});
    const rows = await store.rollups({ metric: 'outpost.inference.duration' });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ count: 8, sum: 100, buckets: [1, 3, 4], series: { model: 'vad', version: '1.0.0', backend: 'wasm', browser: 'chrome', bounds: [5, 10] } });
    expect(rows[0]?.minute).toBe(time - (time % 60_000));
  });

  it('keeps drift feature histograms with their bounds, buckets and attributes', async () => {
    const { app, store } = await open();
    const point = histogramPoint({ bounds: [-1, 0, 1], buckets: [2, 3, 4, 1], extra: [kv('outpost.drift.feature', 'input.mean')] });
    const res = await app.inject({ method: 'POST', url: '/v1/metrics', headers: JSON_HEADERS, payload: metricsRequest([point], 'outpost.drift.feature') });
    expect(res.statusCode).toBe(200);
    const [total] = await store.totals({ metric: 'outpost.drift.feature', attributes: { 'outpost.drift.feature': 'input.mean' } });
    expect(total).toMatchObject({ count: 10, buckets: [2, 3, 4, 1], series: { bounds: [-1, 0, 1], model: 'vad', attributes: { 'outpost.drift.feature': 'input.mean' } } });
  });

  it('takes protobuf and answers in protobuf, with gzip', async () => {
    const { app, store } = await open();
    const bytes = encodeProtobufRequest('metrics', metricsRequest([histogramPoint()]));
    const res = await app.inject({
      method: 'POST',
      url: '/v1/metrics',
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
      payload: gzipSync(bytes),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/x-protobuf');
    expect(decodeProtobufResponse('metrics', res.rawPayload)).toEqual({});
    expect((await store.totals({}))[0]).toMatchObject({ count: 4, buckets: [1, 2, 1] });
  });

  it('answers partial success for cumulative points and stores the rest', async () => {
    const { app, store } = await open();
    const request = metricsRequest([histogramPoint()]);
    const scope = request.resourceMetrics[0]!.scopeMetrics[0]!;
    (scope.metrics as unknown[]).push({ name: 'outpost.load.duration', histogram: { aggregationTemporality: 2, dataPoints: [histogramPoint(), histogramPoint()] } });
    const res = await app.inject({ method: 'POST', url: '/v1/metrics', headers: JSON_HEADERS, payload: request });
    expect(res.statusCode).toBe(200);
    expect(res.json().partialSuccess).toMatchObject({ rejectedDataPoints: '2' });
    expect(res.json().partialSuccess.errorMessage).toContain('cumulative');
    expect((await store.stats()).rollups).toBe(1);
  });

  it('counts a repeated Idempotency-Key once', async () => {
    const { app, store } = await open();
    const send = () =>
      app.inject({ method: 'POST', url: '/v1/metrics', headers: { ...JSON_HEADERS, 'idempotency-key': 'batch-1' }, payload: counterRequest('outpost.errors', '3') });
    expect((await send()).statusCode).toBe(200);
    expect((await send()).statusCode).toBe(200);
    const [both] = await Promise.all([send(), send()]);
    expect(both.statusCode).toBe(200);
    expect((await store.totals({ metric: 'outpost.errors' }))[0]).toMatchObject({ count: 1, sum: 3 });
  });

  it.each([
    ['malformed JSON', '{"resourceMetrics": [', 'malformed'],
    ['a wrong type', JSON.stringify({ resourceMetrics: 'no' }), 'invalid'],
    ['mismatched bucket counts', JSON.stringify(metricsRequest([{ ...histogramPoint(), bucketCounts: ['1', '2'] }])), 'invalid'],
    ['a count that is not the bucket total', JSON.stringify(metricsRequest([{ ...histogramPoint(), count: '99' }])), 'invalid'],
    ['NaN as a string', JSON.stringify(metricsRequest([{ ...histogramPoint(), sum: 'NaN' as unknown as number }])), 'invalid'],
    ['a negative count', JSON.stringify(metricsRequest([{ ...histogramPoint(), count: '-4' }])), 'invalid'],
  ])('answers 400 for %s and writes nothing', async (_name, payload, reason) => {
    const { app, store } = await open();
    const res = await app.inject({ method: 'POST', url: '/v1/metrics', headers: JSON_HEADERS, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().reason).toBe(reason);
    expect(res.json().message).not.toBe('');
    expect(await store.stats()).toMatchObject({ series: 0, rollups: 0 });
  });

  it('answers 415 for other content types and encodings', async () => {
    const { app } = await open();
    const text = await app.inject({ method: 'POST', url: '/v1/metrics', headers: { 'content-type': 'text/plain' }, payload: 'x' });
    expect(text.statusCode).toBe(415);
    const br = await app.inject({ method: 'POST', url: '/v1/metrics', headers: { ...JSON_HEADERS, 'content-encoding': 'br' }, payload: '{}' });
    expect(br.statusCode).toBe(415);
  });

  it('answers 413 over the body limit and for a gzip bomb', async () => {
    const { app, store } = await open({ bodyLimit: 64 * 1024 });
    const big = await app.inject({ method: 'POST', url: '/v1/metrics', headers: JSON_HEADERS, payload: Buffer.alloc(65 * 1024, 32) });
    expect(big.statusCode).toBe(413);
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 32));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const res = await app.inject({ method: 'POST', url: '/v1/metrics', headers: { ...JSON_HEADERS, 'content-encoding': 'gzip' }, payload: bomb });
    expect(res.statusCode).toBe(413);
    expect(res.json().reason).toBe('too_large');
    expect((await store.stats()).rollups).toBe(0);
  });

  it('answers 400 for bad gzip', async () => {
    const { app } = await open();
    const res = await app.inject({ method: 'POST', url: '/v1/metrics', headers: { ...JSON_HEADERS, 'content-encoding': 'gzip' }, payload: Buffer.from('not gzip') });
    expect(res.statusCode).toBe(400);
    expect(res.json().reason).toBe('bad_encoding');
  });

  it('answers 401 without the configured token', async () => {
    const { app, store } = await open({ token: 's3cret' });
    const payload = metricsRequest([histogramPoint()]);
    expect((await app.inject({ method: 'POST', url: '/v1/metrics', headers: JSON_HEADERS, payload })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/v1/metrics', headers: { ...JSON_HEADERS, authorization: 'Bearer wrong' }, payload })).statusCode).toBe(401);
    expect((await store.stats()).rollups).toBe(0);
    expect((await app.inject({ method: 'POST', url: '/v1/metrics', headers: { ...JSON_HEADERS, authorization: 'Bearer s3cret' }, payload })).statusCode).toBe(200);
  });

  it('answers 429 with Retry-After past the rate limit', async () => {
    const { app } = await open({ rateLimit: 2 });
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 4; i++) {
      const res = await app.inject({ method: 'POST', url: '/v1/metrics', headers: JSON_HEADERS, payload: '{}' });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) retryAfter = String(res.headers['retry-after']);
    }
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it('answers CORS preflights for the configured origin only', async () => {
    const { app } = await open({ corsOrigins: ['https://app.example'], token: 't' });
    const preflight = (origin: string) =>
      app.inject({ method: 'OPTIONS', url: '/v1/metrics', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,idempotency-key' } });
    const ok = await preflight('https://app.example');
    expect(ok.statusCode).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(String(ok.headers['access-control-allow-headers']).toLowerCase()).toContain('idempotency-key');
    expect((await preflight('https://evil.example')).headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('POST /v1/logs', () => {
  it('stores records with capped bodies', async () => {
    const { app, store } = await open({ maxRecordBodyBytes: 32 });
    const request = {
      resourceLogs: [{ resource: { attributes: [kv('user_agent.original', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0')] }, scopeLogs: [{ logRecords: [{ severityText: 'INFO', body: { stringValue: 'x'.repeat(500) }, attributes: [kv('model.name', 'vad')] }] }] }],
    };
    const res = await app.inject({ method: 'POST', url: '/v1/logs', headers: JSON_HEADERS, payload: request });
    expect(res.statusCode).toBe(200);
    const [record] = await store.records({}, 10);
    expect(record).toMatchObject({ model: 'vad', browser: 'firefox', severity: 'INFO' });
    expect(record!.body.length).toBeLessThan(50);
  });
});
