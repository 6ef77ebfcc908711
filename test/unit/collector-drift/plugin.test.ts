import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCollectorApp } from '../../../src/collector/app.js';
import { driftPlugin } from '../../../src/collector/drift/plugin.js';
import { ReferenceBook } from '../../../src/collector/drift/references.js';
import { registryReader } from '../../../src/collector/drift/registry-source.js';
import { openSqliteStore } from '../../../src/collector/store/sqlite.js';
import { binIndex } from '../../../src/registry/reference.js';
import { makeKeys, MODEL, ok, readPayload, removeTempDirs, tempDir } from '../cli/harness.js';
import { normalSample, seededRandom } from '../drift/random.js';

afterAll(removeTempDirs);

const FEATURE = 'input.input.mean';

function driftPayload(version: string, edges: number[], values: number[], time: number) {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const value of values) counts[binIndex(edges, value)]! += 1;
  const nanos = (ms: number) => `${BigInt(ms) * 1_000_000n}`;
  const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });
  return {
    resourceMetrics: [
      {
        resource: { attributes: [attr('service.name', 'test'), attr('telemetry.sdk.name', 'outpost')] },
        scopeMetrics: [
          {
            scope: { name: 'outpost' },
            metrics: [
              {
                name: 'outpost.drift.feature',
                unit: '1',
                histogram: {
                  aggregationTemporality: 1,
                  dataPoints: [
                    {
                      attributes: [attr('outpost.drift.feature', FEATURE), attr('model.name', 'vad'), attr('model.version', version)],
                      startTimeUnixNano: nanos(time - 30_000),
                      timeUnixNano: nanos(time),
                      count: `${values.length}`,
                      sum: values.reduce((a, b) => a + b, 0),
                      bucketCounts: counts.map(String),
                      explicitBounds: edges,
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

describe('drift plugin on the collector', () => {
  let app: FastifyInstance;
  let edges: number[];

  beforeAll(async () => {
    const base = await tempDir();
    const keys = join(base, 'keys');
    const registry = join(base, 'registry');
    await makeKeys(keys, 'root', 'targets');
    const targets = join(keys, 'targets.private.json');
    await ok('init', registry, '--root-key', join(keys, 'root.private.json'), '--targets-key', join(keys, 'targets.public.json'));
    const random = seededRandom(99);
    const samples = join(base, 'samples.json');
    await writeFile(samples, JSON.stringify({ features: { [FEATURE]: normalSample(random, 40) } }));
    for (const version of ['1.0.0', '1.1.0']) {
      await ok('publish', registry, MODEL, '--name', 'vad', '--version', version, '--key', targets, '--reference', samples);
    }
    await ok('publish', registry, MODEL, '--name', 'vad', '--version', '2.0.0', '--key', targets);
    edges = (await readPayload(join(registry, 'models/vad/1.0.0/manifest.json'))).reference.features[0].edges;

    const references = new ReferenceBook(registryReader(registry), await readFile(join(registry, 'root.json')));
    app = await buildCollectorApp({
      store: openSqliteStore({ file: ':memory:' }),
      processMetrics: false,
      retentionIntervalMs: 0,
      plugins: [driftPlugin({ references, intervalMs: 50 })],
    });
    await app.ready();
    const now = Date.now();
    const post = async (payload: unknown) => {
      const response = await app.inject({ method: 'POST', url: '/v1/metrics', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
      expect(response.statusCode).toBe(200);
    };
    await post(driftPayload('1.0.0', edges, normalSample(random, 400), now));
    await post(driftPayload('1.1.0', edges, normalSample(random, 400, 1.5), now));
    // Another client binned on other edges: refused and counted, never summed in.
    await post(driftPayload('1.0.0', edges.map((edge) => edge + 0.01), normalSample(random, 100, 3), now));
  });

  afterAll(async () => app?.close());

  it('scores each version against its reference: ok for the same inputs, alert for shifted ones', async () => {
    const response = await app.inject('/api/v1/drift');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    const rows = Object.fromEntries(body.rows.map((row: { version: string }) => [row.version, row]));
    expect(rows['1.0.0']).toMatchObject({ model: 'vad', feature: FEATURE, count: 400, status: 'ok', rejected: { histograms: 1, observations: 100 } });
    expect(rows['1.1.0']).toMatchObject({ model: 'vad', feature: FEATURE, count: 400, status: 'alert' });
    expect(rows['1.1.0'].psi).toBeGreaterThan(0.25);
    expect(typeof rows['1.0.0'].js).toBe('number');
    expect(body.noReference).toEqual([{ model: 'vad', version: '2.0.0' }]);
    const one = (await app.inject('/api/v1/drift?model=vad&version=1.1.0')).json();
    expect(one.rows.map((row: { version: string }) => row.version)).toEqual(['1.1.0']);
  });

  it('answers bad query parameters with 400', async () => {
    expect((await app.inject('/api/v1/drift?version=latest')).statusCode).toBe(400);
    expect((await app.inject('/api/v1/drift?window=0')).statusCode).toBe(400);
    expect((await app.inject('/api/v1/drift?colour=red')).statusCode).toBe(400);
    expect((await app.inject('/api/v1/alerts?x=1')).statusCode).toBe(400);
  });

  it('opens an alert for the shifted version and exports the PSI gauges', async () => {
    let alerts: Array<{ version: string; feature: string; psi: number; since: number }> = [];
    for (let i = 0; i < 400 && alerts.length === 0; i++) {
      alerts = (await app.inject('/api/v1/alerts')).json().alerts;
      if (alerts.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ model: 'vad', version: '1.1.0', feature: FEATURE });
    expect(alerts[0]!.psi).toBeGreaterThan(0.25);
    expect(alerts[0]!.since).toBeGreaterThan(0);
    // The gauges read the monitor's last report, which may predate the last request.
    const rejectedGauge = /outpost_drift_rejected_histograms\{model="vad",version="1\.0\.0",feature="input\.input\.mean"\} 1/;
    let metrics = '';
    for (let i = 0; i < 400; i++) {
      metrics = (await app.inject('/metrics')).body;
      if (rejectedGauge.test(metrics)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(metrics).toMatch(new RegExp(`outpost_drift_psi\\{model="vad",version="1.1.0",feature="${FEATURE.replace(/\./g, '\\.')}"\\} \\d`));
    expect(metrics).toMatch(/outpost_drift_alert\{model="vad",version="1\.1\.0",feature="input\.input\.mean"\} 1/);
    expect(metrics).toMatch(/outpost_drift_rejected_histograms\{model="vad",version="1\.0\.0",feature="input\.input\.mean"\} 1/);
  });

  it('draws history: reference vs live bins and PSI over time that ends at the current verdict', async () => {
    const drift = (await app.inject('/api/v1/drift?model=vad&version=1.1.0')).json().rows[0];
    const now = Date.now();
    const response = await app.inject(`/api/v1/drift/history?model=vad&version=1.1.0&from=${now - 30 * 60_000}&to=${now}&step=10`);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ model: 'vad', version: '1.1.0', reference: 'reference', step: 600_000 });
    expect(body.features).toHaveLength(1);
    const [feature] = body.features;
    expect(feature.feature).toBe(FEATURE);
    expect(feature.edges).toEqual(edges);
    expect(feature.reference.reduce((a: number, b: number) => a + b, 0)).toBe(40);
    expect(feature.live.reduce((a: number, b: number) => a + b, 0)).toBe(400);
    expect(feature.points.length).toBeGreaterThanOrEqual(3);
    const last = feature.points.at(-1);
    expect(last).toMatchObject({ count: 400, status: 'alert' });
    expect(last.psi).toBeCloseTo(drift.psi, 9);
    // Before the data arrived the window held nothing.
    expect(feature.points[0]).toMatchObject({ count: 0, status: 'insufficient', psi: null });
  });

  it('says "no reference" in history for a version without one, and 400s bad parameters', async () => {
    const none = (await app.inject('/api/v1/drift/history?model=vad&version=2.0.0')).json();
    expect(none).toMatchObject({ reference: 'no-reference', features: [] });
    expect((await app.inject('/api/v1/drift/history?model=vad&version=9.9.9')).json().reference).toBe('unknown-version');
    for (const query of ['model=vad', 'model=vad&version=1.0.0&step=0', 'model=vad&version=1.0.0&from=9&to=1', 'model=vad&version=1.0.0&x=1']) {
      const res = await app.inject(`/api/v1/drift/history?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().issues.length).toBeGreaterThan(0);
    }
  });
});
