/**
 * A tiny ONNX model builder: enough to generate test models whose outputs can be
 * worked out by hand, without Python or the onnx package. It writes what the ONNX
 * Python helpers write (proto2 layout, raw_data for tensor payloads).
 */
import { Attribute, AttributeType, DataLocation, Dimension, Graph, Model, Node, OpsetId, Shape, StringStringEntry, Tensor, TensorType, Type, ValueInfo } from './fields.js';
import { ProtoWriter } from './protobuf.js';
import { rawData } from './raw-data.js';
import { UNKNOWN_DIM, type TensorSpec } from './types.js';

/** The element types the builder can write, with their ONNX `DataType` codes. */
const DATA_TYPES = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
} as const;
export type BuildDType = keyof typeof DATA_TYPES;

/**
 * A constant tensor (an initializer, or a Constant node's value). `values` are given
 * in row-major order; float16 values are given as their raw 16-bit patterns.
 *
 * @example
 * ```ts
 * const two: TensorData = tensor('two', 'float32', [], [2]);
 * ```
 */
export interface TensorData {
  name: string;
  type: BuildDType;
  dims: number[];
  values: ReadonlyArray<number | bigint | boolean>;
}

export type AttributeValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] }
  | { kind: 'tensor'; value: TensorData };

/**
 * One graph node.
 *
 * @example
 * ```ts
 * const add: NodeSpec = node('Add', ['x', 'one'], ['y']);
 * ```
 */
export interface NodeSpec {
  opType: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  /** Operator set domain; default the ONNX one. */
  domain?: string;
  attributes?: Record<string, AttributeValue>;
}

/**
 * Everything {@link buildModel} needs.
 *
 * @example
 * ```ts
 * const spec: ModelSpec = { inputs: [x], outputs: [y], nodes: [add], initializers: [one] };
 * ```
 */
export interface ModelSpec {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  nodes: NodeSpec[];
  initializers?: TensorData[];
  /** Default-domain opset version; default 17. */
  opset?: number;
  /** Default: the IR version the ONNX release that introduced `opset` wrote. */
  irVersion?: number;
  graphName?: string;
  docString?: string;
  /**
   * Store every initializer's payload in this external file (relative to the model)
   * instead of inside it, as exporters do for large models; see {@link buildModelFiles}.
   */
  externalData?: string;
}

/**
 * Serialises a model. Inputs and outputs are declared with the given shapes (a string
 * dimension becomes a symbolic `dim_param`); initializers are stored as raw data.
 *
 * @example
 * ```ts
 * const bytes = buildModel({
 *   inputs: [{ name: 'x', type: 'float32', dims: ['batch', 4] }],
 *   outputs: [{ name: 'y', type: 'float32', dims: ['batch', 4] }],
 *   nodes: [node('Add', ['x', 'one'], ['y'])],
 *   initializers: [tensor('one', 'float32', [], [1])],
 * });
 * ```
 */
export function buildModel(spec: ModelSpec): Uint8Array {
  return buildModelFiles(spec).model;
}

/**
 * {@link buildModel}, plus the external data file when `spec.externalData` names one:
 * initializers then carry `data_location: EXTERNAL` with `location`, `offset` and
 * `length`, and their payloads go, back to back, into `external.bytes`.
 *
 * @example
 * ```ts
 * const { model, external } = buildModelFiles({ ...spec, externalData: 'weights.bin' });
 * // write model to m.onnx and external.bytes to weights.bin beside it
 * ```
 */
export function buildModelFiles(spec: ModelSpec): { model: Uint8Array; external?: { location: string; bytes: Uint8Array } } {
  const opset = spec.opset ?? 17;
  const writer = new ProtoWriter();
  const payloads: Uint8Array[] = [];
  let offset = 0;
  const writeInit = (w: ProtoWriter, init: TensorData) => {
    if (spec.externalData === undefined) return writeTensor(w, init);
    const bytes = rawData(init);
    writeTensor(w, init, { location: spec.externalData, offset, length: bytes.length });
    payloads.push(bytes);
    offset += bytes.length;
  };
  if (spec.docString !== undefined) writer.string(Model.docString, spec.docString);
  const model = writer
    .int64(Model.irVersion, spec.irVersion ?? irVersionFor(opset))
    .string(Model.producerName, 'outpost')
    .string(Model.producerVersion, '0')
    .message(Model.opsetImport, (w) => w.string(OpsetId.domain, '').int64(OpsetId.version, opset))
    .message(Model.graph, (graph) => {
      spec.nodes.forEach((n, index) => graph.message(Graph.node, (w) => writeNode(w, n, index)));
      graph.string(Graph.name, spec.graphName ?? 'main');
      for (const init of spec.initializers ?? []) graph.message(Graph.initializer, (w) => writeInit(w, init));
      for (const input of spec.inputs) graph.message(Graph.input, (w) => writeValueInfo(w, input));
      for (const output of spec.outputs) graph.message(Graph.output, (w) => writeValueInfo(w, output));
    })
    .finish();
  if (spec.externalData === undefined) return { model };
  const bytes = new Uint8Array(offset);
  let at = 0;
  for (const payload of payloads) {
    bytes.set(payload, at);
    at += payload.length;
  }
  return { model, external: { location: spec.externalData, bytes } };
}

/**
 * Shorthand for a {@link NodeSpec}; the node name defaults to `<opType>_<index>`.
 *
 * @example
 * ```ts
 * node('Cast', ['b'], ['b_float'], { to: attr.int(1) });
 * ```
 */
export function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  attributes?: Record<string, AttributeValue>,
): NodeSpec {
  return attributes === undefined ? { opType, inputs, outputs } : { opType, inputs, outputs, attributes };
}

/**
 * Shorthand for a {@link TensorData}; checks that `values` fills `dims`.
 *
 * @example
 * ```ts
 * tensor('scale', 'float32', [4], [2, 2, 2, 2]);
 * ```
 */
export function tensor(
  name: string,
  type: BuildDType,
  dims: number[],
  values: ReadonlyArray<number | bigint | boolean>,
): TensorData {
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== values.length) {
    throw new RangeError(`tensor ${name}: dims ${JSON.stringify(dims)} need ${count} values, got ${values.length}`);
  }
  return { name, type, dims, values };
}

/**
 * Attribute constructors, so an int and a float attribute cannot be confused.
 *
 * @example
 * ```ts
 * node('Mod', ['x', 'three'], ['r'], { fmod: attr.int(0) });
 * ```
 */
export const attr = {
  int: (value: number): AttributeValue => ({ kind: 'int', value }),
  float: (value: number): AttributeValue => ({ kind: 'float', value }),
  string: (value: string): AttributeValue => ({ kind: 'string', value }),
  ints: (value: number[]): AttributeValue => ({ kind: 'ints', value }),
  floats: (value: number[]): AttributeValue => ({ kind: 'floats', value }),
  tensor: (value: TensorData): AttributeValue => ({ kind: 'tensor', value }),
} as const;

/** ONNX data type code of a builder dtype. */
export function onnxDataType(type: BuildDType): number {
  return DATA_TYPES[type];
}

/**
 * The IR version the onnx release that introduced `opset` wrote. Not simply the newest:
 * a runtime older than the IR refuses the file even when it knows every operator.
 */
function irVersionFor(opset: number): number {
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  if (opset <= 22) return 10;
  return 11;
}

function writeNode(w: ProtoWriter, spec: NodeSpec, index: number): void {
  for (const input of spec.inputs) w.string(Node.input, input);
  for (const output of spec.outputs) w.string(Node.output, output);
  w.string(Node.name, spec.name ?? `${spec.opType}_${index}`);
  w.string(Node.opType, spec.opType);
  for (const [name, value] of Object.entries(spec.attributes ?? {})) {
    w.message(Node.attribute, (a) => writeAttribute(a, name, value));
  }
  if (spec.domain !== undefined) w.string(Node.domain, spec.domain);
}

function writeAttribute(w: ProtoWriter, name: string, value: AttributeValue): void {
  w.string(Attribute.name, name);
  switch (value.kind) {
    case 'int':
      w.int64(Attribute.i, value.value).int64(Attribute.type, AttributeType.int);
      break;
    case 'float':
      w.float(Attribute.f, value.value).int64(Attribute.type, AttributeType.float);
      break;
    case 'string':
      w.string(Attribute.s, value.value).int64(Attribute.type, AttributeType.string);
      break;
    case 'ints':
      for (const v of value.value) w.int64(Attribute.ints, v);
      w.int64(Attribute.type, AttributeType.ints);
      break;
    case 'floats':
      for (const v of value.value) w.float(Attribute.floats, v);
      w.int64(Attribute.type, AttributeType.floats);
      break;
    case 'tensor':
      w.message(Attribute.t, (t) => writeTensor(t, value.value)).int64(Attribute.type, AttributeType.tensor);
      break;
  }
}

function writeTensor(w: ProtoWriter, data: TensorData, external?: { location: string; offset: number; length: number }): void {
  // proto2 layout: one tag per dim, as onnx's helpers write it.
  for (const dim of data.dims) w.int64(Tensor.dims, dim);
  w.int64(Tensor.dataType, DATA_TYPES[data.type]);
  w.string(Tensor.name, data.name);
  if (external === undefined) {
    w.bytes(Tensor.rawData, rawData(data));
    return;
  }
  for (const [key, value] of Object.entries(external)) {
    w.message(Tensor.externalData, (entry) => entry.string(StringStringEntry.key, key).string(StringStringEntry.value, String(value)));
  }
  w.int64(Tensor.dataLocation, DataLocation.external);
}

function writeValueInfo(w: ProtoWriter, spec: TensorSpec): void {
  const code = (DATA_TYPES as Record<string, number>)[spec.type];
  if (code === undefined) throw new RangeError(`${spec.name}: the builder cannot declare type ${spec.type}`);
  w.string(ValueInfo.name, spec.name);
  w.message(ValueInfo.type, (type) =>
    type.message(Type.tensor, (t) => {
      t.int64(TensorType.elemType, code);
      if (spec.unknownRank) return; // no shape field at all: rank unknown
      t.message(TensorType.shape, (shape) => {
        for (const dim of spec.dims) shape.message(Shape.dim, (d) => writeDimension(d, dim));
      });
    }),
  );
}

function writeDimension(w: ProtoWriter, dim: number | string): void {
  if (typeof dim === 'number') w.int64(Dimension.value, dim);
  else if (dim !== UNKNOWN_DIM) w.string(Dimension.param, dim);
  // UNKNOWN_DIM: an empty Dimension, neither sized nor named.
}
