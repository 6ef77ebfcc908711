// Summary statistics for run latencies. Medians and percentiles, never means alone:
// a few slow runs (a GC pause, a shader compile) would move a mean and hide the shape.

export interface LatencySummary {
  runs: number;
  median: number;
  p10: number;
  p90: number;
  mean: number;
  /** Runs per second, back to back. */
  throughput: number;
}

/** Linear interpolation between closest ranks, on sorted data. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const a = sorted[low]!;
  const b = sorted[high]!;
  return a + (b - a) * (position - low);
}

export function summarize(times: readonly number[]): LatencySummary {
  const sorted = [...times].sort((a, b) => a - b);
  const total = sorted.reduce((sum, t) => sum + t, 0);
  const mean = total / Math.max(1, sorted.length);
  return {
    runs: sorted.length,
    median: quantile(sorted, 0.5),
    p10: quantile(sorted, 0.1),
    p90: quantile(sorted, 0.9),
    mean,
    throughput: mean > 0 ? 1000 / mean : Number.NaN,
  };
}

/** The latency at each whole percentile 0..100: one curve per backend on a shared x axis. */
export function percentileCurve(times: readonly number[]): number[] {
  const sorted = [...times].sort((a, b) => a - b);
  return Array.from({ length: 101 }, (_, p) => quantile(sorted, p / 100));
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}
