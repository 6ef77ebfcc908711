/**
 * GET /api/v1/latency?model=&version=&backend=&from=&to= (binding shape):
 * `{ rows: [{ model, version, backend, count, p50, p90, p99 }] }`, latencies in ms,
 * from the stored `outpost.inference.duration` buckets (interpolation: ../query/quantiles.ts).
 * `from`/`to` are epoch ms and select the minutes whose start lies in [from, to].
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CollectorError } from '../errors.js';
import { quantiles } from '../query/quantiles.js';
import type { SeriesTotal } from '../store/types.js';

const epochMs = z.string().regex(/^\d{1,15}$/, 'expected epoch milliseconds').transform(Number);
const label = z.string().min(1).max(256);

/** The query parameters; unknown ones are refused so a typo is not silently ignored. */
export const latencyQuerySchema = z
  .strictObject({ model: label.optional(), version: label.optional(), backend: label.optional(), from: epochMs.optional(), to: epochMs.optional() })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });

/** One row of the answer. */
export interface LatencyRow {
  model: string;
  version: string;
  backend: string;
  count: number;
  p50: number;
  p90: number;
  p99: number;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * Latency rows per model, version and backend from series totals.
 *
 * @example
 * ```ts
 * latencyRows(await store.totals({ metric: 'outpost.inference.duration' }));
 * ```
 */
export function latencyRows(totals: readonly SeriesTotal[]): LatencyRow[] {
  const groups = new Map<string, SeriesTotal[]>();
  for (const total of totals) {
    const key = JSON.stringify([total.series.model, total.series.version, total.series.backend]);
    const group = groups.get(key);
    if (group) group.push(total);
    else groups.set(key, [total]);
  }
  const rows: LatencyRow[] = [];
  for (const group of groups.values()) {
    const { model, version, backend } = (group[0] as SeriesTotal).series;
    const count = group.reduce((n, t) => n + t.count, 0);
    if (count === 0) continue;
    const [p50, p90, p99] = quantiles(group.map((t) => ({ ...t, bounds: t.series.bounds })), [0.5, 0.9, 0.99]) as [number, number, number];
    rows.push({ model, version, backend, count, p50: round(p50), p90: round(p90), p99: round(p99) });
  }
  return rows.sort((a, b) => (a.model + '\0' + a.version + '\0' + a.backend < b.model + '\0' + b.version + '\0' + b.backend ? -1 : 1));
}

/**
 * Registers GET /api/v1/latency.
 *
 * @example
 * ```ts
 * (await app.inject('/api/v1/latency?model=vad')).json(); // { rows: [...] }
 * ```
 */
export async function latencyRoute(app: FastifyInstance): Promise<void> {
  app.get('/api/v1/latency', async (request) => {
    const parsed = latencyQuerySchema.safeParse(request.query);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CollectorError('bad_query', `${issue?.path.join('.') || 'query'}: ${issue?.message}`);
    }
    const totals = await app.collector.store.totals({ metric: 'outpost.inference.duration', ...parsed.data });
    return { rows: latencyRows(totals) };
  });
}
