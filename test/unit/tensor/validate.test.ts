import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { isOutpostError, type OutpostError } from '../../../src/errors.js';
import type { TensorLike, TensorSpec } from '../../../src/tensor/types.js';
import { validateFeeds, type InvalidInputReason } from '../../../src/tensor/validate.js';

const LABEL = 'vad@1.0.0';

// Silero VAD v5 as onnxruntime reports it: unnamed dims come back as dim_<axis>.
const VAD: TensorSpec[] = [
  { name: 'input', type: 'float32', dims: ['dim_0', 'dim_1'] },
  { name: 'state', type: 'float32', dims: [2, 'dim_1', 128] },
  { name: 'sr', type: 'int64', dims: [] },
];

function vadFeeds(): Record<string, TensorLike> {
  return {
    input: { type: 'float32', data: new Float32Array(512), dims: [1, 512] },
    state: { type: 'float32', data: new Float32Array(2 * 1 * 128), dims: [2, 1, 128] },
    sr: { type: 'int64', data: new BigInt64Array([16000n]), dims: [] },
  };
}

const BATCHED: TensorSpec[] = [
  { name: 'a', type: 'float32', dims: ['batch', 3] },
  { name: 'b', type: 'int32', dims: ['batch'] },
];

function rejection(feeds: unknown, inputs: readonly TensorSpec[] = VAD): OutpostError {
  try {
    validateFeeds(feeds, inputs, LABEL);
  } catch (error) {
    if (!isOutpostError(error, 'INVALID_INPUT')) throw error;
    expect(error.message).not.toContain('\n');
    expect(error.message).toContain(LABEL);
    expect(error.details.model).toBe(LABEL);
    return error;
  }
  throw new Error('validateFeeds accepted the feeds');
}

function expectReason(error: OutpostError, reason: InvalidInputReason, input: string): void {
  expect(error.code).toBe('INVALID_INPUT');
  expect(error.details.reason).toBe(reason);
  expect(error.details.input).toBe(input);
  if (input !== '') expect(error.message).toContain(JSON.stringify(input));
}

function withTensor(name: string, tensor: unknown): Record<string, unknown> {
  return { ...vadFeeds(), [name]: tensor };
}

describe('validateFeeds accepts', () => {
  it('Silero-VAD-like feeds, returning the same object when nothing needs re-viewing', () => {
    const feeds = vadFeeds();
    expect(validateFeeds(feeds, VAD, LABEL)).toBe(feeds);
  });

  it('unnamed dims as independent wildcards (dim_1 on two inputs may differ)', () => {
    const feeds = withTensor('input', { type: 'float32', data: new Float32Array(6), dims: [2, 3] });
    expect(() => validateFeeds(feeds, VAD, LABEL)).not.toThrow();
    const wild: TensorSpec[] = [
      { name: 'x', type: 'uint8', dims: ['?', 'unk__7', ''] },
      { name: 'y', type: 'uint8', dims: ['?', 'unk__7', ''] },
    ];
    const ok = {
      x: { type: 'uint8', data: new Uint8Array(6), dims: [1, 2, 3] },
      y: { type: 'uint8', data: new Uint8Array(60), dims: [3, 4, 5] },
    };
    expect(validateFeeds(ok, wild, LABEL)).toBe(ok);
  });

  it("a named dim ('batch') bound to the same size on every input", () => {
    const feeds = {
      a: { type: 'float32', data: new Float32Array(12), dims: [4, 3] },
      b: { type: 'int32', data: new Int32Array(4), dims: [4] },
    };
    expect(validateFeeds(feeds, BATCHED, LABEL)).toBe(feeds);
  });

  it('bool as Uint8Array, float16 as Uint16Array, int64 as BigInt64Array', () => {
    const inputs: TensorSpec[] = [
      { name: 'mask', type: 'bool', dims: [3] },
      { name: 'half', type: 'float16', dims: [2] },
      { name: 'ids', type: 'int64', dims: [1, 2] },
    ];
    const feeds = {
      mask: { type: 'bool', data: new Uint8Array([1, 0, 1]), dims: [3] },
      half: { type: 'float16', data: new Uint16Array([0x3c00, 0x4000]), dims: [2] },
      ids: { type: 'int64', data: new BigInt64Array([1n, 2n]), dims: [1, 2] },
    };
    expect(validateFeeds(feeds, inputs, LABEL)).toBe(feeds);
  });

  it.runIf(typeof (globalThis as { Float16Array?: unknown }).Float16Array === 'function')(
    'float16 as Float16Array, re-viewed as Uint16Array over the same memory',
    () => {
      const Float16 = (globalThis as unknown as { Float16Array: new (n: number) => ArrayBufferView }).Float16Array;
      const data = new Float16(2);
      const out = validateFeeds({ h: { type: 'float16', data, dims: [2] } }, [{ name: 'h', type: 'float16', dims: [2] }], LABEL);
      expect(out.h!.data).toBeInstanceOf(Uint16Array);
      expect(out.h!.data.buffer).toBe(data.buffer);
    },
  );

  it('a DataView of the right byte length, re-viewed as the typed array without copying or mutating the caller', () => {
    const buffer = new ArrayBuffer(8 + 16);
    const view = new DataView(buffer, 8, 16);
    const base = vadFeeds();
    const original = { type: 'int64' as const, data: new DataView(new BigInt64Array([8000n]).buffer), dims: [] };
    const withViews = { ...base, sr: original };
    const out = validateFeeds(withViews, VAD, LABEL);
    expect(out).not.toBe(withViews);
    expect(out.sr!.data).toBeInstanceOf(BigInt64Array);
    expect((out.sr!.data as BigInt64Array)[0]).toBe(8000n);
    expect(original.data).toBeInstanceOf(DataView);
    expect(out.input).toBe(base.input);

    const ints = validateFeeds({ x: { type: 'int32', data: view, dims: [2, 2] } }, [{ name: 'x', type: 'int32', dims: [2, 2] }], LABEL);
    const data = ints.x!.data as Int32Array;
    expect(data).toBeInstanceOf(Int32Array);
    expect(data.buffer).toBe(buffer);
    expect([data.byteOffset, data.length]).toEqual([8, 4]);
  });

  it('typed arrays from another realm, re-viewed as this realm\'s class', () => {
    const foreign = runInNewContext('new Float32Array(4)') as Float32Array;
    expect(foreign).not.toBeInstanceOf(Float32Array);
    const out = validateFeeds({ x: { type: 'float32', data: foreign, dims: [4] } }, [{ name: 'x', type: 'float32', dims: [4] }], LABEL);
    expect(out.x!.data).toBeInstanceOf(Float32Array);
    expect(out.x!.data.buffer).toBe(foreign.buffer);
    const foreignInts = runInNewContext('new Int32Array(4)') as Int32Array;
    const error = rejection({ x: { type: 'float32', data: foreignInts, dims: [4] } }, [{ name: 'x', type: 'float32', dims: [4] }]);
    expectReason(error, 'data-type-mismatch', 'x');
  });

  it('any shape when the spec has unknownRank', () => {
    const inputs: TensorSpec[] = [{ name: 'x', type: 'int8', dims: [], unknownRank: true }];
    const feeds = { x: { type: 'int8', data: new Int8Array(24), dims: [2, 3, 4] } };
    expect(validateFeeds(feeds, inputs, LABEL)).toBe(feeds);
    // The element count is still checked against the data.
    expectReason(rejection({ x: { type: 'int8', data: new Int8Array(23), dims: [2, 3, 4] } }, inputs), 'length-mismatch', 'x');
  });

  it('null-prototype feeds and a spec input named like an Object.prototype member', () => {
    const inputs: TensorSpec[] = [{ name: 'constructor', type: 'uint8', dims: [1] }];
    const feeds = Object.assign(Object.create(null) as Record<string, unknown>, {
      constructor: { type: 'uint8', data: new Uint8Array(1), dims: [1] },
    });
    expect(validateFeeds(feeds, inputs, LABEL)).toBe(feeds);
    expectReason(rejection({}, inputs), 'missing-input', 'constructor');
  });
});

describe('validateFeeds rejects with INVALID_INPUT', () => {
  it('feeds-not-object', () => {
    for (const feeds of [null, undefined, 'x', [vadFeeds()], new Map(), new Float32Array(1)]) {
      expectReason(rejection(feeds), 'feeds-not-object', '');
    }
  });

  it('missing-input, listing every missing name', () => {
    const { state: _state, sr: _sr, ...partial } = vadFeeds();
    const error = rejection(partial);
    expectReason(error, 'missing-input', 'state');
    expect(error.details.missing).toEqual(['state', 'sr']);
    expect(error.details.expected).toEqual(['input', 'state', 'sr']);
    expectReason(rejection({ ...vadFeeds(), sr: undefined }), 'missing-input', 'sr');
  });

  it('unknown-input, listing the known names', () => {
    const error = rejection({ ...vadFeeds(), h: { type: 'float32', data: new Float32Array(1), dims: [1] } });
    expectReason(error, 'unknown-input', 'h');
    expect(error.details.unknown).toEqual(['h']);
    expect(error.details.known).toEqual(['input', 'state', 'sr']);
  });

  it('invalid-tensor for a non-object tensor or a non-string type', () => {
    expectReason(rejection(withTensor('state', 42)), 'invalid-tensor', 'state');
    expectReason(rejection(withTensor('state', null)), 'invalid-tensor', 'state');
    const noType = { data: new Float32Array(256), dims: [2, 1, 128] };
    expectReason(rejection(withTensor('state', noType)), 'invalid-tensor', 'state');
  });

  it('unsupported-type', () => {
    const error = rejection(withTensor('state', { type: 'float64', data: new Float64Array(256), dims: [2, 1, 128] }));
    expectReason(error, 'unsupported-type', 'state');
    expect(error.details.actual).toBe('float64');
    expectReason(rejection(withTensor('state', { type: 'constructor', data: new Float32Array(256), dims: [2, 1, 128] })), 'unsupported-type', 'state');
  });

  it('dtype-mismatch', () => {
    const error = rejection(withTensor('sr', { type: 'int32', data: new Int32Array([16000]), dims: [] }));
    expectReason(error, 'dtype-mismatch', 'sr');
    expect(error.details).toMatchObject({ expected: 'int64', actual: 'int32' });
  });

  it('invalid-data', () => {
    for (const data of [[0, 0], new ArrayBuffer(8), undefined]) {
      expectReason(rejection(withTensor('input', { type: 'float32', data, dims: [1, 2] })), 'invalid-data', 'input');
    }
  });

  it('data-type-mismatch', () => {
    const float64 = rejection(withTensor('input', { type: 'float32', data: new Float64Array(512), dims: [1, 512] }));
    expectReason(float64, 'data-type-mismatch', 'input');
    expect(float64.details).toMatchObject({ actual: 'Float64Array', expected: ['Float32Array', 'DataView'] });
    const int32 = rejection(withTensor('sr', { type: 'int64', data: new Int32Array([16000]), dims: [] }));
    expectReason(int32, 'data-type-mismatch', 'sr');
    expect(int32.details.actual).toBe('Int32Array');
    const boolInputs: TensorSpec[] = [{ name: 'm', type: 'bool', dims: [2] }];
    const clamped = rejection({ m: { type: 'bool', data: new Uint8ClampedArray(2), dims: [2] } }, boolInputs);
    expectReason(clamped, 'data-type-mismatch', 'm');
  });

  it('invalid-dims', () => {
    for (const dims of ['1,512', [1, -512], [1, 512.5], [1, '512'], [1, Number.NaN], [1, 2 ** 53]]) {
      expectReason(rejection(withTensor('input', { type: 'float32', data: new Float32Array(512), dims })), 'invalid-dims', 'input');
    }
    const error = rejection(withTensor('input', { type: 'float32', data: new Float32Array(512), dims: [1, -512] }));
    expect(error.details).toMatchObject({ axis: 1, actual: -512 });
  });

  it('rank-mismatch', () => {
    const error = rejection(withTensor('state', { type: 'float32', data: new Float32Array(256), dims: [2, 128] }));
    expectReason(error, 'rank-mismatch', 'state');
    expect(error.details).toMatchObject({ expected: 3, actual: 2 });
    // [] is a scalar, not "any shape", unless the spec says unknownRank.
    expectReason(rejection(withTensor('sr', { type: 'int64', data: new BigInt64Array(1), dims: [1] })), 'rank-mismatch', 'sr');
  });

  it('dim-mismatch', () => {
    const error = rejection(withTensor('state', { type: 'float32', data: new Float32Array(128), dims: [1, 1, 128] }));
    expectReason(error, 'dim-mismatch', 'state');
    expect(error.details).toMatchObject({ axis: 0, expected: 2, actual: 1 });
  });

  it('symbolic-dim-conflict when one named dim takes two sizes', () => {
    const error = rejection(
      {
        a: { type: 'float32', data: new Float32Array(12), dims: [4, 3] },
        b: { type: 'int32', data: new Int32Array(5), dims: [5] },
      },
      BATCHED,
    );
    expectReason(error, 'symbolic-dim-conflict', 'b');
    expect(error.details).toMatchObject({ dim: 'batch', axis: 0, expected: 4, actual: 5, boundBy: { input: 'a', axis: 0 } });
    // Two axes of one input sharing a name bind too.
    const square: TensorSpec[] = [{ name: 'm', type: 'float32', dims: ['n', 'n'] }];
    expect(() => validateFeeds({ m: { type: 'float32', data: new Float32Array(9), dims: [3, 3] } }, square, LABEL)).not.toThrow();
    expectReason(rejection({ m: { type: 'float32', data: new Float32Array(6), dims: [2, 3] } }, square), 'symbolic-dim-conflict', 'm');
  });

  it('length-mismatch, in elements', () => {
    const error = rejection(withTensor('input', { type: 'float32', data: new Float32Array(511), dims: [1, 512] }));
    expectReason(error, 'length-mismatch', 'input');
    expect(error.details).toMatchObject({ expected: 512, actual: 511 });
    // A scalar needs exactly one element.
    const empty = rejection(withTensor('sr', { type: 'int64', data: new BigInt64Array(0), dims: [] }));
    expect(empty.details).toMatchObject({ reason: 'length-mismatch', expected: 1, actual: 0 });
    // A DataView is measured in elements of the declared type.
    const view = rejection(withTensor('sr', { type: 'int64', data: new DataView(new ArrayBuffer(4)), dims: [] }));
    expect(view.details).toMatchObject({ reason: 'length-mismatch', expectedBytes: 8, actualBytes: 4 });
  });

  it('details that survive structured clone (they cross the worker boundary)', () => {
    const error = rejection(withTensor('input', { type: 'float32', data: new Float32Array(511), dims: [1, 512] }));
    expect(structuredClone(error.details)).toEqual(error.details);
  });
});

describe('validateFeeds cost', () => {
  it('prints ns per call for three small inputs', () => {
    const feeds = vadFeeds();
    const calls = 200_000;
    for (let i = 0; i < 10_000; i++) validateFeeds(feeds, VAD, LABEL);
    let last: unknown;
    const start = performance.now();
    for (let i = 0; i < calls; i++) last = validateFeeds(feeds, VAD, LABEL);
    const ns = ((performance.now() - start) * 1e6) / calls;
    console.log(`validateFeeds: ${ns.toFixed(0)} ns/call (3 inputs)`);
    expect(last).toBe(feeds);
  });
});
