import { describe, expect, it } from 'vitest';
import { DriftBinner } from '../../../src/drift/binning.js';
import { FeatureSamples, tensorFeatures } from '../../../src/drift/features.js';
import { featureName, parseFeatureName, VALUE_SAMPLE_LIMIT } from '../../../src/drift/names.js';
import { Aggregator } from '../../../src/telemetry/aggregate.js';

describe('drift features', () => {
  it('samples large tensors at a fixed stride from element 0', () => {
    const n = VALUE_SAMPLE_LIMIT * 3 + 1;
    const samples = new FeatureSamples();
    tensorFeatures('input', 'big', { type: 'float32', data: Float32Array.from({ length: n }, (_, i) => i), dims: [n] }, samples);
    const { features } = samples.toSamples();
    expect(features['input.big.value']?.slice(0, 3)).toEqual([0, 4, 8]);
    expect(features['input.big.value']?.length).toBeLessThanOrEqual(VALUE_SAMPLE_LIMIT);
    expect(features['input.big.mean']).toEqual([(n - 1) / 2]);
  });

  it('keeps mean and std exact on a large common offset, float32 and float64 alike', () => {
    const samples = new FeatureSamples();
    // 2^24 + k is exact in float32; a naive sum of squares would lose the spread entirely.
    const offset = 2 ** 24;
    tensorFeatures('input', 'f32', { type: 'float32', data: new Float32Array([offset, offset + 2, offset + 4, offset + 6]), dims: [4] }, samples);
    tensorFeatures('input', 'f64', { type: 'float64', data: new Float64Array([1e12 + 1, 1e12 + 2, 1e12 + 3, Number.NaN]), dims: [4] }, samples);
    const { features } = samples.toSamples();
    expect(features['input.f32.mean']).toEqual([offset + 3]);
    expect(features['input.f32.std']?.[0]).toBeCloseTo(Math.sqrt(5), 12);
    expect(features['input.f64.mean']).toEqual([1e12 + 2]);
    expect(features['input.f64.std']?.[0]).toBeCloseTo(Math.sqrt(2 / 3), 12);
  });

  it('treats a row that already sums to one as probabilities', () => {
    const samples = new FeatureSamples();
    tensorFeatures('output', 'p', { type: 'float32', data: new Float32Array([0.25, 0.75]), dims: [1, 2] }, samples);
    expect(samples.toSamples().features).toMatchObject({ 'output.p.top_class': [1], 'output.p.top_prob': [0.75] });
  });

  it('leaves non-finite class scores out of top_class and top_prob', () => {
    const samples = new FeatureSamples();
    tensorFeatures('output', 'p', { type: 'float32', data: new Float32Array([0.25, Number.NaN, 0.75]), dims: [1, 3] }, samples);
    tensorFeatures('output', 'p', { type: 'float32', data: new Float32Array([Number.NaN, 0, 0]), dims: [1, 3] }, samples);
    const { features } = samples.toSamples();
    expect(features['output.p.top_class']).toEqual([2, 1]);
    expect(features['output.p.top_prob']).toEqual([0.75, 0.5]);
  });

  it('gives no class features to inputs, int outputs or many rows', () => {
    const samples = new FeatureSamples();
    tensorFeatures('input', 'x', { type: 'float32', data: new Float32Array(4), dims: [1, 4] }, samples);
    tensorFeatures('output', 'i', { type: 'int32', data: new Int32Array(4), dims: [1, 4] }, samples);
    tensorFeatures('output', 'map', { type: 'float32', data: new Float32Array(2 * 65), dims: [65, 2] }, samples);
    expect(Object.keys(samples.toSamples().features).filter((name) => name.includes('top_'))).toEqual([]);
  });

  it('bins a known input into the reference edges, counting by hand', () => {
    const aggregator = new Aggregator(0);
    const reference = { features: [{ name: 'input.x.value', edges: [0, 2], counts: [1, 1, 1] }, { name: 'input.x.mean', edges: [1], counts: [1, 1] }] };
    const drift = new DriftBinner(aggregator, reference, 'm', '1.0.0');
    drift.record({ x: { type: 'float32', data: new Float32Array([-1, 0, 1, 2, 3]), dims: [5] } }, {});
    drift.record({ x: { type: 'float32', data: new Float32Array([5, 5]), dims: [2] } }, {});
    const points = aggregator.drain(1).points;
    const byFeature = Object.fromEntries(points.map((p) => [p.attributes['outpost.drift.feature'], p]));
    // values -1, 0 ≤ 0; 1, 2 in (0, 2]; 3, 5, 5 above. means 1 (≤ 1) and 5.
    expect(byFeature['input.x.value']).toMatchObject({ bounds: [0, 2], bucketCounts: [2, 2, 3], count: 7 });
    expect(byFeature['input.x.mean']).toMatchObject({ bounds: [1], bucketCounts: [1, 1], count: 2 });
    expect(points[0]?.attributes).toMatchObject({ 'model.name': 'm', 'model.version': '1.0.0' });
  });

  it('names features <side>.<tensor>.<kind> and parses them back, dots in names included', () => {
    expect(featureName('output', 'a.b', 'top_prob')).toBe('output.a.b.top_prob');
    expect(parseFeatureName('output.a.b.top_prob')).toEqual({ side: 'output', tensor: 'a.b', kind: 'top_prob' });
    expect(parseFeatureName('energy')).toBeUndefined();
  });
});
