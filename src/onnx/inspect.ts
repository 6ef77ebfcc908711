/**
 * Reads a model's interface (inputs, outputs, opset, operator types) straight from the
 * ONNX bytes, before any runtime is loaded: enough to validate feeds and to decide
 * whether a backend can run the model.
 */
import { OutpostError, isOutpostError } from '../errors.js';
import { Attribute, Dimension, Function, Graph, Model, Node, OpsetId, Shape, SparseTensor, Tensor, TensorType, Type, ValueInfo } from './fields.js';
import { ProtoReader, WireType } from './protobuf.js';
import { UNKNOWN_DIM, type OnnxModelInfo, type TensorDType, type TensorSpec } from './types.js';

/**
 * ONNX `TensorProto.DataType` codes, named as onnxruntime-web's `Tensor.Type` names
 * them where it has a name; the rest get a lower-case spelling of the ONNX name.
 */
const ELEM_TYPES: Readonly<Record<number, TensorDType>> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
  17: 'float8e4m3fn',
  18: 'float8e4m3fnuz',
  19: 'float8e5m2',
  20: 'float8e5m2fnuz',
  21: 'uint4',
  22: 'int4',
  23: 'float4e2m1',
  24: 'float8e8m0',
  25: 'uint2',
  26: 'int2',
};

/** Real models nest If/Loop bodies a few levels deep; hostile files could nest thousands. */
const MAX_GRAPH_DEPTH = 32;

/**
 * Reads the declared interface of an ONNX model without running it. Initializer
 * payloads are skipped, never copied, so a 10 MB model takes a few milliseconds.
 *
 * Graph inputs that are also initializers (older exporters list weights as inputs)
 * are left out: callers never feed them. A dimension is its size, its symbolic name,
 * or `'?'` when the file gives neither; a tensor whose shape is absent altogether
 * has `dims: []` and `unknownRank: true`.
 *
 * @throws OutpostError `METADATA_INVALID` when the bytes are not a well-formed ONNX model.
 *
 * @example
 * ```ts
 * const { inputs } = inspectOnnx(new Uint8Array(await response.arrayBuffer()));
 * // [{ name: 'x', type: 'float32', dims: ['batch', 4] }]
 * ```
 */
export function inspectOnnx(bytes: Uint8Array): OnnxModelInfo {
  try {
    return readModel(new ProtoReader(bytes));
  } catch (error) {
    if (isOutpostError(error)) throw error;
    throw new OutpostError('METADATA_INVALID', 'Model bytes are not a valid ONNX model', { cause: error });
  }
}

function readModel(reader: ProtoReader): OnnxModelInfo {
  let graph: GraphSummary | undefined;
  let opsetVersion: number | undefined;
  const opTypes = new Set<string>();
  while (reader.next()) {
    if (reader.field === Model.graph && isMessage(reader)) {
      graph = readGraph(reader.message(), opTypes, 0);
    } else if (reader.field === Model.opsetImport && isMessage(reader)) {
      const opset = readOpsetId(reader.message());
      if (opset.domain === '' || opset.domain === 'ai.onnx') opsetVersion = opset.version;
    } else if (reader.field === Model.functions && isMessage(reader)) {
      // ORT inlines model-local functions, so their bodies decide backend support too.
      readFunctionOps(reader.message(), opTypes);
    } else {
      reader.skip();
    }
  }
  if (graph === undefined) throw invalid('the file has no graph (is it an ONNX model?)');
  const info: OnnxModelInfo = {
    inputs: graph.inputs.filter((input) => !graph.initializerNames.has(input.name)),
    outputs: graph.outputs,
    opTypes: [...opTypes].sort(),
  };
  if (opsetVersion !== undefined) info.opsetVersion = opsetVersion;
  return info;
}

interface GraphSummary {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  initializerNames: Set<string>;
}

function readGraph(reader: ProtoReader, opTypes: Set<string>, depth: number): GraphSummary {
  if (depth > MAX_GRAPH_DEPTH) throw invalid('subgraphs nested too deeply');
  const summary: GraphSummary = { inputs: [], outputs: [], initializerNames: new Set() };
  // Subgraph inputs and outputs are internal to If/Loop; only their operators matter.
  const top = depth === 0;
  while (reader.next()) {
    const field = reader.field;
    if (!isMessage(reader)) {
      reader.skip();
    } else if (field === Graph.node) {
      readNode(reader.message(), opTypes, depth);
    } else if (top && field === Graph.input) {
      summary.inputs.push(readValueInfo(reader.message()));
    } else if (top && field === Graph.output) {
      summary.outputs.push(readValueInfo(reader.message()));
    } else if (top && field === Graph.initializer) {
      summary.initializerNames.add(readTensorName(reader.message()));
    } else if (top && field === Graph.sparseInitializer) {
      const sparse = reader.message();
      while (sparse.next()) {
        if (sparse.field === SparseTensor.values && isMessage(sparse)) {
          summary.initializerNames.add(readTensorName(sparse.message()));
        } else sparse.skip();
      }
    } else {
      reader.skip();
    }
  }
  return summary;
}

function readNode(reader: ProtoReader, opTypes: Set<string>, depth: number): void {
  let opType = '';
  let domain = '';
  while (reader.next()) {
    if (reader.field === Node.opType && isMessage(reader)) opType = reader.string();
    else if (reader.field === Node.domain && isMessage(reader)) domain = reader.string();
    else if (reader.field === Node.attribute && isMessage(reader)) readAttributeGraphs(reader.message(), opTypes, depth);
    else reader.skip();
  }
  if (opType === '') throw invalid('a node has no op_type');
  opTypes.add(domain === '' || domain === 'ai.onnx' ? opType : `${domain}:${opType}`);
}

function readAttributeGraphs(reader: ProtoReader, opTypes: Set<string>, depth: number): void {
  while (reader.next()) {
    if ((reader.field === Attribute.g || reader.field === Attribute.graphs) && isMessage(reader)) {
      readGraph(reader.message(), opTypes, depth + 1);
    } else {
      reader.skip(); // includes `t`: a Constant's tensor payload is stepped over, not read
    }
  }
}

function readFunctionOps(reader: ProtoReader, opTypes: Set<string>): void {
  while (reader.next()) {
    if (reader.field === Function.node && isMessage(reader)) readNode(reader.message(), opTypes, 1);
    else reader.skip();
  }
}

function readOpsetId(reader: ProtoReader): { domain: string; version: number } {
  let domain = '';
  let version = 0;
  while (reader.next()) {
    if (reader.field === OpsetId.domain && isMessage(reader)) domain = reader.string();
    else if (reader.field === OpsetId.version && reader.wireType === WireType.Varint) version = reader.int64();
    else reader.skip();
  }
  return { domain, version };
}

function readTensorName(reader: ProtoReader): string {
  let name = '';
  while (reader.next()) {
    if (reader.field === Tensor.name && isMessage(reader)) name = reader.string();
    else reader.skip(); // raw_data and friends: skipped by length, never copied
  }
  return name;
}

function readValueInfo(reader: ProtoReader): TensorSpec {
  let name: string | undefined;
  let typed: Omit<TensorSpec, 'name'> = { type: 'undefined', dims: [], unknownRank: true };
  while (reader.next()) {
    if (reader.field === ValueInfo.name && isMessage(reader)) name = reader.string();
    else if (reader.field === ValueInfo.type && isMessage(reader)) typed = readType(reader.message());
    else reader.skip();
  }
  if (name === undefined || name === '') throw invalid('a graph input or output has no name');
  return { name, ...typed };
}

function readType(reader: ProtoReader): Omit<TensorSpec, 'name'> {
  let result: Omit<TensorSpec, 'name'> = { type: 'undefined', dims: [], unknownRank: true };
  while (reader.next()) {
    if (!isMessage(reader) || reader.field === Type.denotation) {
      reader.skip();
    } else if (reader.field === Type.tensor) {
      result = readTensorType(reader.message());
    } else if (reader.field === Type.sparseTensor) {
      const sparse = readTensorType(reader.message());
      result = { ...sparse, type: `sparse_tensor(${sparse.type})` };
    } else if (reader.field === Type.sequence) {
      reader.skip();
      result = { type: 'sequence', dims: [] };
    } else if (reader.field === Type.map) {
      reader.skip();
      result = { type: 'map', dims: [] };
    } else if (reader.field === Type.optional) {
      reader.skip();
      result = { type: 'optional', dims: [] };
    } else {
      reader.skip();
    }
  }
  return result;
}

function readTensorType(reader: ProtoReader): Omit<TensorSpec, 'name'> {
  let type: TensorDType = 'undefined';
  let dims: Array<number | string> | undefined;
  while (reader.next()) {
    if (reader.field === TensorType.elemType && reader.wireType === WireType.Varint) {
      const code = reader.int32();
      type = ELEM_TYPES[code] ?? `onnx_type_${code}`;
    } else if (reader.field === TensorType.shape && isMessage(reader)) {
      dims = readShape(reader.message());
    } else {
      reader.skip();
    }
  }
  return dims === undefined ? { type, dims: [], unknownRank: true } : { type, dims };
}

function readShape(reader: ProtoReader): Array<number | string> {
  const dims: Array<number | string> = [];
  while (reader.next()) {
    if (reader.field === Shape.dim && isMessage(reader)) dims.push(readDimension(reader.message()));
    else reader.skip();
  }
  return dims;
}

function readDimension(reader: ProtoReader): number | string {
  let dim: number | string = UNKNOWN_DIM;
  while (reader.next()) {
    if (reader.field === Dimension.value && reader.wireType === WireType.Varint) {
      const value = reader.int64();
      // Some exporters write -1 for "dynamic"; it is not a size, so treat it as unknown.
      dim = value >= 0 ? value : UNKNOWN_DIM;
    } else if (reader.field === Dimension.param && isMessage(reader)) {
      const param = reader.string();
      dim = param === '' ? UNKNOWN_DIM : param;
    } else {
      reader.skip();
    }
  }
  return dim;
}

function isMessage(reader: ProtoReader): boolean {
  return reader.wireType === WireType.LengthDelimited;
}

function invalid(reason: string): OutpostError {
  return new OutpostError('METADATA_INVALID', `Not a valid ONNX model: ${reason}`, { details: { reason } });
}
