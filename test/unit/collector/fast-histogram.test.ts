import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fastHistogramPoints } from '../../../src/collector/receiver/fast-histogram.js';
import { histogramPoint as histogramPointSchema, MAX_ATTRIBUTES, MAX_BOUNDS } from '../../../src/collector/receiver/otlp-schema.js';
import { histogramPoint, kv } from './otlp.js';

const schema = z.array(histogramPointSchema);
const limits = { maxAttributes: MAX_ATTRIBUTES, maxBounds: MAX_BOUNDS };

// Values every field is tried with: each is valid for some fields and wrong for others.
const ODD: unknown[] = [
  undefined, null, 0, -0, -1, 1.5, 2 ** 53, Number.NaN, Infinity, '', '0', '-1', '1.5', '1e3', ' 1', '٣',
  '18446744073709551615', '18446744073709551616', '99999999999999999999', '1700000000000000000', '9007199254740993',
  true, [], [1], ['1'], {}, { stringValue: 'x' }, 'x'.repeat(300),
];
const FIELDS = ['attributes', 'startTimeUnixNano', 'timeUnixNano', 'flags', 'count', 'sum', 'min', 'max', 'bucketCounts', 'explicitBounds'];

function variants(): unknown[] {
  const base = histogramPoint();
  const out: unknown[] = [base, { ...base, exemplars: [] }, { ...base, bucketCounts: [], explicitBounds: [] }, { ...base, min: 9, max: 1 }, { ...base, bucketCounts: [], min: 9, max: 1 }];
  for (const field of FIELDS) for (const value of ODD) out.push({ ...base, [field]: value });
  for (const value of ODD) {
    out.push({ ...base, attributes: [{ key: 'k', value }] }, { ...base, attributes: [{ key: value, value: { stringValue: 'v' } }] });
    out.push({ ...base, attributes: [{ key: 'k', value: { stringValue: 'v', intValue: value } }] }, { ...base, attributes: [{ key: 'k', value: { stringValue: value } }] });
    out.push({ ...base, bucketCounts: ['1', value, '1'], count: '3' }, { ...base, explicitBounds: [5, value] });
  }
  out.push({ ...base, attributes: Array.from({ length: MAX_ATTRIBUTES + 1 }, (_, i) => kv(`k${i}`, 'v')) });
  out.push({ ...base, explicitBounds: [10, 5] }, { ...base, explicitBounds: [5, 5] }, { ...base, count: '5' }, { ...base, bucketCounts: ['1', '1'], count: '2' });
  out.push({ ...base, explicitBounds: Array.from({ length: MAX_BOUNDS + 1 }, (_, i) => i) });
  return out;
}

describe('the hand check of histogram points', () => {
  it('takes the plain shape devices send, with the schema’s output', () => {
    const points = [histogramPoint(), histogramPoint({ model: 'other', buckets: [0, 0, 7] })];
    const fast = fastHistogramPoints(points, limits);
    expect(fast).toBeDefined();
    expect(fast).toEqual(schema.parse(points));
  });

  it('takes nothing the schema refuses, and answers what the schema answers', () => {
    let taken = 0;
    for (const point of variants()) {
      const fast = fastHistogramPoints([point], limits);
      const slow = schema.safeParse([point]);
      if (fast === undefined) continue;
      taken++;
      expect(slow.success, JSON.stringify(point)).toBe(true);
      expect(fast, JSON.stringify(point)).toEqual(slow.data);
    }
    expect(taken).toBeGreaterThan(20);
  });

  it('leaves everything but arrays to the schema', () => {
    for (const value of [undefined, null, {}, 'x', 1]) expect(fastHistogramPoints(value, limits)).toBeUndefined();
  });
});
