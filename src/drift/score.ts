/**
 * A drift verdict for one feature: the live histogram of a window against the
 * reference the model version was released with. docs/drift.md explains the method;
 * in short:
 *
 * 1. Bins are merged (reference only) until each expects ≥ `minBinCount`
 *    observations on the smaller side, so a reference of tens of examples is scored
 *    on a few well-filled bins instead of ten near-empty ones.
 * 2. PSI and Jensen–Shannon are computed on the merged bins.
 * 3. A two-sample chi-square test on the same bins asks whether the difference is
 *    more than both samples' noise. Two samples of one distribution give a PSI of
 *    about (bins − 1)·(1/n + 1/m) by chance alone (0.18 for 30 reference examples,
 *    300 runs and 6 bins: nearly the alert line; unprotected PSI on ten bins crossed
 *    0.25 in 70% of such windows), so a verdict above `ok` needs the
 *    test to reject "same distribution" at `significance` as well as PSI over the line.
 */
import { mergeBins, groupCounts, type BinnedCounts } from './bins.js';
import { chiSquareSurvival } from './chi-square.js';
import { jensenShannon, psi } from './divergence.js';

/** PSI from which a feature is `warn`. */
export const PSI_WARN = 0.1;
/** PSI from which a feature is `alert`. */
export const PSI_ALERT = 0.25;
/** Fewest live observations a verdict is given for; below, `insufficient`. */
export const DEFAULT_MIN_COUNT = 50;
/**
 * Fewest expected observations per merged bin: twice Cochran's 5, because the
 * chi-square tail is too light for the few, small bins of a small reference.
 */
export const DEFAULT_MIN_BIN_COUNT = 10;
/**
 * Nominal p-value a verdict above `ok` needs. Measured with seeded draws of two
 * samples of one distribution (30–100 reference examples, 200–1000 runs), a false
 * `warn`/`alert` came about once in 1000 windows: quantile edges fitted on the
 * reference sample itself make the test's tails heavier than chi-square's.
 */
export const DEFAULT_SIGNIFICANCE = 1e-4;

export type DriftStatus = 'ok' | 'warn' | 'alert' | 'insufficient';

/** Options of {@link scoreFeature}; every field has a default. */
export interface ScoreOptions {
  /** @default DEFAULT_MIN_COUNT */
  minCount?: number;
  /** @default DEFAULT_MIN_BIN_COUNT */
  minBinCount?: number;
  /** @default DEFAULT_SIGNIFICANCE */
  significance?: number;
  /**
   * Independent observations behind the reference counts (examples), when fewer
   * than the counts: values of one example are correlated, so noise is that of the
   * examples. @default the reference's total count
   */
  referenceUnits?: number;
  /** Independent observations behind the live counts (runs). @default the live total count */
  liveUnits?: number;
}

/** A verdict with the numbers behind it. */
export interface DriftScore {
  status: DriftStatus;
  /** Live observations in the window (sum of the live counts). */
  count: number;
  /** PSI on the merged bins; null when `insufficient`. */
  psi: number | null;
  /** Jensen–Shannon divergence (bits) on the merged bins; null when `insufficient`. */
  js: number | null;
  /** Merged bins the scores were computed on. */
  bins: number;
  /** Chi-square p-value of "same distribution"; null when `insufficient`. */
  pValue: number | null;
  /** PSI expected from sampling noise alone at these sample sizes. */
  noise: number | null;
}

function total(counts: readonly number[]): number {
  return counts.reduce((sum, count) => sum + count, 0);
}

function effective(count: number, units: number | undefined): number {
  return units === undefined ? count : Math.max(0, Math.min(count, units));
}

/** Two-sample chi-square statistic on proportions, for effective sizes n and m. */
function chiSquare(p: readonly number[], q: readonly number[], n: number, m: number): number {
  let statistic = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] as number;
    const qi = q[i] as number;
    const pooled = (n * pi + m * qi) / (n + m);
    if (pooled > 0) statistic += ((pi - qi) ** 2) / pooled;
  }
  return (statistic * n * m) / (n + m);
}

function statusOf(psiValue: number, pValue: number, significance: number): DriftStatus {
  if (pValue > significance) return 'ok';
  if (psiValue >= PSI_ALERT) return 'alert';
  if (psiValue >= PSI_WARN) return 'warn';
  return 'ok';
}

/**
 * The verdict for `liveCounts` (counted on `reference.edges`, one more count than
 * edges) against `reference`. Callers must have checked the live histogram's bounds
 * with `sameEdges`; a count array of another length throws RangeError.
 *
 * @example
 * ```ts
 * const score = scoreFeature({ edges: [0, 1], counts: [40, 40, 40] }, [100, 100, 100]);
 * score.status; // 'ok'
 * ```
 */
export function scoreFeature(reference: BinnedCounts, liveCounts: readonly number[], options: ScoreOptions = {}): DriftScore {
  if (reference.counts.length !== reference.edges.length + 1) throw new RangeError('reference needs one more count than edges');
  if (liveCounts.length !== reference.counts.length) {
    throw new RangeError(`live histogram has ${liveCounts.length} buckets, the reference ${reference.counts.length}`);
  }
  const minCount = options.minCount ?? DEFAULT_MIN_COUNT;
  const minBinCount = options.minBinCount ?? DEFAULT_MIN_BIN_COUNT;
  const significance = options.significance ?? DEFAULT_SIGNIFICANCE;
  const count = total(liveCounts);
  const n = effective(total(reference.counts), options.referenceUnits);
  const m = effective(count, options.liveUnits);
  const insufficient: DriftScore = { status: 'insufficient', count, psi: null, js: null, bins: 0, pValue: null, noise: null };
  if (m < minCount || n <= 0) return insufficient;

  const groups = mergeBins(reference.counts, Math.min(n, m), minBinCount);
  if (groups.length < 2) return { ...insufficient, bins: groups.length };
  const ref = groupCounts(reference.counts, groups);
  const live = groupCounts(liveCounts, groups);
  const refTotal = total(ref);
  const p = ref.map((c) => c / refTotal);
  const q = live.map((c) => c / count);
  const psiValue = psi(ref, live);
  const pValue = chiSquareSurvival(chiSquare(p, q, n, m), groups.length - 1);
  return {
    status: statusOf(psiValue, pValue, significance),
    count,
    psi: psiValue,
    js: jensenShannon(ref, live),
    bins: groups.length,
    pValue,
    noise: (groups.length - 1) * (1 / n + 1 / m),
  };
}
