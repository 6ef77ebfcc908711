import { describe, expect, it } from 'vitest';
import { binIndex, computeReference } from '../../../src/registry/reference.js';
import { referenceSchema } from '../../../src/registry/schema.js';
import { thrown } from './fixtures.js';

describe('drift reference', () => {
  it('bins values the OTLP way: (edge[i-1], edge[i]]', () => {
    expect([0.5, 1, 1.5, 2, 9].map((v) => binIndex([1, 2], v))).toEqual([0, 0, 1, 1, 2]);
    expect(binIndex([], 3)).toBe(0);
  });

  it('computes ten quantile bins with counts that add up', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i);
    const reference = computeReference({ features: { x: values } });
    const [feature] = reference.features;
    expect(feature?.edges).toHaveLength(9);
    expect(feature?.counts).toHaveLength(10);
    expect(feature?.counts.reduce((a, b) => a + b, 0)).toBe(1000);
    for (const count of feature?.counts ?? []) expect(count).toBe(100);
    expect(referenceSchema.parse(reference)).toEqual(reference);
  });

  it('dedupes equal edges for features with few distinct values', () => {
    const reference = computeReference({ features: { flag: [0, 0, 0, 0, 0, 0, 0, 1, 1, 1], constant: [5, 5, 5] } });
    const constant = reference.features.find((f) => f.name === 'constant');
    const flag = reference.features.find((f) => f.name === 'flag');
    expect(constant).toEqual({ name: 'constant', edges: [5], counts: [3, 0] });
    expect(flag?.edges).toEqual([0, 1]);
    expect(flag?.counts).toEqual([7, 3, 0]);
    expect(referenceSchema.parse(reference)).toEqual(reference);
  });

  it('refuses malformed samples with METADATA_INVALID', () => {
    for (const samples of [{}, { features: { x: [] } }, { features: { x: ['1'] } }, { features: [1, 2] }]) {
      expect(thrown(() => computeReference(samples))).toMatchObject({ code: 'METADATA_INVALID' });
    }
  });
});
