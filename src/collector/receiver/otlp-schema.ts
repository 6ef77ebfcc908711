/**
 * zod schemas for decoded OTLP requests (the JSON encoding; protobuf is converted to
 * it first). They check what the processor relies on, and cap sizes so one request
 * cannot make thousands of series: int64 fields as decimal strings or safe integers,
 * finite doubles (NaN and ±Infinity refused), bucket counts that match the bounds and
 * add up to `count`. Unknown fields are ignored, as the OTLP spec asks.
 */
import { z } from 'zod';
import { fastHistogramPoints, type HistogramPointOutput } from './fast-histogram.js';

/** Attributes per data point, resource or record beyond which a request is refused. */
export const MAX_ATTRIBUTES = 64;
/** Histogram bounds per point beyond which a request is refused. */
export const MAX_BOUNDS = 256;


/** An array of at most `max` items, refused on its length before any item is parsed. */
function capped<T extends z.ZodType>(item: T, max: number) {
  return z
    .unknown()
    .refine((value) => !Array.isArray(value) || value.length <= max, { message: `more than ${max} items` })
    .pipe(z.array(item));
}

// The int64 fields are parsed by one transform each (not union + regex + pipe): they
// are most of a histogram point, and this is the ingest hot path.
const UNSIGNED = /^\d{1,20}$/;
const SIGNED = /^-?\d{1,20}$/;
const UINT64_MAX = 18446744073709551615n;

function integerField(signed: boolean) {
  return z.union([z.string(), z.number()]).transform((value, ctx) => {
    const number = typeof value === 'number' ? value : (signed ? SIGNED : UNSIGNED).test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(number) || (!signed && number < 0)) {
      ctx.addIssue({ code: 'custom', message: `expected ${signed ? 'an' : 'a non-negative'} integer below 2^53, got ${JSON.stringify(value).slice(0, 40)}` });
      return z.NEVER;
    }
    return number;
  });
}

/** A non-negative int64 (uint64/fixed64) that must fit a double exactly. */
const counter = integerField(false);

/** A signed int64, e.g. a counter's asInt. */
const int64 = integerField(true);

/** Nanoseconds since the epoch (fixed64, up to 2^64 - 1) as epoch milliseconds. */
const nanosAsMillis = z.union([z.string(), z.number()]).transform((value, ctx) => {
  if (typeof value === 'number' ? Number.isSafeInteger(value) && value >= 0 : UNSIGNED.test(value) && BigInt(value) <= UINT64_MAX) {
    return typeof value === 'number' ? Math.floor(value / 1e6) : Number(BigInt(value) / 1_000_000n);
  }
  ctx.addIssue({ code: 'custom', message: `expected nanoseconds as a uint64, got ${JSON.stringify(value).slice(0, 40)}` });
  return z.NEVER;
});

/** Bytes as base64 (protobuf) or hex (OTLP JSON trace ids). */
const bytesText = z.string().max(1024);

/**
 * An AnyValue's bytes as base64: up to a sampled input record's raw cap (256 KiB,
 * manifest `sampleInputs.maxRecordBytes`); the body limit still bounds the request.
 */
const bytesValueText = z.string().max(Math.ceil((256 * 1024) / 3) * 4);

type AnyValue =
  | { stringValue?: string; boolValue?: boolean; intValue?: number; doubleValue?: number; bytesValue?: string; arrayValue?: { values: AnyValue[] }; kvlistValue?: { values: KeyValue[] } };
interface KeyValue {
  key: string;
  value?: AnyValue | undefined;
}

const anyValue: z.ZodType<AnyValue> = z.lazy(() =>
  z.object({
    stringValue: z.string().max(4096).optional(),
    boolValue: z.boolean().optional(),
    intValue: int64.optional(),
    doubleValue: z.number().optional(),
    bytesValue: bytesValueText.optional(),
    arrayValue: z.object({ values: capped(anyValue, MAX_ATTRIBUTES).default([]) }).optional(),
    kvlistValue: z.object({ values: capped(keyValue, MAX_ATTRIBUTES).default([]) }).optional(),
  }),
) as z.ZodType<AnyValue>;

const keyValue: z.ZodType<KeyValue> = z.lazy(() =>
  z.object({ key: z.string().min(1).max(256), value: anyValue.optional() }),
) as z.ZodType<KeyValue>;

const attributes = capped(keyValue, MAX_ATTRIBUTES).default([]);

const resource = z.object({ attributes }).default({ attributes: [] });

const temporality = z
  .union([z.number().int().min(0).max(2), z.enum(['AGGREGATION_TEMPORALITY_UNSPECIFIED', 'AGGREGATION_TEMPORALITY_DELTA', 'AGGREGATION_TEMPORALITY_CUMULATIVE'])])
  .transform((value) => (typeof value === 'number' ? value : ['AGGREGATION_TEMPORALITY_UNSPECIFIED', 'AGGREGATION_TEMPORALITY_DELTA', 'AGGREGATION_TEMPORALITY_CUMULATIVE'].indexOf(value)))
  .optional();

const pointBase = {
  attributes,
  startTimeUnixNano: nanosAsMillis.optional(),
  timeUnixNano: nanosAsMillis.optional(),
  flags: z.number().int().nonnegative().optional(),
};

/** One histogram data point: the schema of record the hot path's hand check must agree with. */
export const histogramPoint = z
  .object({
    ...pointBase,
    count: counter,
    sum: z.number().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    bucketCounts: z.array(counter).max(MAX_BOUNDS + 1).default([]),
    explicitBounds: z.array(z.number()).max(MAX_BOUNDS).default([]),
  })
  .superRefine((point, ctx) => {
    const bounds = point.explicitBounds;
    for (let i = 1; i < bounds.length; i++) {
      if (!((bounds[i] as number) > (bounds[i - 1] as number))) {
        ctx.addIssue({ code: 'custom', path: ['explicitBounds', i], message: 'bounds must increase strictly' });
        return;
      }
    }
    if (point.bucketCounts.length === 0) return;
    if (point.bucketCounts.length !== bounds.length + 1) {
      ctx.addIssue({ code: 'custom', path: ['bucketCounts'], message: `expected ${bounds.length + 1} bucket counts for ${bounds.length} bounds, got ${point.bucketCounts.length}` });
      return;
    }
    const total = point.bucketCounts.reduce((a, b) => a + b, 0);
    if (total !== point.count) ctx.addIssue({ code: 'custom', path: ['count'], message: `count ${point.count} is not the bucket total ${total}` });
    if (point.min !== undefined && point.max !== undefined && point.min > point.max) {
      ctx.addIssue({ code: 'custom', path: ['min'], message: 'min above max' });
    }
  });

const histogramPointList = z.array(histogramPoint);

/**
 * A histogram's points: the hand-checked plain shape when every point has it (the
 * hot path), else the schema above, whose issues are the answer.
 */
const histogramPoints = z.unknown().transform((value, ctx): HistogramPointOutput[] => {
  const fast = fastHistogramPoints(value, { maxAttributes: MAX_ATTRIBUTES, maxBounds: MAX_BOUNDS });
  if (fast !== undefined) return fast;
  const result = histogramPointList.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) ctx.addIssue({ ...issue } as Parameters<typeof ctx.addIssue>[0]);
  return z.NEVER;
});

const numberPoint = z
  .object({ ...pointBase, asDouble: z.number().optional(), asInt: int64.optional() })
  .refine((point) => (point.asDouble === undefined) !== (point.asInt === undefined), { message: 'a number point needs exactly one of asDouble and asInt' });

const metric = z
  .object({
    name: z.string().min(1).max(256),
    unit: z.string().max(64).optional(),
    description: z.string().max(1024).optional(),
    histogram: z.object({ dataPoints: histogramPoints.default([]), aggregationTemporality: temporality }).optional(),
    sum: z.object({ dataPoints: z.array(numberPoint).default([]), aggregationTemporality: temporality, isMonotonic: z.boolean().optional() }).optional(),
    gauge: z.object({ dataPoints: z.array(numberPoint).default([]) }).optional(),
    // Accepted in the envelope but not stored: their points are reported as rejected.
    exponentialHistogram: z.object({ dataPoints: z.array(z.unknown()).default([]) }).optional(),
    summary: z.object({ dataPoints: z.array(z.unknown()).default([]) }).optional(),
  })
  .refine((m) => [m.histogram, m.sum, m.gauge, m.exponentialHistogram, m.summary].filter((d) => d !== undefined).length === 1, {
    message: 'a metric needs exactly one of histogram, sum, gauge, exponentialHistogram, summary',
  });

/** A decoded ExportMetricsServiceRequest. */
export const metricsRequestSchema = z.object({
  resourceMetrics: z
    .array(
      z.object({
        resource,
        scopeMetrics: z.array(z.object({ metrics: z.array(metric).default([]) })).default([]),
      }),
    )
    .default([]),
});
export type MetricsRequest = z.infer<typeof metricsRequestSchema>;
export type OtlpMetric = MetricsRequest['resourceMetrics'][number]['scopeMetrics'][number]['metrics'][number];
export type OtlpKeyValue = KeyValue;
export type OtlpAnyValue = AnyValue;

const logRecord = z.object({
  timeUnixNano: nanosAsMillis.optional(),
  observedTimeUnixNano: nanosAsMillis.optional(),
  severityNumber: z.number().int().min(0).max(24).optional(),
  severityText: z.string().max(32).optional(),
  body: anyValue.optional(),
  attributes,
  traceId: bytesText.optional(),
  spanId: bytesText.optional(),
  flags: z.number().int().nonnegative().optional(),
});

/** A decoded ExportLogsServiceRequest. */
export const logsRequestSchema = z.object({
  resourceLogs: z
    .array(
      z.object({
        resource,
        scopeLogs: z.array(z.object({ logRecords: z.array(logRecord).default([]) })).default([]),
      }),
    )
    .default([]),
});
export type LogsRequest = z.infer<typeof logsRequestSchema>;
