/**
 * The processor: validated OTLP metrics to per-minute rollup deltas, added up within
 * the request so a batch of many points for one series writes one row. Points that are
 * well-formed but unusable (cumulative temporality, exponential histograms, summaries,
 * missing or out-of-range times) are counted as rejected, for OTLP's partial success.
 */
import { seriesKey } from '../store/series-key.js';
import type { MetricKind, RollupDelta, SeriesKey } from '../store/types.js';
import type { MetricsRequest, OtlpMetric } from '../receiver/otlp-schema.js';
import { BROWSER_VERSION_ATTRIBUTE, browserFamily, browserMajorVersion } from './browser.js';
import { SeriesCache } from './series-cache.js';

const MINUTE = 60_000;
const INFERENCE_METRIC = 'outpost.inference.duration';
const DELTA = 1;
const CUMULATIVE = 2;
const NONE: Readonly<Record<string, string>> = Object.freeze({});

/** What one request adds, and what it could not use. */
export interface RollupResult {
  rollups: RollupDelta[];
  accepted: number;
  rejected: number;
  /** One line per kind of rejection, for the partial-success message. */
  problems: string[];
}

/** Which point times are taken: within `[now - maxAge, now + maxSkew]`. */
export interface TimeWindow {
  now: number;
  maxAgeMs: number;
  maxSkewMs: number;
}

interface PointValues {
  time: number | undefined;
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  buckets: number[];
}

/**
 * Rollup deltas for `request`. Pass the same `cache` across requests (one per app) so
 * known series are not rebuilt for every point.
 *
 * @example
 * ```ts
 * const { rollups, rejected } = rollUp(request, { now: Date.now(), maxAgeMs: 7 * 86_400_000, maxSkewMs: 600_000 });
 * ```
 */
export function rollUp(request: MetricsRequest, window: TimeWindow, cache: SeriesCache = new SeriesCache()): RollupResult {
  const deltas = new Map<string, RollupDelta>();
  const problems = new Set<string>();
  let accepted = 0;
  let rejected = 0;

  function add(series: SeriesKey, point: PointValues): void {
    if (point.time === undefined || point.time === 0) {
      rejected++, problems.add('points without timeUnixNano');
      return;
    }
    if (point.time < window.now - window.maxAgeMs || point.time > window.now + window.maxSkewMs) {
      rejected++, problems.add('points outside the accepted time window');
      return;
    }
    const minute = point.time - (point.time % MINUTE);
    const key = `${seriesKey(series)}@${minute}`;
    const existing = deltas.get(key);
    accepted++;
    if (existing === undefined) {
      deltas.set(key, { series, minute, count: point.count, sum: point.sum, min: point.min, max: point.max, buckets: point.buckets });
      return;
    }
    existing.count += point.count;
    existing.sum += point.sum;
    if (point.min !== null) existing.min = existing.min === null ? point.min : Math.min(existing.min, point.min);
    if (point.max !== null) existing.max = existing.max === null ? point.max : Math.max(existing.max, point.max);
    for (let i = 0; i < point.buckets.length; i++) existing.buckets[i] = (existing.buckets[i] ?? 0) + (point.buckets[i] as number);
  }

  function addMetric(metric: OtlpMetric, browser: string, browserVersion: string): void {
    if (metric.histogram !== undefined) {
      const extra = metric.name === INFERENCE_METRIC && browserVersion !== '' ? { [BROWSER_VERSION_ATTRIBUTE]: browserVersion } : NONE;
      const temporality = metric.histogram.aggregationTemporality ?? DELTA;
      for (const point of metric.histogram.dataPoints) {
        if (temporality === CUMULATIVE || temporality > DELTA) {
          rejected++, problems.add('cumulative histograms (send delta temporality)');
          continue;
        }
        const bounds = point.bucketCounts.length === 0 ? [] : point.explicitBounds;
        add(cache.series(metric.name, 'histogram', browser, bounds, point.attributes, extra), {
          time: point.timeUnixNano,
          count: point.count,
          sum: point.sum ?? 0,
          min: point.min ?? null,
          max: point.max ?? null,
          buckets: [...point.bucketCounts],
        });
      }
    } else if (metric.sum !== undefined || metric.gauge !== undefined) {
      const kind: MetricKind = metric.sum !== undefined ? 'sum' : 'gauge';
      const temporality = metric.sum?.aggregationTemporality ?? DELTA;
      for (const point of (metric.sum ?? metric.gauge)?.dataPoints ?? []) {
        if (kind === 'sum' && (temporality === CUMULATIVE || temporality > DELTA)) {
          rejected++, problems.add('cumulative sums (send delta temporality)');
          continue;
        }
        const value = point.asDouble ?? point.asInt ?? 0;
        add(cache.series(metric.name, kind, browser, [], point.attributes, NONE), {
          time: point.timeUnixNano,
          count: 1,
          sum: value,
          min: value,
          max: value,
          buckets: [],
        });
      }
    } else {
      const points = (metric.exponentialHistogram ?? metric.summary)?.dataPoints.length ?? 0;
      rejected += points;
      if (points > 0) problems.add('exponential histograms and summaries (not stored)');
    }
  }

  for (const resourceMetrics of request.resourceMetrics) {
    const browser = browserFamily(resourceMetrics.resource.attributes);
    const browserVersion = browserMajorVersion(resourceMetrics.resource.attributes, browser);
    for (const scope of resourceMetrics.scopeMetrics) for (const metric of scope.metrics) addMetric(metric, browser, browserVersion);
  }
  return { rollups: [...deltas.values()], accepted, rejected, problems: [...problems] };
}
