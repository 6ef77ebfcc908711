/**
 * Drift references: per feature, bin edges from the publisher's sample and how many
 * samples fall in each bin. Bins follow OTLP explicit-bucket histograms, so the
 * worker's counts and the reference compare bucket for bucket.
 */
import { z } from 'zod';
import { parseWith } from './parse.js';
import type { Reference, ReferenceFeature } from './schema.js';

/** The sample file `outpost publish --reference` reads: raw values per feature. */
export const referenceSamplesSchema = z.object({
  // zod 4 numbers are finite: NaN and ±Infinity are refused here.
  features: z.record(z.string().min(1).max(128), z.array(z.number()).min(1)),
});
export type ReferenceSamples = z.infer<typeof referenceSamplesSchema>;

/** Quantile bins per feature unless told otherwise. */
export const DEFAULT_REFERENCE_BINS = 10;

/**
 * The bucket `value` falls in for explicit-bucket `edges` (OTLP rule): bucket i holds
 * (edges[i-1], edges[i]], the last bucket everything above the last edge.
 *
 * @example
 * ```ts
 * binIndex([1, 2], 0.5); // 0
 * binIndex([1, 2], 1);   // 0
 * binIndex([1, 2], 1.5); // 1
 * binIndex([1, 2], 9);   // 2
 * ```
 */
export function binIndex(edges: readonly number[], value: number): number {
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (value <= (edges[mid] as number)) high = mid;
    else low = mid + 1;
  }
  return low;
}

/**
 * Edges at the `bins`-quantiles of sorted `values` (nearest rank), with repeats
 * removed: a feature with few distinct values gets fewer, never empty-by-design bins.
 */
export function quantileEdges(sorted: readonly number[], bins: number): number[] {
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const rank = Math.max(0, Math.ceil((k * sorted.length) / bins) - 1);
    const edge = sorted[rank] as number;
    if (edges.length === 0 || edge > (edges[edges.length - 1] as number)) edges.push(edge);
  }
  return edges;
}

function referenceFeature(name: string, values: readonly number[], bins: number): ReferenceFeature {
  const edges = quantileEdges([...values].sort((a, b) => a - b), bins);
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const value of values) {
    const bin = binIndex(edges, value);
    counts[bin] = (counts[bin] as number) + 1;
  }
  return { name, edges, counts };
}

/**
 * A drift reference from raw samples (`{ features: { name: number[] } }`), with
 * `bins` quantile bins per feature; `METADATA_INVALID` on malformed samples.
 *
 * @example
 * ```ts
 * computeReference({ features: { energy: [0.1, 0.4, 0.2, 0.9] } }, 2);
 * // { features: [{ name: 'energy', edges: [0.2], counts: [2, 2] }] }
 * ```
 */
export function computeReference(samples: unknown, bins = DEFAULT_REFERENCE_BINS, what = 'reference samples'): Reference {
  if (!Number.isInteger(bins) || bins < 1 || bins > 256) throw new RangeError(`bins must be an integer 1..256, got ${bins}`);
  const parsed = parseWith(referenceSamplesSchema, samples, what);
  return {
    features: Object.entries(parsed.features)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, values]) => referenceFeature(name, values, bins)),
  };
}
