/**
 * GET /api/v1/latency/series?model=&version=&backend=&browser=&from=&to=&step= →
 * `{ from, to, step, series: [{ backend, points: [{ t, count, p50, p90, p99 }] }] }`:
 * latency quantiles (ms) per backend over time, one point per step (minutes; chosen
 * for ~60 points when absent) that holds runs. Default range: the last 6 hours.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { quantiles } from '../query/quantiles.js';
import { autoStep, bucketOf, checkRange, epochMs, label, parseQuery, stepMinutes, timeRange } from '../query/params.js';
import type { RollupRow } from '../store/types.js';

export const DEFAULT_SPAN_MS = 6 * 3_600_000;

export const latencySeriesQuerySchema = z
  .strictObject({
    model: label.optional(),
    version: label.optional(),
    backend: label.optional(),
    browser: label.optional(),
    from: epochMs.optional(),
    to: epochMs.optional(),
    step: stepMinutes.optional(),
  })
  .superRefine(checkRange);

export interface LatencyPoint {
  /** Bucket start, epoch ms. */
  t: number;
  count: number;
  p50: number;
  p90: number;
  p99: number;
}

export interface LatencySeries {
  backend: string;
  points: LatencyPoint[];
}

/** Milliseconds to microseconds precision. */
export function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** p50/p90/p99 of rollup rows added together. */
export function latencyQuantiles(rows: readonly RollupRow[]): { count: number; p50: number; p90: number; p99: number } {
  const count = rows.reduce((n, r) => n + r.count, 0);
  const [p50, p90, p99] = quantiles(rows.map((r) => ({ ...r, bounds: r.series.bounds })), [0.5, 0.9, 0.99]) as [number, number, number];
  return { count, p50: round(p50), p90: round(p90), p99: round(p99) };
}

/**
 * Rows grouped by backend and bucket.
 *
 * @example
 * ```ts
 * latencySeries(await store.rollups({ metric: 'outpost.inference.duration' }), 0, 60_000);
 * ```
 */
export function latencySeries(rows: readonly RollupRow[], from: number, stepMs: number): LatencySeries[] {
  const byBackend = new Map<string, Map<number, RollupRow[]>>();
  for (const row of rows) {
    if (row.count === 0) continue;
    const buckets = byBackend.get(row.series.backend) ?? new Map<number, RollupRow[]>();
    byBackend.set(row.series.backend, buckets);
    const t = bucketOf(row.minute, from, stepMs);
    const list = buckets.get(t) ?? [];
    list.push(row);
    buckets.set(t, list);
  }
  return [...byBackend]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([backend, buckets]) => ({
      backend,
      points: [...buckets].sort(([a], [b]) => a - b).map(([t, group]) => ({ t, ...latencyQuantiles(group) })),
    }));
}

/**
 * @example
 * ```ts
 * (await app.inject('/api/v1/latency/series?model=vad&step=5')).json(); // { series: [...] }
 * ```
 */
export async function latencySeriesRoute(app: FastifyInstance): Promise<void> {
  app.get('/api/v1/latency/series', async (request) => {
    const { step, from: _from, to: _to, ...filters } = parseQuery(latencySeriesQuerySchema, request.query);
    const range = timeRange({ from: _from, to: _to }, Date.now(), DEFAULT_SPAN_MS);
    const stepMs = autoStep(range, step);
    const rows = await app.collector.store.rollups({ metric: 'outpost.inference.duration', ...filters, ...range });
    return { ...range, step: stepMs, series: latencySeries(rows, range.from, stepMs) };
  });
}
