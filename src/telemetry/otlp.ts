/**
 * OTLP/HTTP JSON encoding of metric windows (the OTLP JSON mapping: int64 as decimal
 * strings, enums as numbers, lowerCamelCase fields), split into requests that each
 * stay under a byte budget so a page being hidden can send them with keepalive.
 */
import type { MetricsWindow, SeriesPoint } from './aggregate.js';
import { AGGREGATION_TEMPORALITY_DELTA, SDK_NAME, SDK_VERSION } from './names.js';

/** A resource attribute value: what OTLP's AnyValue carries here. */
export type AttributeValue = string | number | boolean | string[];

/** Chromium caps keepalive request bodies at 64 KiB in flight: stay below. */
export const MAX_REQUEST_BYTES = 60 * 1024;

const UNITS: Record<string, string> = {
  'outpost.inference.duration': 'ms',
  'outpost.load.duration': 'ms',
};

type OtlpAnyValue =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number }
  | { boolValue: boolean }
  | { arrayValue: { values: OtlpAnyValue[] } };

interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

function anyValue(value: AttributeValue): OtlpAnyValue {
  if (Array.isArray(value)) return { arrayValue: { values: value.map((v) => ({ stringValue: v })) } };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  return { stringValue: value };
}

/** OTLP attributes, in key order so equal sets encode to equal bytes. */
export function keyValues(attributes: Record<string, AttributeValue>): OtlpKeyValue[] {
  return Object.keys(attributes)
    .sort()
    .map((key) => ({ key, value: anyValue(attributes[key] as AttributeValue) }));
}

/** Epoch milliseconds as OTLP's fixed64 nanoseconds, a decimal string. */
export function unixNanos(ms: number): string {
  return (BigInt(Math.round(ms)) * 1_000_000n).toString();
}

function metricsOf(points: readonly SeriesPoint[], start: string, end: string): unknown[] {
  const byName = new Map<string, SeriesPoint[]>();
  for (const point of points) {
    const list = byName.get(point.metric);
    if (list) list.push(point);
    else byName.set(point.metric, [point]);
  }
  const metrics: unknown[] = [];
  for (const [name, list] of byName) {
    const unit = UNITS[name] ?? '1';
    const first = list[0] as SeriesPoint;
    if (first.kind === 'histogram') {
      const dataPoints = list.map((point) => {
        if (point.kind !== 'histogram') throw new TypeError(`${name}: mixed point kinds`);
        return {
          attributes: keyValues(point.attributes),
          startTimeUnixNano: start,
          timeUnixNano: end,
          count: String(point.count),
          sum: point.sum,
          bucketCounts: point.bucketCounts.map(String),
          explicitBounds: point.bounds,
          min: point.min,
          max: point.max,
        };
      });
      metrics.push({ name, unit, histogram: { dataPoints, aggregationTemporality: AGGREGATION_TEMPORALITY_DELTA } });
    } else {
      const dataPoints = list.map((point) => {
        if (point.kind !== 'sum') throw new TypeError(`${name}: mixed point kinds`);
        return { attributes: keyValues(point.attributes), startTimeUnixNano: start, timeUnixNano: end, asInt: String(point.value) };
      });
      metrics.push({ name, unit, sum: { dataPoints, aggregationTemporality: AGGREGATION_TEMPORALITY_DELTA, isMonotonic: true } });
    }
  }
  return metrics;
}

/**
 * One ExportMetricsServiceRequest (OTLP JSON) for `points` of one window.
 *
 * @example
 * ```ts
 * const body = metricsRequest(window, window.points, { 'service.name': 'app.example' });
 * ```
 */
export function metricsRequest(window: Pick<MetricsWindow, 'start' | 'end'>, points: readonly SeriesPoint[], resource: Record<string, AttributeValue>): unknown {
  return {
    resourceMetrics: [
      {
        resource: { attributes: keyValues(resource) },
        scopeMetrics: [{ scope: { name: SDK_NAME, version: SDK_VERSION }, metrics: metricsOf(points, unixNanos(window.start), unixNanos(window.end)) }],
      },
    ],
  };
}

/**
 * The window as JSON request bodies, each at most `maxBytes` (UTF-8): points are split
 * over as many complete requests as needed, never across one data point. An empty
 * window gives no request.
 *
 * @example
 * ```ts
 * for (const body of encodeMetricsWindow(window, resource)) await send('/v1/metrics', body);
 * ```
 */
export function encodeMetricsWindow(window: MetricsWindow, resource: Record<string, AttributeValue>, maxBytes = MAX_REQUEST_BYTES): string[] {
  if (window.points.length === 0) return [];
  const encoder = new TextEncoder();
  const bodies: string[] = [];
  const encode = (points: readonly SeriesPoint[]) => {
    const body = JSON.stringify(metricsRequest(window, points, resource));
    if (points.length === 1 || encoder.encode(body).byteLength <= maxBytes) {
      bodies.push(body);
      return;
    }
    const half = Math.ceil(points.length / 2);
    encode(points.slice(0, half));
    encode(points.slice(half));
  };
  encode(window.points);
  return bodies;
}
