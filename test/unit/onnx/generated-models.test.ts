// Each generated model, run by onnxruntime-node (CPU), must give exactly the values
// worked out by hand below: these models are the oracle other tests lean on.
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERATED_MODELS } from '../../../scripts/models.js';
import { inspectOnnx } from '../../../src/onnx/inspect.js';

function build(file: string): Uint8Array {
  const model = GENERATED_MODELS.find((m) => m.file === file);
  if (model === undefined) throw new Error(`no generated model ${file}`);
  return model.build();
}

async function open(file: string): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(build(file), { logSeverityLevel: 3 });
}

describe('tiny_affine.onnx', () => {
  let session: ort.InferenceSession;
  beforeAll(async () => {
    session = await open('tiny_affine.onnx');
  });
  afterAll(() => session.release());

  it('declares x float32 [batch, 4] -> y, opset 17', () => {
    expect(inspectOnnx(build('tiny_affine.onnx'))).toEqual({
      inputs: [{ name: 'x', type: 'float32', dims: ['batch', 4] }],
      outputs: [{ name: 'y', type: 'float32', dims: ['batch', 4] }],
      opsetVersion: 17,
      opTypes: ['Add', 'Mul'],
    });
  });

  it.each([1, 2, 3])('computes y = 2x + 1 for batch %d', async (batch) => {
    const x = Float32Array.from({ length: batch * 4 }, (_, i) => i - 3.5);
    const { y } = await session.run({ x: new ort.Tensor('float32', x, [batch, 4]) });
    expect(y?.dims).toEqual([batch, 4]);
    // Every value here is a multiple of 0.5, so float32 holds 2x + 1 exactly.
    expect(Array.from(y?.data as Float32Array)).toEqual(Array.from(x, (v) => 2 * v + 1));
  });

  it('matches a hand-written row', async () => {
    const x = new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, -1, 0.5, 0, 10]), [2, 4]);
    const { y } = await session.run({ x });
    expect(Array.from(y?.data as Float32Array)).toEqual([3, 5, 7, 9, -1, 2, 1, 21]);
  });
});

describe('tiny_multi.onnx', () => {
  let session: ort.InferenceSession;
  beforeAll(async () => {
    session = await open('tiny_multi.onnx');
  });
  afterAll(() => session.release());

  const feeds = (b: BigInt64Array) => ({
    a: new ort.Tensor('float32', Float32Array.from([0.5, 1, 1.5, -2, 0, 3]), [2, 3]),
    b: new ort.Tensor('int64', b, [2, 3]),
    c: new ort.Tensor('int32', Int32Array.from([7, -8, 0]), [3]),
    u: new ort.Tensor('uint8', Uint8Array.from([0, 1, 254, 255]), [4]),
    flag: new ort.Tensor('bool', Uint8Array.from([1]), [1]),
  });

  it('declares one input and one output per dtype', () => {
    const info = inspectOnnx(build('tiny_multi.onnx'));
    expect(info.inputs).toEqual([
      { name: 'a', type: 'float32', dims: [2, 3] },
      { name: 'b', type: 'int64', dims: [2, 3] },
      { name: 'c', type: 'int32', dims: ['n'] },
      { name: 'u', type: 'uint8', dims: [4] },
      { name: 'flag', type: 'bool', dims: [1] },
    ]);
    expect(info.outputs.map((o) => [o.name, o.type])).toEqual([
      ['sum', 'float32'],
      ['b_plus_one', 'int64'],
      ['c_neg', 'int32'],
      ['u_half', 'float32'],
      ['not_flag', 'bool'],
    ]);
  });

  it('computes every path exactly', async () => {
    const out = await session.run(feeds(BigInt64Array.from([1n, 2n, 3n, -4n, 5n, -6n])));
    expect(out.sum?.type).toBe('float32');
    expect(Array.from(out.sum?.data as Float32Array)).toEqual([1.5, 3, 4.5, -6, 5, -3]);
    expect(out.b_plus_one?.type).toBe('int64');
    expect(Array.from(out.b_plus_one?.data as BigInt64Array)).toEqual([2n, 3n, 4n, -3n, 6n, -5n]);
    expect(out.c_neg?.type).toBe('int32');
    expect(Array.from(out.c_neg?.data as Int32Array)).toEqual([-7, 8, 0]);
    expect(Array.from(out.u_half?.data as Float32Array)).toEqual([0, 0.5, 127, 127.5]);
    expect(out.not_flag?.type).toBe('bool');
    expect(Array.from(out.not_flag?.data as Uint8Array)).toEqual([0]);
  });

  it('keeps int64 exact beyond 2^53', async () => {
    const big = 2n ** 53n + 1n; // not representable as a double
    const out = await session.run(feeds(BigInt64Array.from([big, -big, 0n, 0n, 0n, 2n ** 62n])));
    expect(Array.from(out.b_plus_one?.data as BigInt64Array)).toEqual([big + 1n, -big + 1n, 1n, 1n, 1n, 2n ** 62n + 1n]);
  });
});

describe('tiny_cpu_only.onnx', () => {
  it('uses Mod, which onnxruntime-web has no WebGPU kernel for', () => {
    const info = inspectOnnx(build('tiny_cpu_only.onnx'));
    expect(info.opTypes).toEqual(['Add', 'Mod']);
    expect(info.inputs).toEqual([{ name: 'x', type: 'int32', dims: ['n'] }]);
  });

  it('computes y = (x mod 3) + 1 with the divisor-sign remainder', async () => {
    const session = await open('tiny_cpu_only.onnx');
    const x = new ort.Tensor('int32', Int32Array.from([-4, -1, 0, 5, 7, -3]), [6]);
    const { y } = await session.run({ x });
    await session.release();
    // -4 mod 3 = 2 and -1 mod 3 = 2 (not -1 as C's % gives): fmod=0 follows the divisor's sign.
    expect(Array.from(y?.data as Int32Array)).toEqual([3, 3, 1, 3, 2, 1]);
  });
});

describe('generated model bytes', () => {
  it('are deterministic, so `npm run models` can tell when nothing changed', () => {
    for (const model of GENERATED_MODELS) expect(model.build()).toEqual(model.build());
  });
});
