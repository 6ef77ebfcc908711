import { describe, expect, it } from 'vitest';
import { buildModel, buildModelFiles, node, tensor } from '../../../src/onnx/build.js';
import { externalDataFiles, externalTensors } from '../../../src/onnx/external-data.js';
import { inspectOnnx } from '../../../src/onnx/inspect.js';

const spec = {
  inputs: [{ name: 'x', type: 'float32' as const, dims: [2] }],
  outputs: [{ name: 'y', type: 'float32' as const, dims: [2] }],
  nodes: [node('Mul', ['x', 'w'], ['xw']), node('Add', ['xw', 'b'], ['y'])],
  initializers: [tensor('w', 'float32', [2], [2, 3]), tensor('b', 'float32', [2], [1, 1])],
};

describe('external data', () => {
  it('finds each externally stored initializer with its location, offset and length', () => {
    const { model, external } = buildModelFiles({ ...spec, externalData: 'weights/m.bin' });
    expect(external?.bytes.length).toBe(16);
    expect(externalTensors(model)).toEqual([
      { tensor: 'w', location: 'weights/m.bin', offset: 0, length: 8 },
      { tensor: 'b', location: 'weights/m.bin', offset: 8, length: 8 },
    ]);
    expect(externalDataFiles(model)).toEqual(['weights/m.bin']);
    // The payload really is outside: the model shrank by the weights' bytes.
    expect(new DataView(external!.bytes.buffer).getFloat32(4, true)).toBe(3);
    // The interface reader is unaffected.
    expect(inspectOnnx(model).inputs).toEqual(spec.inputs);
  });

  it('finds none in a model that embeds its weights', () => {
    expect(externalTensors(buildModel(spec))).toEqual([]);
  });

  it('finds external tensors inside a Constant node attribute', () => {
    const model = buildModelFiles({
      ...spec,
      nodes: [node('Constant', [], ['w'], { value: { kind: 'tensor', value: tensor('c', 'float32', [2], [1, 2]) } }), ...spec.nodes],
    }).model;
    // Constant payloads are embedded by the builder; the walk reaches them without error.
    expect(externalTensors(model)).toEqual([]);
  });

  it('refuses malformed bytes with METADATA_INVALID', () => {
    expect(() => externalTensors(Uint8Array.of(0x0a, 0xff))).toThrow(expect.objectContaining({ code: 'METADATA_INVALID' }));
  });
});
