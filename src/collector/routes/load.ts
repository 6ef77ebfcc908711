/**
 * GET /api/v1/load?model=&version=&from=&to= → load phase durations, cold vs warm:
 * `{ rows: [{ model, version, phase, cache, start, count, mean, p50, p90 }] }` (ms).
 * A load that downloaded anything is a cache miss, i.e. a cold start; one served
 * from the cache is warm (`start` says which, from `outpost.load.cache`).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { quantiles } from '../query/quantiles.js';
import { checkRange, epochMs, label, parseQuery } from '../query/params.js';
import type { SeriesTotal } from '../store/types.js';
import { round } from './latency-series.js';

export const loadQuerySchema = z
  .strictObject({ model: label.optional(), version: label.optional(), from: epochMs.optional(), to: epochMs.optional() })
  .superRefine(checkRange);

/** The phases in load order (DESIGN §6). */
export const LOAD_PHASES = ['metadata', 'download', 'verify', 'compile'] as const;

export interface LoadRow {
  model: string;
  version: string;
  phase: string;
  cache: 'hit' | 'miss' | '';
  start: 'cold' | 'warm' | 'unknown';
  count: number;
  mean: number;
  p50: number;
  p90: number;
}

function phaseRank(phase: string): number {
  const i = (LOAD_PHASES as readonly string[]).indexOf(phase);
  return i < 0 ? LOAD_PHASES.length : i;
}

/**
 * One row per model, version, phase and cache outcome.
 *
 * @example
 * ```ts
 * loadRows(await store.totals({ metric: 'outpost.load.duration' }));
 * ```
 */
export function loadRows(totals: readonly SeriesTotal[]): LoadRow[] {
  const groups = new Map<string, SeriesTotal[]>();
  for (const total of totals) {
    const a = total.series.attributes;
    const key = JSON.stringify([total.series.model, total.series.version, a['outpost.load.phase'] ?? '', a['outpost.load.cache'] ?? '']);
    groups.set(key, [...(groups.get(key) ?? []), total]);
  }
  const rows: LoadRow[] = [];
  for (const [key, group] of groups) {
    const [model, version, phase, cacheText] = JSON.parse(key) as [string, string, string, string];
    const count = group.reduce((n, t) => n + t.count, 0);
    if (count === 0) continue;
    const sum = group.reduce((n, t) => n + t.sum, 0);
    const [p50, p90] = quantiles(group.map((t) => ({ ...t, bounds: t.series.bounds })), [0.5, 0.9]) as [number, number];
    const cache = cacheText === 'hit' || cacheText === 'miss' ? cacheText : '';
    const start = cache === 'miss' ? 'cold' : cache === 'hit' ? 'warm' : 'unknown';
    rows.push({ model, version, phase, cache, start, count, mean: round(sum / count), p50: round(p50), p90: round(p90) });
  }
  return rows.sort(
    (a, b) => a.model.localeCompare(b.model) || a.version.localeCompare(b.version) || a.start.localeCompare(b.start) || phaseRank(a.phase) - phaseRank(b.phase),
  );
}

/**
 * @example
 * ```ts
 * (await app.inject('/api/v1/load?model=vad')).json(); // { rows: [...] }
 * ```
 */
export async function loadRoute(app: FastifyInstance): Promise<void> {
  app.get('/api/v1/load', async (request) => {
    const query = parseQuery(loadQuerySchema, request.query);
    return { rows: loadRows(await app.collector.store.totals({ metric: 'outpost.load.duration', ...query })) };
  });
}
