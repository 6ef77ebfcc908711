import { describe, expect, it } from 'vitest';
import { DriftBinner } from '../../../src/drift/binning.js';
import { runFeatures, type FeatureSink } from '../../../src/drift/features.js';
import { computeReference } from '../../../src/registry/reference.js';
import { Aggregator, Histogram } from '../../../src/telemetry/aggregate.js';

const noisy = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => (i % 97 === 0 ? Number.NaN : Math.sin(i * 12.9898 + seed) * 3));

describe('DriftBinner bulk float32 path', () => {
  it('counts exactly what the per-value path counts: buckets, count, sum, min, max, NaN left out', () => {
    const run = (seed: number) => ({
      inputs: { x: { type: 'float32', data: noisy(3000, seed), dims: [3, 1000] } },
      outputs: { y: { type: 'float32', data: noisy(20, seed + 1).map((v) => (Number.isNaN(v) ? 0.5 : v)), dims: [2, 10] } },
    });
    const collected: Record<string, number[]> = {};
    const collector: FeatureSink = { target: (feature) => (value) => void (collected[feature] ??= []).push(value) };
    for (let seed = 0; seed < 5; seed++) runFeatures(run(seed).inputs, run(seed).outputs, collector);
    const reference = computeReference({ features: collected });

    const bulk = new Aggregator(0);
    const perValue = new Aggregator(0);
    const binner = new DriftBinner(bulk, reference, 'm', '1');
    const plain = new DriftBinner(perValue, reference, 'm', '1');
    // The same binner without its bulk path: every value through target().
    const oneByOne: FeatureSink = { target: (feature) => plain.target(feature) };
    for (let seed = 10; seed < 20; seed++) {
      const { inputs, outputs } = run(seed);
      binner.record(inputs, outputs);
      runFeatures(inputs, outputs, oneByOne);
    }
    const a = bulk.drain(1).points;
    expect(a.length).toBe(reference.features.length);
    expect(a).toEqual(perValue.drain(1).points);
  });

  it.each([
    ['uneven edges', [-3, -0.5, -0.49, 0, 0.001, 2, 50]],
    ['one edge', [0.25]],
    ['no edge', []],
    ['equal edges', [1, 1, 1]],
    ['huge span', [-1e300, 0, 1e300]],
  ])('recordFloats with %s puts every value where record does: on an edge, beside it, beyond the span', (_, bounds) => {
    const values: number[] = [Number.NaN, Number.POSITIVE_INFINITY, -1e308, 1e308];
    for (const edge of bounds) {
      const f = Math.fround(edge);
      values.push(f, Math.fround(f + Math.abs(f) * 1e-7 + 1e-30), Math.fround(f - Math.abs(f) * 1e-7 - 1e-30), f + 1, f - 1);
    }
    for (let i = 0; i < 2000; i++) values.push(Math.sin(i * 7.31) * 60);
    const data = Float32Array.from(values);
    const bulk = new Histogram(bounds);
    const one = new Histogram(bounds);
    bulk.recordFloats(data, 1);
    for (const value of data) one.record(value);
    expect([...bulk.bucketCounts]).toEqual([...one.bucketCounts]);
    expect([bulk.count, bulk.sum, bulk.min, bulk.max]).toEqual([one.count, one.sum, one.min, one.max]);
  });
});
