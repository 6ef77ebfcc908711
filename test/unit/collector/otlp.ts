/** OTLP request builders and a temp-dir store for the collector tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCollectorApp } from '../../../src/collector/app.js';
import type { CollectorOptions } from '../../../src/collector/options.js';
import { openSqliteStore } from '../../../src/collector/store/sqlite.js';

export const nowNanos = (ms = Date.now()) => String(BigInt(ms) * 1_000_000n);

export function kv(key: string, value: string) {
  return { key, value: { stringValue: value } };
}

export const CHROME = [kv('service.name', 'shop'), { key: 'browser.brands', value: { arrayValue: { values: [{ stringValue: 'Not_A Brand 8' }, { stringValue: 'Google Chrome 120' }] } } }];

export interface HistogramPointInput {
  model?: string;
  version?: string;
  backend?: string;
  bounds?: number[];
  buckets?: number[];
  sum?: number;
  time?: number;
  extra?: Array<ReturnType<typeof kv>>;
}

export function histogramPoint(p: HistogramPointInput = {}) {
  const buckets = p.buckets ?? [1, 2, 1];
  return {
    attributes: [kv('model.name', p.model ?? 'vad'), kv('model.version', p.version ?? '1.0.0'), kv('outpost.backend', p.backend ?? 'wasm'), ...(p.extra ?? [])],
    startTimeUnixNano: nowNanos((p.time ?? Date.now()) - 10_000),
    timeUnixNano: nowNanos(p.time),
    count: String(buckets.reduce((a, b) => a + b, 0)),
    sum: p.sum ?? 40,
    bucketCounts: buckets.map(String),
    explicitBounds: p.bounds ?? [5, 10],
  };
}

export function metricsRequest(points: ReturnType<typeof histogramPoint>[], name = 'outpost.inference.duration', resource = CHROME) {
  return {
    resourceMetrics: [
      {
        resource: { attributes: resource },
        scopeMetrics: [{ scope: { name: 'outpost' }, metrics: [{ name, unit: 'ms', histogram: { aggregationTemporality: 1, dataPoints: points } }] }],
      },
    ],
  };
}

export function counterRequest(name: string, value: number | string, attributes = [kv('error.code', 'INVALID_INPUT')]) {
  return {
    resourceMetrics: [
      {
        resource: { attributes: CHROME },
        scopeMetrics: [{ metrics: [{ name, sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ attributes, timeUnixNano: nowNanos(), asInt: String(value) }] } }] }],
      },
    ],
  };
}

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-collector-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An app on a real SQLite file in a temp dir. */
export async function testApp(options: Partial<CollectorOptions> = {}) {
  const temp = tempDir();
  const file = join(temp.dir, 'collector.db');
  const store = openSqliteStore({ file });
  const app = await buildCollectorApp({ processMetrics: false, retentionIntervalMs: 0, ...options, store });
  return {
    app,
    store,
    file,
    async close() {
      await app.close();
      temp.remove();
    },
  };
}

export const JSON_HEADERS = { 'content-type': 'application/json' };
