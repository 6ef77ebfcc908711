import { describe, expect, it } from 'vitest';
import { FeatureSamples, tensorFeatures, type FeatureTensor } from '../../../src/drift/features.js';
import { snapshotTensor } from '../../../src/drift/snapshot.js';
import { MOMENT_SAMPLE_LIMIT } from '../../../src/drift/names.js';

function features(side: 'input' | 'output', tensor: FeatureTensor) {
  const samples = new FeatureSamples();
  tensorFeatures(side, 't', tensor, samples);
  return samples.toSamples().features;
}

describe('snapshotTensor', () => {
  it.each([
    ['small float32', { type: 'float32', data: Float32Array.from({ length: 3000 }, (_, i) => Math.cos(i)), dims: [3, 1000] }],
    ['large float32 (sampled)', { type: 'float32', data: Float32Array.from({ length: 3 * 320 * 320 }, (_, i) => (i % 977) / 977), dims: [1, 3, 320, 320] }],
    ['large int64 (sampled)', { type: 'int64', data: BigInt64Array.from({ length: MOMENT_SAMPLE_LIMIT * 2 + 5 }, (_, i) => BigInt(i % 13)), dims: [MOMENT_SAMPLE_LIMIT * 2 + 5] }],
    ['class scores', { type: 'float32', data: Float32Array.from({ length: 64 * 1000 + 0 }, (_, i) => (i * 7919) % 1000), dims: [64, 1000] }],
  ] as Array<[string, FeatureTensor]>)('%s: the snapshot gives the same features, and is a copy', (_, tensor) => {
    const snapshot = snapshotTensor(tensor);
    const expected = { ...features('input', tensor), ...features('output', tensor) };
    const zero = tensor.data instanceof BigInt64Array ? 0n : 0;
    (tensor.data as unknown as { fill(v: unknown): void }).fill(zero);
    expect({ ...features('input', snapshot), ...features('output', snapshot) }).toEqual(expected);
  });

  it('samples a tensor above the limit at a fixed stride and marks it', () => {
    const n = MOMENT_SAMPLE_LIMIT * 3 + 1;
    const snapshot = snapshotTensor({ type: 'float32', data: Float32Array.from({ length: n }, (_, i) => i), dims: [n] });
    expect(snapshot.sampled).toBe(true);
    const data = snapshot.data as Float32Array;
    expect(data.length).toBe(Math.ceil(n / 4));
    expect([data[0], data[1], data[2]]).toEqual([0, 4, 8]);
  });

  it('mean and std of a large tensor are those of its fixed-stride sample', () => {
    const n = MOMENT_SAMPLE_LIMIT * 2;
    // Even elements 1, odd elements 100: the stride-2 sample sees only ones.
    const data = Float32Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : 100));
    const f = features('input', { type: 'float32', data, dims: [n] });
    expect(f['input.t.mean']).toEqual([1]);
    expect(f['input.t.std']).toEqual([0]);
  });
});
