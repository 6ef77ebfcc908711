/**
 * The ingest hot path's shortcut past zod: a histogram's data points checked by hand
 * when every one of them has the plain shape devices send (string attributes, int64s
 * as decimal strings or safe integers, finite doubles, consistent buckets). It accepts
 * only what the zod schema accepts and returns what the schema would: anything else,
 * valid or not, answers `undefined` and the schema decides, so its messages stay the
 * only ones. Profiles showed zod's per-object work (and the garbage it leaves) as the
 * largest cost of an ingest request.
 */
import type { OtlpKeyValue } from './otlp-schema.js';

/** A histogram point as the schema outputs it (times in epoch milliseconds). */
export interface HistogramPointOutput {
  attributes: OtlpKeyValue[];
  startTimeUnixNano?: number | undefined;
  timeUnixNano?: number | undefined;
  flags?: number | undefined;
  count: number;
  sum?: number | undefined;
  min?: number | undefined;
  max?: number | undefined;
  bucketCounts: number[];
  explicitBounds: number[];
}

interface Limits {
  maxAttributes: number;
  maxBounds: number;
}

const OTHER_VALUE_FIELDS = ['boolValue', 'intValue', 'doubleValue', 'bytesValue', 'arrayValue', 'kvlistValue'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A key-value whose value is absent or a short stringValue alone. */
function plainKeyValue(item: unknown): boolean {
  if (!isRecord(item)) return false;
  const key = item.key;
  if (typeof key !== 'string' || key.length < 1 || key.length > 256) return false;
  const value = item.value;
  if (value === undefined) return true;
  if (!isRecord(value)) return false;
  const text = value.stringValue;
  if (text !== undefined && (typeof text !== 'string' || text.length > 4096)) return false;
  for (const field of OTHER_VALUE_FIELDS) if (value[field] !== undefined) return false;
  return true;
}

function isDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A uint64 counter as a safe integer, or NaN when the schema would not take it here. */
function counter(value: unknown): number {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : NaN;
  if (typeof value !== 'string' || value.length > 20 || !isDigits(value)) return NaN;
  const number = Number(value);
  return Number.isSafeInteger(number) ? number : NaN;
}

/**
 * Nanoseconds to epoch milliseconds: undefined when absent, NaN when not taken here.
 * Dropping a decimal string's last six digits is its exact division by 10^6; 19 digits
 * at most stay below 2^64, longer ones go to the schema.
 */
function nanosAsMillis(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? Math.floor(value / 1e6) : NaN;
  if (typeof value !== 'string' || value.length > 19 || !isDigits(value)) return NaN;
  return value.length <= 6 ? 0 : Number(value.slice(0, -6));
}

function optionalFinite(value: unknown): boolean {
  return value === undefined || (typeof value === 'number' && Number.isFinite(value));
}

function point(raw: unknown, limits: Limits): HistogramPointOutput | undefined {
  if (!isRecord(raw)) return undefined;
  // The schema's defaults fill in absent fields only: null is refused there.
  const attributes = raw.attributes === undefined ? [] : raw.attributes;
  if (!Array.isArray(attributes) || attributes.length > limits.maxAttributes) return undefined;
  for (const item of attributes) if (!plainKeyValue(item)) return undefined;
  const startTimeUnixNano = nanosAsMillis(raw.startTimeUnixNano);
  const timeUnixNano = nanosAsMillis(raw.timeUnixNano);
  if (Number.isNaN(startTimeUnixNano) || Number.isNaN(timeUnixNano)) return undefined;
  const { flags, sum, min, max } = raw;
  if (flags !== undefined && !(Number.isSafeInteger(flags) && (flags as number) >= 0)) return undefined;
  if (!optionalFinite(sum) || !optionalFinite(min) || !optionalFinite(max)) return undefined;
  const count = counter(raw.count);
  if (Number.isNaN(count)) return undefined;
  const rawBounds = raw.explicitBounds === undefined ? [] : raw.explicitBounds;
  const rawCounts = raw.bucketCounts === undefined ? [] : raw.bucketCounts;
  if (!Array.isArray(rawBounds) || rawBounds.length > limits.maxBounds || !Array.isArray(rawCounts)) return undefined;
  if (rawCounts.length !== 0 && rawCounts.length !== rawBounds.length + 1) return undefined;
  for (let i = 0; i < rawBounds.length; i++) {
    const bound = rawBounds[i] as unknown;
    if (typeof bound !== 'number' || !Number.isFinite(bound) || (i > 0 && !(bound > (rawBounds[i - 1] as number)))) return undefined;
  }
  const bucketCounts = new Array<number>(rawCounts.length);
  let total = 0;
  for (let i = 0; i < rawCounts.length; i++) {
    const n = counter(rawCounts[i]);
    if (Number.isNaN(n)) return undefined;
    bucketCounts[i] = n;
    total += n;
  }
  if (rawCounts.length !== 0 && total !== count) return undefined;
  if (min !== undefined && max !== undefined && (min as number) > (max as number)) return undefined;
  const out: HistogramPointOutput = { attributes: attributes as OtlpKeyValue[], count, bucketCounts, explicitBounds: rawBounds as number[] };
  if (startTimeUnixNano !== undefined) out.startTimeUnixNano = startTimeUnixNano;
  if (timeUnixNano !== undefined) out.timeUnixNano = timeUnixNano;
  if (flags !== undefined) out.flags = flags as number;
  if (sum !== undefined) out.sum = sum as number;
  if (min !== undefined) out.min = min as number;
  if (max !== undefined) out.max = max as number;
  return out;
}

/**
 * `value`'s histogram points when all of them take the plain shape, else undefined.
 * The returned points share their attribute and bounds arrays with `value` (the
 * processor never mutates them); their attribute objects may keep unknown fields the
 * schema would strip, which nothing reads.
 *
 * @example
 * ```ts
 * fastHistogramPoints([{ timeUnixNano: '1700000000000000000', count: '1', bucketCounts: ['1'] }], { maxAttributes: 64, maxBounds: 256 });
 * // [{ attributes: [], timeUnixNano: 1700000000000, count: 1, bucketCounts: [1], explicitBounds: [] }]
 * ```
 */
export function fastHistogramPoints(value: unknown, limits: Limits): HistogramPointOutput[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const points = new Array<HistogramPointOutput>(value.length);
  for (let i = 0; i < value.length; i++) {
    const parsed = point(value[i], limits);
    if (parsed === undefined) return undefined;
    points[i] = parsed;
  }
  return points;
}
