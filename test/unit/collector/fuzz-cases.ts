/**
 * Malformed OTLP requests for the fuzz test: each one must be refused with a 4xx.
 * Deterministic (seeded), so a failure names a case that can be replayed.
 */
import { gzipSync } from 'node:zlib';
import { encodeProtobufRequest } from '../../../src/collector/receiver/protobuf.js';
import { prng } from '../../browser/support/tensors.js';
import { histogramPoint, kv, metricsRequest } from './otlp.js';

export interface FuzzCase {
  kind: string;
  path: '/v1/metrics' | '/v1/logs';
  headers: Record<string, string>;
  body: Buffer;
}


const JSON_TYPE = { 'content-type': 'application/json' };
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

function withPoint(patch: Record<string, unknown>) {
  return metricsRequest([{ ...histogramPoint(), ...patch } as ReturnType<typeof histogramPoint>]);
}

const BAD_NUMBERS: unknown[] = ['NaN', 'Infinity', '-1', '1e400', '18446744073709551616', -5, 1.5, 'abc', '', null, true, {}, [], '0x10'];

// Built once: 400 kB of JSON per case would dominate the run.
let manyAttributes: Buffer | undefined;

type Maker = (rnd: () => number, pick: <T>(items: readonly T[]) => T) => Omit<FuzzCase, 'kind'>;

const MAKERS: Record<string, Maker> = {
  truncated: (rnd) => {
    const full = JSON.stringify(withPoint({}));
    return { path: '/v1/metrics', headers: JSON_TYPE, body: Buffer.from(full.slice(0, 1 + Math.floor(rnd() * (full.length - 2)))) };
  },
  'truncated protobuf': (rnd) => {
    const full = encodeProtobufRequest('metrics', withPoint({}));
    // Cut inside the first field, so the length prefix runs past the end.
    return { path: '/v1/metrics', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from(full.subarray(0, 2 + Math.floor(rnd() * 8))) };
  },
  'wrong type': (_rnd, pick) => {
    const variants = [{ resourceMetrics: pick(['x', 1, true, {}]) }, withPoint({ attributes: 'x' }), withPoint({ explicitBounds: ['a'] }), { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 7, gauge: { dataPoints: [] } }] }] }] }, 'string', 42, null];
    return { path: '/v1/metrics', headers: JSON_TYPE, body: json(pick(variants)) };
  },
  'bad number': (_rnd, pick) => {
    const field = pick(['count', 'sum', 'timeUnixNano', 'bucketCounts', 'min']);
    const value = pick(BAD_NUMBERS);
    const patch = field === 'bucketCounts' ? { bucketCounts: [value, '1', '1'] } : { [field]: value };
    // A valid `min` string etc. would pass: force a value that no field accepts.
    return { path: '/v1/metrics', headers: JSON_TYPE, body: json(withPoint(field === 'sum' || field === 'min' ? { [field]: 'NaN' } : patch)) };
  },
  'huge number': (_rnd, pick) => ({ path: '/v1/metrics', headers: JSON_TYPE, body: Buffer.from(JSON.stringify(withPoint({})).replace('"sum":40', `"sum":${pick(['1e999', '-1e999'])}`)) }),
  'NaN string in a double': () => ({ path: '/v1/metrics', headers: JSON_TYPE, body: json(withPoint({ explicitBounds: ['NaN', 10] })) }),
  'deep nesting': (rnd) => {
    const depth = 40 + Math.floor(rnd() * 5000);
    return { path: '/v1/metrics', headers: JSON_TYPE, body: Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`) };
  },
  'deep attribute value': () => {
    let value: unknown = { stringValue: 'x' };
    for (let i = 0; i < 40; i++) value = { kvlistValue: { values: [{ key: 'k', value }] } };
    return { path: '/v1/metrics', headers: JSON_TYPE, body: json(withPoint({ attributes: [{ key: 'deep', value }] })) };
  },
  '10,000 attributes': () => ({ path: '/v1/metrics', headers: JSON_TYPE, body: (manyAttributes ??= json(withPoint({ attributes: Array.from({ length: 10_000 }, (_, i) => kv(`a${i}`, 'v')) }))) }),
  'invalid UTF-8': (rnd) => {
    const text = Buffer.from(JSON.stringify(withPoint({})));
    const at = text.indexOf('vad');
    const bad = Buffer.from(rnd() < 0.5 ? [0xc3, 0x28] : [0xff, 0xfe]);
    return { path: '/v1/metrics', headers: JSON_TYPE, body: Buffer.concat([text.subarray(0, at), bad, text.subarray(at)]) };
  },
  'mismatched bucket counts': (rnd) => {
    const n = Math.floor(rnd() * 6);
    return { path: '/v1/metrics', headers: JSON_TYPE, body: json(withPoint({ bucketCounts: Array.from({ length: n === 3 ? 5 : n || 1 }, () => '1'), count: String(n) })) };
  },
  'count not the bucket total': () => ({ path: '/v1/metrics', headers: JSON_TYPE, body: json(withPoint({ count: '1000' })) }),
  'unsorted bounds': () => ({ path: '/v1/metrics', headers: JSON_TYPE, body: json(withPoint({ explicitBounds: [10, 5] })) }),
  'wrong content type': (_rnd, pick) => ({ path: '/v1/metrics', headers: { 'content-type': pick(['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/jsonx']) }, body: json(withPoint({})) }),
  'JSON sent as protobuf': () => ({ path: '/v1/metrics', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from('{"resourceMetrics":[{"x":'.repeat(3)) }),
  'random bytes as protobuf': (rnd) => ({
    path: '/v1/metrics',
    headers: { 'content-type': 'application/x-protobuf' },
    // 0x0a then a length far past the end: never a complete message.
    body: Buffer.concat([Buffer.from([0x0a, 0xff, 0xff, 0x7f]), Buffer.from(Array.from({ length: 4 + Math.floor(rnd() * 60) }, () => Math.floor(rnd() * 256)))]),
  }),
  'bad gzip': (rnd) => {
    const zipped = gzipSync(json(withPoint({})));
    const cut = zipped.subarray(0, Math.max(1, Math.floor(rnd() * (zipped.length - 1))));
    return { path: '/v1/metrics', headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, body: rnd() < 0.5 ? cut : Buffer.from('plain text, not gzip') };
  },
  'unknown encoding': (_rnd, pick) => ({ path: '/v1/metrics', headers: { ...JSON_TYPE, 'content-encoding': pick(['br', 'deflate', 'zstd', 'x-gzip2']) }, body: json(withPoint({})) }),
  'bad idempotency key': () => ({ path: '/v1/metrics', headers: { ...JSON_TYPE, 'idempotency-key': 'x'.repeat(300) }, body: json(withPoint({})) }),
  'two data kinds': () => ({ path: '/v1/metrics', headers: JSON_TYPE, body: json({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'm', gauge: { dataPoints: [] }, sum: { dataPoints: [] } }] }] }] }) }),
  'number point without value': () => ({ path: '/v1/metrics', headers: JSON_TYPE, body: json({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'm', gauge: { dataPoints: [{ timeUnixNano: '1' }] } }] }] }] }) }),
  'bad log record': (_rnd, pick) => ({
    path: '/v1/logs',
    headers: JSON_TYPE,
    body: json(pick([{ resourceLogs: [{ scopeLogs: [{ logRecords: [{ severityNumber: 99 }] }] }] }, { resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { intValue: 'x' } }] }] }] }, { resourceLogs: 3 }])),
  }),
};

/** The kinds of malformed request. */
export const FUZZ_KINDS = Object.keys(MAKERS);

/** `count` malformed requests covering every kind in turn, made one at a time. */
export function* fuzzCases(count: number, seed = 9): Generator<FuzzCase> {
  const rnd = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
  for (let i = 0; i < count; i++) {
    const kind = FUZZ_KINDS[i % FUZZ_KINDS.length] as string;
    yield { kind, ...(MAKERS[kind] as Maker)(rnd, pick) };
  }
}
