/**
 * Drift rows for `GET /api/v1/drift`: per model version with a reference, per
 * reference feature, the window's live histograms (summed where their bounds match
 * the reference) scored against it. Versions without a reference are listed apart
 * as "no reference", never an error.
 */
import { combineLive, type BinnedCounts } from '../../drift/bins.js';
import { scoreFeature, type DriftStatus, type ScoreOptions } from '../../drift/score.js';
import type { Reference } from '../../registry/schema.js';
import type { ReferenceBook } from './references.js';

/** One live `outpost.drift.feature` histogram (or a rollup of several) as the store holds it. */
export interface LiveDriftHistogram extends BinnedCounts {
  model: string;
  version: string;
  feature: string;
}

/** What the evaluation needs from the collector's store. */
export interface DriftLiveSource {
  /** Drift histograms of the window [from, to) (epoch ms), optionally for one model/version. */
  driftHistograms(query: { model?: string; version?: string; from: number; to: number }): Promise<Iterable<LiveDriftHistogram>>;
}

/** One row of `GET /api/v1/drift` (the binding fields first). */
export interface DriftRow {
  model: string;
  version: string;
  feature: string;
  count: number;
  psi: number | null;
  js: number | null;
  status: DriftStatus;
  /** Merged bins scored, the test's p-value and the PSI noise alone gives (docs/drift.md). */
  bins: number;
  pValue: number | null;
  noise: number | null;
  /** Live histograms refused because their bounds differ from the reference. */
  rejected: { histograms: number; observations: number };
}

export interface DriftReport {
  rows: DriftRow[];
  /** Versions the registry has without a drift reference. */
  noReference: Array<{ model: string; version: string }>;
  window: { from: number; to: number };
}

/** Default drift window: one hour. */
export const DEFAULT_WINDOW_MS = 60 * 60 * 1000;

/**
 * The feature whose counts are one per run (or reference example) for `feature`'s
 * tensor: `<side>.<tensor>.mean`. Sampled elements (`value`) and class rows of one run
 * are correlated, so their noise is that of the runs, not of the elements.
 */
function unitFeature(feature: string): string | undefined {
  const last = feature.lastIndexOf('.');
  if (last < 0) return undefined;
  const kind = feature.slice(last + 1);
  return kind === 'mean' || kind === 'std' ? undefined : `${feature.slice(0, last)}.mean`;
}

function total(counts: readonly number[]): number {
  return counts.reduce((sum, count) => sum + count, 0);
}

function scoreVersion(
  model: string,
  version: string,
  reference: Reference,
  live: readonly LiveDriftHistogram[],
  options: ScoreOptions,
): DriftRow[] {
  const byFeature = new Map<string, LiveDriftHistogram[]>();
  for (const histogram of live) {
    const list = byFeature.get(histogram.feature) ?? [];
    list.push(histogram);
    byFeature.set(histogram.feature, list);
  }
  const combined = new Map(reference.features.map((f) => [f.name, combineLive(f.edges, byFeature.get(f.name) ?? [])]));
  const referenceTotals = new Map(reference.features.map((f) => [f.name, total(f.counts)]));
  return reference.features.map((feature) => {
    const own = combined.get(feature.name)!;
    const unit = unitFeature(feature.name);
    const referenceUnits = unit === undefined ? undefined : referenceTotals.get(unit);
    const liveUnits = unit === undefined ? undefined : combined.get(unit)?.counts;
    const score = scoreFeature(feature, own.counts, {
      ...options,
      ...(referenceUnits === undefined ? {} : { referenceUnits }),
      ...(liveUnits === undefined ? {} : { liveUnits: total(liveUnits) }),
    });
    return { model, version, feature: feature.name, ...score, rejected: own.rejected };
  });
}

/**
 * The drift report of the window ending at `now`.
 *
 * @example
 * ```ts
 * const { rows } = await evaluateDrift(references, source, { now: Date.now() });
 * rows.filter((row) => row.status === 'alert');
 * ```
 */
export async function evaluateDrift(
  references: Pick<ReferenceBook, 'versions'>,
  source: DriftLiveSource,
  query: { model?: string; version?: string; now: number; windowMs?: number; score?: ScoreOptions },
): Promise<DriftReport> {
  const to = query.now;
  const from = to - (query.windowMs ?? DEFAULT_WINDOW_MS);
  const report: DriftReport = { rows: [], noReference: [], window: { from, to } };
  const versions = references
    .versions()
    .filter((v) => (query.model === undefined || v.model === query.model) && (query.version === undefined || v.version === query.version))
    .sort((a, b) => a.model.localeCompare(b.model) || a.version.localeCompare(b.version));
  for (const { model, version, reference } of versions) {
    if (reference === undefined || reference.features.length === 0) {
      report.noReference.push({ model, version });
      continue;
    }
    const live = [...(await source.driftHistograms({ model, version, from, to }))];
    report.rows.push(...scoreVersion(model, version, reference, live, query.score ?? {}));
  }
  return report;
}
