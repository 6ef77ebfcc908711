import { describe, expect, it } from 'vitest';
import { decodeTensors, encodeTensors, encodedSize } from '../../../src/worker/channel/codec.js';
import { capacityFor, INITIAL_CAPACITY } from '../../../src/worker/channel/layout.js';
import type { TensorLike } from '../../../src/tensor/types.js';

const feeds: Record<string, TensorLike> = {
  input: { type: 'float32', data: Float32Array.from([0.5, -1, 3.25]), dims: [1, 3] },
  sr: { type: 'int64', data: BigInt64Array.of(16000n), dims: [] },
  'naïve name': { type: 'bool', data: Uint8Array.of(1, 0), dims: [2] },
  half: { type: 'float16', data: Uint16Array.of(0x3c00), dims: [1] },
  bytes: { type: 'int8', data: Int8Array.of(-128, 127, 0), dims: [3] },
};

describe('shared-memory tensor codec', () => {
  it('round-trips names, types, dims and data through shared memory', () => {
    const shared = new Uint8Array(new SharedArrayBuffer(4096));
    const written = encodeTensors(feeds, shared);
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThanOrEqual(encodedSize(feeds));
    const back = decodeTensors(shared.subarray(0, written), true);
    expect(Object.keys(back)).toEqual(Object.keys(feeds));
    for (const [name, tensor] of Object.entries(feeds)) {
      expect(back[name]!.type).toBe(tensor.type);
      expect(back[name]!.dims).toEqual(tensor.dims);
      expect(back[name]!.data.constructor).toBe(tensor.data.constructor);
      expect(Array.from(back[name]!.data as unknown as ArrayLike<unknown>)).toEqual(Array.from(tensor.data as unknown as ArrayLike<unknown>));
    }
  });

  it('copies give the caller plain ArrayBuffers; views stay in shared memory', () => {
    const shared = new Uint8Array(new SharedArrayBuffer(4096));
    const written = encodeTensors(feeds, shared);
    const copies = decodeTensors(shared.subarray(0, written), true);
    const views = decodeTensors(shared.subarray(0, written), false);
    expect(copies.input!.data.buffer).toBeInstanceOf(ArrayBuffer);
    expect(views.input!.data.buffer).toBe(shared.buffer);
    // Views are aligned for their element size.
    for (const tensor of Object.values(views)) expect(tensor.data.byteOffset % 8).toBe(0);
  });

  it('reports -1 instead of writing past the region', () => {
    const small = new Uint8Array(new SharedArrayBuffer(16));
    expect(encodeTensors(feeds, small)).toBe(-1);
  });

  it('grows capacity in powers of two from the initial size', () => {
    expect(capacityFor(10)).toBe(INITIAL_CAPACITY);
    expect(capacityFor(INITIAL_CAPACITY + 1)).toBe(INITIAL_CAPACITY * 2);
    expect(capacityFor(5 * INITIAL_CAPACITY)).toBe(8 * INITIAL_CAPACITY);
  });
});

describe('shared-memory tensor codec: names', () => {
  it('reads back long and non-ASCII names exactly, from shared memory', () => {
    const names = ['x', 'a'.repeat(300), 'ünïcödé', `${'b'.repeat(200)}é`];
    const tensors = Object.fromEntries(names.map((name) => [name, { type: 'uint8', data: Uint8Array.of(1), dims: [1] } satisfies TensorLike]));
    const shared = new Uint8Array(new SharedArrayBuffer(8192));
    const written = encodeTensors(tensors, shared);
    // Twice: the second pass takes the names from the encoder's cache.
    expect(encodeTensors(tensors, shared)).toBe(written);
    expect(Object.keys(decodeTensors(shared.subarray(0, written), false))).toEqual(names);
  });
});
