/**
 * GET /api/v1/latency/browsers?model=&version=&from=&to= →
 * `{ rows: [{ model, version, backend, browser, browserVersion, count, p50, p90, p99 }] }`:
 * the backend × browser table. `browser` is the family, `browserVersion` its major
 * version ('' when the client did not say; see processor/browser.ts).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { BROWSER_VERSION_ATTRIBUTE } from '../processor/browser.js';
import { checkRange, epochMs, label, parseQuery } from '../query/params.js';
import type { RollupRow, SeriesTotal } from '../store/types.js';
import { latencyQuantiles } from './latency-series.js';

export const latencyBrowsersQuerySchema = z
  .strictObject({ model: label.optional(), version: label.optional(), from: epochMs.optional(), to: epochMs.optional() })
  .superRefine(checkRange);

export interface BrowserLatencyRow {
  model: string;
  version: string;
  backend: string;
  browser: string;
  browserVersion: string;
  count: number;
  p50: number;
  p90: number;
  p99: number;
}

/**
 * One row per model, version, backend, browser family and major version.
 *
 * @example
 * ```ts
 * browserRows(await store.totals({ metric: 'outpost.inference.duration' }));
 * ```
 */
export function browserRows(totals: readonly SeriesTotal[]): BrowserLatencyRow[] {
  const groups = new Map<string, SeriesTotal[]>();
  for (const total of totals) {
    const s = total.series;
    const key = JSON.stringify([s.model, s.version, s.backend, s.browser, s.attributes[BROWSER_VERSION_ATTRIBUTE] ?? '']);
    groups.set(key, [...(groups.get(key) ?? []), total]);
  }
  const rows: BrowserLatencyRow[] = [];
  for (const [key, group] of groups) {
    const [model, version, backend, browser, browserVersion] = JSON.parse(key) as string[];
    const stats = latencyQuantiles(group.map((t) => ({ ...t, minute: t.firstMinute }) as RollupRow));
    if (stats.count === 0) continue;
    rows.push({ model: model!, version: version!, backend: backend!, browser: browser!, browserVersion: browserVersion!, ...stats });
  }
  const order = (r: BrowserLatencyRow) => [r.model, r.version, r.backend, r.browser, r.browserVersion.padStart(6, '0')].join('\0');
  return rows.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

/**
 * @example
 * ```ts
 * (await app.inject('/api/v1/latency/browsers')).json(); // { rows: [...] }
 * ```
 */
export async function latencyBrowsersRoute(app: FastifyInstance): Promise<void> {
  app.get('/api/v1/latency/browsers', async (request) => {
    const query = parseQuery(latencyBrowsersQuerySchema, request.query);
    const totals = await app.collector.store.totals({ metric: 'outpost.inference.duration', ...query });
    return { rows: browserRows(totals) };
  });
}
