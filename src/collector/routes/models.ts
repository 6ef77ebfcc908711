/**
 * GET /api/v1/models?from=&to= → `{ models: [{ model, version, runs, firstMinute, lastMinute }] }`:
 * the model versions that sent telemetry in the range (any metric), for the
 * dashboard's filters. Default range: the retention's whole span.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { checkRange, epochMs, parseQuery } from '../query/params.js';
import type { SeriesTotal } from '../store/types.js';

export const modelsQuerySchema = z.strictObject({ from: epochMs.optional(), to: epochMs.optional() }).superRefine(checkRange);

export interface ModelVersionRow {
  model: string;
  version: string;
  /** Inference runs recorded. */
  runs: number;
  firstMinute: number;
  lastMinute: number;
}

/**
 * @example
 * ```ts
 * modelVersions(await store.totals({}));
 * ```
 */
export function modelVersions(totals: readonly SeriesTotal[]): ModelVersionRow[] {
  const rows = new Map<string, ModelVersionRow>();
  for (const t of totals) {
    if (t.series.model === '') continue;
    const key = JSON.stringify([t.series.model, t.series.version]);
    const row = rows.get(key) ?? { model: t.series.model, version: t.series.version, runs: 0, firstMinute: t.firstMinute, lastMinute: t.lastMinute };
    if (t.series.metric === 'outpost.inference.duration') row.runs += t.count;
    row.firstMinute = Math.min(row.firstMinute, t.firstMinute);
    row.lastMinute = Math.max(row.lastMinute, t.lastMinute);
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => a.model.localeCompare(b.model) || a.version.localeCompare(b.version));
}

/**
 * @example
 * ```ts
 * (await app.inject('/api/v1/models')).json().models;
 * ```
 */
export async function modelsRoute(app: FastifyInstance): Promise<void> {
  app.get('/api/v1/models', async (request) => {
    const query = parseQuery(modelsQuerySchema, request.query);
    return { models: modelVersions(await app.collector.store.totals(query)) };
  });
}
