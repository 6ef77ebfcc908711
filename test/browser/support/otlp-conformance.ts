// Decodes OTLP/HTTP JSON metric payloads with the official protobuf definitions (the
// protobufjs root @opentelemetry/otlp-transformer 0.52 ships) and checks that a round
// trip through protobuf loses or retypes nothing.
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js') as {
  opentelemetry: {
    proto: { collector: { metrics: { v1: { ExportMetricsServiceRequest: ProtoType } }; logs: { v1: { ExportLogsServiceRequest: ProtoType } } } };
  };
};

interface ProtoType {
  fromObject(object: unknown): unknown;
  encode(message: unknown): { finish(): Uint8Array };
  decode(bytes: Uint8Array): unknown;
  toObject(message: unknown, options: Record<string, unknown>): unknown;
}

const Request = root.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
const LogsRequest = root.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;

export interface DecodedPoint {
  metric: string;
  attributes: Record<string, string>;
  count?: number;
  sum?: number;
  bucketCounts?: number[];
  explicitBounds?: number[];
  asInt?: number;
  startTimeUnixNano: string;
  timeUnixNano: string;
}

function fail(message: string): never {
  throw new Error(`OTLP conformance: ${message}`);
}

function isInt64String(value: unknown): value is string {
  return typeof value === 'string' && /^-?\d+$/.test(value);
}

/** Empty repeated fields are absent on the wire: compare without them. */
function withoutEmptyArrays(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmptyArrays);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) if (!(Array.isArray(field) && field.length === 0)) out[key] = withoutEmptyArrays(field);
  return out;
}

/** Checks one JSON payload and returns its data points; throws on any defect. */
export function checkMetricsPayload(json: unknown): DecodedPoint[] {
  const message = Request.fromObject(json);
  const decoded = Request.toObject(Request.decode(Request.encode(message).finish()), { longs: String, enums: Number, defaults: false, arrays: true });
  if (!isDeepStrictEqual(withoutEmptyArrays(decoded), withoutEmptyArrays(json))) {
    fail(`protobuf round trip differs:\n${JSON.stringify(json).slice(0, 2000)}\n${JSON.stringify(decoded).slice(0, 2000)}`);
  }
  const points: DecodedPoint[] = [];
  const request = json as { resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: Array<Record<string, any>> }> }> };
  for (const rm of request.resourceMetrics) {
    for (const sm of rm.scopeMetrics) {
      for (const metric of sm.metrics) {
        const data = metric.histogram ?? metric.sum;
        if (!data) fail(`${metric.name}: neither histogram nor sum`);
        if (data.aggregationTemporality !== 1) fail(`${metric.name}: not DELTA`);
        for (const dp of data.dataPoints) {
          if (!isInt64String(dp.timeUnixNano) || !isInt64String(dp.startTimeUnixNano)) fail(`${metric.name}: times are not int64 strings`);
          if (BigInt(dp.startTimeUnixNano) > BigInt(dp.timeUnixNano)) fail(`${metric.name}: window ends before it starts`);
          const attributes: Record<string, string> = {};
          for (const kv of dp.attributes ?? []) attributes[kv.key] = kv.value.stringValue ?? kv.value.intValue ?? String(kv.value.boolValue);
          const point: DecodedPoint = { metric: metric.name, attributes, startTimeUnixNano: dp.startTimeUnixNano, timeUnixNano: dp.timeUnixNano };
          if (metric.histogram) {
            if (!isInt64String(dp.count)) fail(`${metric.name}: count is not an int64 string`);
            if (!dp.bucketCounts.every(isInt64String)) fail(`${metric.name}: bucketCounts are not int64 strings`);
            const bounds: number[] = dp.explicitBounds ?? [];
            if (dp.bucketCounts.length !== bounds.length + 1) fail(`${metric.name}: ${dp.bucketCounts.length} buckets for ${bounds.length} bounds`);
            const counts = dp.bucketCounts.map(Number);
            if (counts.reduce((a: number, b: number) => a + b, 0) !== Number(dp.count)) fail(`${metric.name}: bucket counts do not add up to count`);
            if (typeof dp.sum !== 'number') fail(`${metric.name}: no sum`);
            Object.assign(point, { count: Number(dp.count), sum: dp.sum, bucketCounts: counts, explicitBounds: bounds });
          } else {
            if (!isInt64String(dp.asInt)) fail(`${metric.name}: asInt is not an int64 string`);
            point.asInt = Number(dp.asInt);
          }
          points.push(point);
        }
      }
    }
  }
  return points;
}

/** One sampled-input log record, decoded from protobuf: its attributes and its inputs' exact values. */
export interface DecodedSample {
  attributes: Record<string, string>;
  timeUnixNano: string;
  inputs: Record<string, { type: string; dims: number[]; values: number[] }>;
}

interface ProtoAnyValue {
  stringValue?: string;
  intValue?: { toString(): string } | number;
  bytesValue?: Uint8Array;
  arrayValue?: { values: ProtoAnyValue[] };
  kvlistValue?: { values: Array<{ key: string; value: ProtoAnyValue }> };
}

function kvlist(value: ProtoAnyValue | undefined, what: string): Record<string, ProtoAnyValue> {
  if (!value?.kvlistValue) fail(`${what}: not a kvlist`);
  return Object.fromEntries(value.kvlistValue.values.map((kv) => [kv.key, kv.value]));
}

function valuesOf(type: string, bytes: Uint8Array): number[] {
  // A copy into its own buffer: protobufjs hands out views of a pooled Buffer.
  const buffer = Uint8Array.from(bytes).buffer;
  if (type === 'float32') return Array.from(new Float32Array(buffer));
  if (type === 'int32') return Array.from(new Int32Array(buffer));
  if (type === 'int64') return Array.from(new BigInt64Array(buffer), Number);
  if (type === 'uint8' || type === 'bool') return Array.from(bytes);
  return fail(`unexpected tensor type ${type}`);
}

/**
 * Checks one JSON logs payload (a protobuf round trip loses or retypes nothing) and
 * returns its records with each input decoded from the protobuf bytes field.
 */
export function checkLogsPayload(json: unknown): DecodedSample[] {
  const message = LogsRequest.fromObject(json);
  const wire = LogsRequest.decode(LogsRequest.encode(message).finish());
  const decoded = LogsRequest.toObject(wire, { longs: String, enums: Number, bytes: String, defaults: false, arrays: true });
  if (!isDeepStrictEqual(withoutEmptyArrays(decoded), withoutEmptyArrays(json))) {
    fail(`protobuf round trip differs:\n${JSON.stringify(json).slice(0, 2000)}\n${JSON.stringify(decoded).slice(0, 2000)}`);
  }
  const samples: DecodedSample[] = [];
  const request = wire as { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: Array<{ attributes: Array<{ key: string; value: ProtoAnyValue }>; body?: ProtoAnyValue; timeUnixNano: unknown }> }> }> };
  for (const rl of request.resourceLogs) {
    for (const sl of rl.scopeLogs) {
      for (const record of sl.logRecords) {
        const attributes: Record<string, string> = {};
        for (const kv of record.attributes) attributes[kv.key] = kv.value.stringValue ?? String(kv.value.intValue);
        const inputs: DecodedSample['inputs'] = {};
        for (const [name, tensor] of Object.entries(kvlist(record.body, 'body'))) {
          const fields = kvlist(tensor, name);
          const type = fields.type?.stringValue ?? fail(`${name}: no type`);
          const bytes = fields.data?.bytesValue ?? fail(`${name}: no bytes`);
          const dims = (fields.dims?.arrayValue?.values ?? []).map((v) => Number(String(v.intValue)));
          inputs[name] = { type, dims, values: valuesOf(type, bytes) };
        }
        samples.push({ attributes, timeUnixNano: String(record.timeUnixNano), inputs });
      }
    }
  }
  return samples;
}
