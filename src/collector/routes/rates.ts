/**
 * GET /api/v1/rates?model=&version=&from=&to=&step= → error and fallback rates:
 * `{ from, to, step, rows: [{ model, version, runs, errors, errorRate, codes }],
 *    fallbacks: { loads, count, rate, rows: [{ from, to, reason, count }] },
 *    points: [{ t, runs, errors, fallbacks }] }`.
 * `errorRate` is errors / (runs + errors): a failed call never records a duration.
 * Fallbacks carry no model (DESIGN §6), so their rate is per model load of the range
 * (loads = `metadata` phases recorded) and the model filter does not apply to them.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { autoStep, bucketOf, checkRange, epochMs, label, parseQuery, stepMinutes, timeRange } from '../query/params.js';
import type { RollupRow } from '../store/types.js';
import { DEFAULT_SPAN_MS } from './latency-series.js';

export const ratesQuerySchema = z
  .strictObject({ model: label.optional(), version: label.optional(), from: epochMs.optional(), to: epochMs.optional(), step: stepMinutes.optional() })
  .superRefine(checkRange);

export interface RateRow {
  model: string;
  version: string;
  runs: number;
  errors: number;
  /** errors / (runs + errors); 0 with neither. */
  errorRate: number;
  /** Errors per `error.code`, most frequent first. */
  codes: Array<{ code: string; count: number }>;
}

export interface FallbackRow {
  from: string;
  to: string;
  reason: string;
  count: number;
}

export interface RatesAnswer {
  from: number;
  to: number;
  step: number;
  rows: RateRow[];
  fallbacks: { loads: number; count: number; rate: number; rows: FallbackRow[] };
  points: Array<{ t: number; runs: number; errors: number; fallbacks: number }>;
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 1e6) / 1e6;
}

/** Counter rows hold their total in `sum`; histogram rows their observations in `count`. */
function amount(row: RollupRow): number {
  return row.series.kind === 'histogram' ? row.count : row.sum;
}

/**
 * @example
 * ```ts
 * rates({ runs, errors, fallbacks, loads }, { from, to }, 60_000);
 * ```
 */
export function rates(
  data: { runs: readonly RollupRow[]; errors: readonly RollupRow[]; fallbacks: readonly RollupRow[]; loads: readonly RollupRow[] },
  range: { from: number; to: number },
  stepMs: number,
): RatesAnswer {
  const byVersion = new Map<string, RateRow>();
  const rowOf = (model: string, version: string): RateRow => {
    const key = JSON.stringify([model, version]);
    let row = byVersion.get(key);
    if (row === undefined) byVersion.set(key, (row = { model, version, runs: 0, errors: 0, errorRate: 0, codes: [] }));
    return row;
  };
  const points = new Map<number, { t: number; runs: number; errors: number; fallbacks: number }>();
  const pointOf = (minute: number) => {
    const t = bucketOf(minute, range.from, stepMs);
    let point = points.get(t);
    if (point === undefined) points.set(t, (point = { t, runs: 0, errors: 0, fallbacks: 0 }));
    return point;
  };
  for (const r of data.runs) {
    rowOf(r.series.model, r.series.version).runs += amount(r);
    pointOf(r.minute).runs += amount(r);
  }
  const codes = new Map<RateRow, Map<string, number>>();
  for (const r of data.errors) {
    const row = rowOf(r.series.model, r.series.version);
    row.errors += amount(r);
    pointOf(r.minute).errors += amount(r);
    const perCode = codes.get(row) ?? new Map<string, number>();
    const code = r.series.attributes['error.code'] ?? '';
    perCode.set(code, (perCode.get(code) ?? 0) + amount(r));
    codes.set(row, perCode);
  }
  for (const row of byVersion.values()) {
    row.errorRate = ratio(row.errors, row.runs + row.errors);
    row.codes = [...(codes.get(row) ?? [])].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
  }
  const fallbackRows = new Map<string, FallbackRow>();
  for (const r of data.fallbacks) {
    const a = r.series.attributes;
    const row = { from: a['outpost.backend.from'] ?? '', to: a['outpost.backend.to'] ?? '', reason: a['outpost.fallback.reason'] ?? '', count: 0 };
    const key = JSON.stringify([row.from, row.to, row.reason]);
    const existing = fallbackRows.get(key) ?? row;
    existing.count += amount(r);
    fallbackRows.set(key, existing);
    pointOf(r.minute).fallbacks += amount(r);
  }
  const loads = data.loads.reduce((n, r) => n + amount(r), 0);
  const fallbackCount = [...fallbackRows.values()].reduce((n, r) => n + r.count, 0);
  return {
    ...range,
    step: stepMs,
    rows: [...byVersion.values()].sort((a, b) => a.model.localeCompare(b.model) || a.version.localeCompare(b.version)),
    fallbacks: { loads, count: fallbackCount, rate: ratio(fallbackCount, loads), rows: [...fallbackRows.values()].sort((a, b) => b.count - a.count) },
    points: [...points.values()].sort((a, b) => a.t - b.t),
  };
}

/**
 * @example
 * ```ts
 * (await app.inject('/api/v1/rates?model=vad')).json().rows[0].errorRate;
 * ```
 */
export async function ratesRoute(app: FastifyInstance): Promise<void> {
  app.get('/api/v1/rates', async (request) => {
    const { step, from, to, ...filters } = parseQuery(ratesQuerySchema, request.query);
    const range = timeRange({ from, to }, Date.now(), DEFAULT_SPAN_MS);
    const store = app.collector.store;
    const [runs, errors, fallbacks, loads] = await Promise.all([
      store.rollups({ metric: 'outpost.inference.duration', ...filters, ...range }),
      store.rollups({ metric: 'outpost.errors', ...filters, ...range }),
      store.rollups({ metric: 'outpost.backend.fallback', ...range }),
      store.rollups({ metric: 'outpost.load.duration', attributes: { 'outpost.load.phase': 'metadata' }, ...range }),
    ]);
    return rates({ runs, errors, fallbacks, loads }, range, autoStep(range, step));
  });
}
