/**
 * Bins as OTLP explicit-bucket histograms have them: `edges` are upper bounds, so
 * bucket i holds (edges[i-1], edges[i]] and there is one more count than edges.
 */

/** A histogram in OTLP explicit-bucket form. */
export interface BinnedCounts {
  readonly edges: readonly number[];
  readonly counts: readonly number[];
}

/**
 * True when two histograms have exactly the same bucket bounds. Drift compares
 * bucket for bucket, so any difference (one edge, one float) means "not comparable".
 *
 * @example
 * ```ts
 * sameEdges([0, 1], [0, 1]);   // true
 * sameEdges([0, 1], [0, 1.5]); // false
 * ```
 */
export function sameEdges(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((edge, i) => edge === b[i]);
}

/** A run of adjacent original bins, `[start, end)`, scored as one bin. */
export interface BinGroup {
  readonly start: number;
  readonly end: number;
}

/**
 * Adjacent bins merged, left to right, until each group expects at least
 * `minExpected` observations on the smaller side: a group's reference share times
 * `smallerSide`. The remainder joins the last group. Groups depend on the reference
 * (and the sample sizes) only, never on where the live counts fell, so merging
 * cannot hide or invent a shift. This is Cochran's rule for chi-square tests (no
 * expected count below 5), and it caps the bins of a small reference: 30 examples
 * support at most 6 bins of 5.
 *
 * @example
 * ```ts
 * mergeBins([1, 1, 8, 2, 3], 15, 5); // [{ start: 0, end: 3 }, { start: 3, end: 5 }]
 * ```
 */
export function mergeBins(referenceCounts: readonly number[], smallerSide: number, minExpected: number): BinGroup[] {
  const total = referenceCounts.reduce((sum, count) => sum + count, 0);
  const groups: BinGroup[] = [];
  if (!(total > 0)) return groups;
  let start = 0;
  let share = 0;
  for (let i = 0; i < referenceCounts.length; i++) {
    share += (referenceCounts[i] as number) / total;
    if (share * smallerSide >= minExpected) {
      groups.push({ start, end: i + 1 });
      start = i + 1;
      share = 0;
    }
  }
  if (start < referenceCounts.length) {
    const last = groups.pop();
    groups.push({ start: last?.start ?? start, end: referenceCounts.length });
  }
  return groups;
}

/**
 * `counts` summed over each group.
 *
 * @example
 * ```ts
 * groupCounts([1, 2, 3, 4], [{ start: 0, end: 1 }, { start: 1, end: 4 }]); // [1, 9]
 * ```
 */
export function groupCounts(counts: readonly number[], groups: readonly BinGroup[]): number[] {
  return groups.map(({ start, end }) => {
    let sum = 0;
    for (let i = start; i < end; i++) sum += counts[i] as number;
    return sum;
  });
}

/** Live histograms of one feature, summed where their bounds match the reference. */
export interface CombinedLive {
  /** Summed counts of the histograms whose bounds equal the reference edges. */
  counts: number[];
  /** Histograms summed. */
  histograms: number;
  /** Histograms refused because their bounds differ from the reference, and their observations. */
  rejected: { histograms: number; observations: number };
}

/**
 * Sums the live `histograms` whose bounds equal `referenceEdges` and counts the
 * others as rejected: a histogram binned on other edges (an older client, another
 * reference) is never compared as if it were the same bins.
 *
 * @example
 * ```ts
 * combineLive([0, 1], [{ edges: [0, 1], counts: [1, 2, 3] }, { edges: [0, 2], counts: [4, 4, 4] }]);
 * // { counts: [1, 2, 3], histograms: 1, rejected: { histograms: 1, observations: 12 } }
 * ```
 */
export function combineLive(referenceEdges: readonly number[], histograms: Iterable<BinnedCounts>): CombinedLive {
  const counts = new Array<number>(referenceEdges.length + 1).fill(0);
  const combined: CombinedLive = { counts, histograms: 0, rejected: { histograms: 0, observations: 0 } };
  for (const histogram of histograms) {
    if (!sameEdges(referenceEdges, histogram.edges) || histogram.counts.length !== counts.length) {
      combined.rejected.histograms += 1;
      combined.rejected.observations += histogram.counts.reduce((sum, count) => sum + count, 0);
      continue;
    }
    combined.histograms += 1;
    for (let i = 0; i < counts.length; i++) counts[i] = (counts[i] as number) + (histogram.counts[i] as number);
  }
  return combined;
}
