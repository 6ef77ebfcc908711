/**
 * `outpost_inference_duration_ms`: the devices' inference-duration histograms as one
 * Prometheus histogram per model, version and backend. Devices choose their own bucket
 * bounds, so each device bucket is added to the first Prometheus bucket whose `le` is at
 * or above its upper bound (never under-counting a bucket's latency). Counts grow
 * monotonically from the collector's start, as Prometheus counters must; rate() and
 * histogram_quantile() work on them as usual.
 */
import type { Registry } from 'prom-client';
import type { RollupDelta } from '../store/types.js';

/** The Prometheus buckets (ms). */
export const INFERENCE_BUCKETS_MS = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] as const;

const NAME = 'outpost_inference_duration_ms';

interface Series {
  labels: { model: string; version: string; backend: string };
  buckets: number[];
  count: number;
  sum: number;
}

/**
 * A histogram fed with stored `outpost.inference.duration` deltas.
 *
 * @example
 * ```ts
 * const histogram = new InferenceHistogram(registry);
 * histogram.add(deltas);
 * ```
 */
export class InferenceHistogram {
  private readonly series = new Map<string, Series>();

  constructor(registry: Registry) {
    // prom-client formats any registered object with name, help, type and get().
    registry.registerMetric({
      name: NAME,
      help: 'Inference duration on devices (ms), from ingested outpost.inference.duration histograms',
      type: 'histogram',
      aggregator: 'sum',
      get: async () => this.snapshot(),
      reset: () => this.series.clear(),
    } as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** Adds the inference-duration histograms among `deltas`. */
  add(deltas: readonly RollupDelta[]): void {
    for (const delta of deltas) {
      if (delta.series.metric !== 'outpost.inference.duration' || delta.series.kind !== 'histogram') continue;
      const { model, version, backend } = delta.series;
      const key = JSON.stringify([model, version, backend]);
      let series = this.series.get(key);
      if (series === undefined) {
        series = { labels: { model, version, backend }, buckets: new Array<number>(INFERENCE_BUCKETS_MS.length + 1).fill(0), count: 0, sum: 0 };
        this.series.set(key, series);
      }
      series.count += delta.count;
      series.sum += delta.sum;
      const bounds = delta.series.bounds;
      if (delta.buckets.length === 0) {
        series.buckets[INFERENCE_BUCKETS_MS.length] = (series.buckets[INFERENCE_BUCKETS_MS.length] as number) + delta.count;
        continue;
      }
      delta.buckets.forEach((n, i) => {
        const upper = i < bounds.length ? (bounds[i] as number) : Infinity;
        let target = INFERENCE_BUCKETS_MS.findIndex((le) => le >= upper);
        if (target < 0) target = INFERENCE_BUCKETS_MS.length;
        series.buckets[target] = (series.buckets[target] as number) + n;
      });
    }
  }

  private snapshot() {
    const values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      INFERENCE_BUCKETS_MS.forEach((le, i) => {
        cumulative += s.buckets[i] as number;
        values.push({ metricName: `${NAME}_bucket`, labels: { ...s.labels, le }, value: cumulative });
      });
      values.push({ metricName: `${NAME}_bucket`, labels: { ...s.labels, le: '+Inf' }, value: s.count });
      values.push({ metricName: `${NAME}_sum`, labels: s.labels, value: s.sum });
      values.push({ metricName: `${NAME}_count`, labels: s.labels, value: s.count });
    }
    return { name: NAME, help: 'Inference duration on devices (ms)', type: 'histogram', aggregator: 'sum', values };
  }
}
