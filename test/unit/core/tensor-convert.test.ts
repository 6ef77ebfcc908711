import { describe, expect, it } from 'vitest';
import { detachableTensors, elementCount, typedDataOf } from '../../../src/tensor/convert.js';

describe('tensor conversion', () => {
  it('counts elements, scalars included', () => {
    expect(elementCount([2, 3, 4])).toBe(24);
    expect(elementCount([])).toBe(1);
  });

  it('re-views data as the typed array the type calls for, without copying', () => {
    const buffer = new ArrayBuffer(16);
    const view = typedDataOf({ type: 'int64', data: new DataView(buffer), dims: [2] });
    expect(view).toBeInstanceOf(BigInt64Array);
    expect(view.buffer).toBe(buffer);
    const same = new Float32Array(4);
    expect(typedDataOf({ type: 'float32', data: same, dims: [4] })).toBe(same);
  });

  it('transfers owned buffers and copies views that share or slice a buffer', () => {
    const owned = new Float32Array([1, 2]);
    const backing = new Float32Array([1, 2, 3, 4]);
    const slice = backing.subarray(2);
    const { tensors, transfer } = detachableTensors({
      a: { type: 'float32', data: owned, dims: [2] },
      b: { type: 'float32', data: slice, dims: [2] },
      c: { type: 'float32', data: owned, dims: [2] },
    });
    expect(tensors.a!.data).toBe(owned);
    expect(tensors.b!.data).not.toBe(slice);
    expect(Array.from(tensors.b!.data as Float32Array)).toEqual([3, 4]);
    expect(tensors.c!.data).not.toBe(owned);
    expect(new Set(transfer).size).toBe(3);
    expect(transfer).not.toContain(backing.buffer);
  });
});
