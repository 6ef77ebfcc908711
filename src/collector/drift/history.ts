/**
 * `GET /api/v1/drift/history?model=&version=&from=&to=&step=&window=` — what the
 * dashboard's drift panel draws for one model version: per reference feature, the
 * reference histogram beside the live one of the range (same bins), and PSI over time.
 * Each point scores the drift window ending at its time (the monitor's window unless
 * `window` says), the same evaluation that opens and resolves alerts, so the line
 * crosses 0.25 exactly where an alert opened.
 */
import { z } from 'zod';
import { combineLive } from '../../drift/bins.js';
import { NAME_PATTERN, isStrictSemver } from '../../registry/schema.js';
import { autoStep, checkRange, epochMs, MAX_BUCKETS, stepMinutes, timeRange } from '../query/params.js';
import type { ApiAnswer } from './api.js';
import { evaluateDrift, type DriftLiveSource, type LiveDriftHistogram } from './evaluate.js';
import type { DriftMonitor } from './monitor.js';

const MINUTE = 60_000;
const DEFAULT_SPAN_MS = 6 * 3_600_000;

const historyQuerySchema = z
  .strictObject({
    model: z.string().regex(NAME_PATTERN, 'must be a model name'),
    version: z.string().refine(isStrictSemver, 'must be a strict semver version'),
    from: epochMs.optional(),
    to: epochMs.optional(),
    step: stepMinutes.optional(),
    window: z.string().regex(/^\d{1,5}$/, 'expected whole minutes').transform(Number).refine((n) => n >= 1 && n <= 43_200, 'window must be 1..43200 minutes').optional(),
  })
  .superRefine(checkRange);

export interface DriftHistoryPoint {
  /** End of the scored window, epoch ms. */
  t: number;
  count: number;
  psi: number | null;
  js: number | null;
  status: string;
}

export interface DriftHistoryFeature {
  feature: string;
  edges: number[];
  /** Reference counts, one more than edges. */
  reference: number[];
  /** Live counts of [from, to] on the reference edges. */
  live: number[];
  /** Live histograms of the range refused for other bounds. */
  rejected: { histograms: number; observations: number };
  points: DriftHistoryPoint[];
}

export interface DriftHistory {
  model: string;
  version: string;
  from: number;
  to: number;
  step: number;
  window: number;
  reference: 'reference' | 'no-reference' | 'unknown-version';
  features: DriftHistoryFeature[];
}

/** A source over histograms already read, each kept with its minute. */
function memorySource(rows: ReadonlyArray<LiveDriftHistogram & { minute: number }>): DriftLiveSource {
  return {
    async driftHistograms({ from, to }) {
      return rows.filter((row) => row.minute >= from && row.minute < to);
    },
  };
}

/**
 * @example
 * ```ts
 * const { status, body } = await driftHistoryHandler(monitor, store, request.query, Date.now());
 * ```
 */
export async function driftHistoryHandler(
  monitor: Pick<DriftMonitor, 'references' | 'windowMs'>,
  rollups: (query: { model: string; version: string; from: number; to: number }) => Promise<ReadonlyArray<LiveDriftHistogram & { minute: number }>>,
  query: unknown,
  now: number,
): Promise<ApiAnswer> {
  const parsed = historyQuerySchema.safeParse(query ?? {});
  if (!parsed.success) {
    return {
      status: 400,
      body: { error: 'BAD_REQUEST', message: 'invalid query parameters', issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    };
  }
  const { model, version, step, window } = parsed.data;
  const range = timeRange(parsed.data, now, DEFAULT_SPAN_MS);
  const stepMs = autoStep(range, step);
  const windowMs = window === undefined ? monitor.windowMs : window * MINUTE;
  const lookup = monitor.references.lookup(model, version);
  const answer: DriftHistory = {
    model,
    version,
    ...range,
    step: stepMs,
    window: windowMs,
    reference: lookup.state === 'reference' ? 'reference' : lookup.state === 'no-reference' ? 'no-reference' : 'unknown-version',
    features: [],
  };
  if (lookup.state !== 'reference') return { status: 200, body: answer };

  const rows = await rollups({ model, version, from: range.from - windowMs, to: range.to });
  const source = memorySource(rows);
  const inRange = rows.filter((row) => row.minute >= range.from && row.minute <= range.to);
  const points = new Map(lookup.reference.features.map((f) => [f.name, [] as DriftHistoryPoint[]]));
  const first = range.from - (range.from % MINUTE) + stepMs;
  for (let t = first, n = 0; t <= range.to + stepMs - 1 && n < MAX_BUCKETS; t += stepMs, n++) {
    const end = Math.min(t, range.to + 1);
    const report = await evaluateDrift(monitor.references, source, { model, version, now: end, windowMs });
    for (const row of report.rows) points.get(row.feature)?.push({ t: end, count: row.count, psi: row.psi, js: row.js, status: row.status });
  }
  answer.features = lookup.reference.features.map((feature) => {
    const live = combineLive(feature.edges, inRange.filter((row) => row.feature === feature.name));
    return { feature: feature.name, edges: feature.edges, reference: feature.counts, live: live.counts, rejected: live.rejected, points: points.get(feature.name) ?? [] };
  });
  return { status: 200, body: answer };
}
