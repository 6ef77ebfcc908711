/**
 * Quantiles from explicit-bucket histograms. Each bucket's count is taken as spread
 * uniformly over its interval (linear interpolation, as Prometheus'
 * histogram_quantile does); the first bucket starts at the recorded `min` (else at 0,
 * or at its bound when that is negative) and the last ends at the recorded `max`
 * (else at the last bound). Error bound: the estimate lies in the same bucket as the
 * true quantile, so it is off by at most that bucket's width. Histograms with
 * different bounds are combined exactly under the same assumption.
 */

/** One histogram: bounds, bucket counts (bounds + 1, or none) and its totals. */
export interface HistogramInput {
  bounds: readonly number[];
  buckets: readonly number[];
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
}

interface Segment {
  lo: number;
  hi: number;
  count: number;
}

function segments(h: HistogramInput): Segment[] {
  if (h.buckets.length === 0 || h.bounds.length === 0) {
    const mean = h.count > 0 ? h.sum / h.count : 0;
    return h.count > 0 ? [{ lo: h.min ?? mean, hi: h.max ?? mean, count: h.count }] : [];
  }
  const out: Segment[] = [];
  const last = h.bounds.length;
  h.buckets.forEach((count, i) => {
    if (count <= 0) return;
    let lo = i === 0 ? (h.min ?? Math.min(0, h.bounds[0] as number)) : (h.bounds[i - 1] as number);
    let hi = i === last ? (h.max ?? (h.bounds[last - 1] as number)) : (h.bounds[i] as number);
    // A recorded min or max inside the bucket narrows it.
    if (h.min !== null) lo = Math.max(lo, Math.min(h.min, hi));
    if (h.max !== null) hi = Math.min(hi, Math.max(h.max, lo));
    if (hi < lo) hi = lo;
    out.push({ lo, hi, count });
  });
  return out;
}

/** Mass at or below x; `strict` leaves out point masses sitting exactly at x. */
function massBelow(parts: readonly Segment[], x: number, strict: boolean): number {
  let total = 0;
  for (const s of parts) {
    if (s.hi === s.lo) total += (strict ? x > s.lo : x >= s.lo) ? s.count : 0;
    else if (x >= s.hi) total += s.count;
    else if (x > s.lo) total += (s.count * (x - s.lo)) / (s.hi - s.lo);
  }
  return total;
}

/**
 * The `qs` quantiles (each 0..1) of the histograms added together; NaN when they hold
 * nothing.
 *
 * @example
 * ```ts
 * quantiles([{ bounds: [10, 20], buckets: [0, 10, 0], count: 10, sum: 150, min: null, max: null }], [0.5]); // [15]
 * ```
 */
export function quantiles(histograms: readonly HistogramInput[], qs: readonly number[]): number[] {
  const parts = histograms.flatMap(segments);
  const total = parts.reduce((n, s) => n + s.count, 0);
  if (total === 0) return qs.map(() => Number.NaN);
  const points = [...new Set(parts.flatMap((s) => [s.lo, s.hi]))].sort((a, b) => a - b);
  return qs.map((q) => {
    const target = Math.min(1, Math.max(0, q)) * total;
    let previous = points[0] as number;
    let below = massBelow(parts, previous, false);
    if (below >= target) return previous;
    for (let k = 1; k < points.length; k++) {
      const x = points[k] as number;
      const before = massBelow(parts, x, true);
      if (before >= target) return previous + ((target - below) / (before - below)) * (x - previous);
      const at = massBelow(parts, x, false);
      if (at >= target) return x;
      previous = x;
      below = at;
    }
    return points[points.length - 1] as number;
  });
}
