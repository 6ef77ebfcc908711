/**
 * Finds the tensors of an ONNX model whose payload lives outside the .onnx file
 * (`data_location: EXTERNAL`): how models over 2 GB, and many exporters' large models,
 * are stored. A model that names external files cannot load without them, so the CLI
 * must publish and sign each one beside the model.
 */
import { OutpostError, isOutpostError } from '../errors.js';
import { Attribute, DataLocation, Function, Graph, Model, Node, SparseTensor, StringStringEntry, Tensor } from './fields.js';
import { ProtoReader, WireType } from './protobuf.js';

/** One externally stored tensor: the file it names (relative to the model) and where in it. */
export interface ExternalTensor {
  tensor: string;
  location: string;
  offset?: number;
  length?: number;
}

/** Subgraphs nest a few levels in real models; hostile files could nest thousands. */
const MAX_DEPTH = 32;

/**
 * Every externally stored tensor of the model: initializers, sparse initializers,
 * tensor attributes (Constant nodes) in the main graph, subgraphs and model-local
 * functions. Payloads are skipped by length, never copied.
 *
 * @throws OutpostError `METADATA_INVALID` when the bytes are not a well-formed ONNX
 * model, or an external tensor names no `location`.
 *
 * @example
 * ```ts
 * const files = new Set(externalTensors(bytes).map((t) => t.location));
 * // Set { 'model.onnx.data' }
 * ```
 */
export function externalTensors(bytes: Uint8Array): ExternalTensor[] {
  const found: ExternalTensor[] = [];
  try {
    const reader = new ProtoReader(bytes);
    while (reader.next()) {
      if (reader.field === Model.graph && isMessage(reader)) readGraph(reader.message(), found, 0);
      else if (reader.field === Model.functions && isMessage(reader)) readNodes(reader.message(), Function.node, found, 1);
      else reader.skip();
    }
  } catch (error) {
    if (isOutpostError(error)) throw error;
    throw new OutpostError('METADATA_INVALID', 'Model bytes are not a valid ONNX model', { cause: error });
  }
  return found;
}

/**
 * The distinct external files a model needs, in first-use order.
 *
 * @example
 * ```ts
 * externalDataFiles(bytes); // ['model.onnx.data']
 * ```
 */
export function externalDataFiles(bytes: Uint8Array): string[] {
  return [...new Set(externalTensors(bytes).map((tensor) => tensor.location))];
}

function readGraph(reader: ProtoReader, found: ExternalTensor[], depth: number): void {
  if (depth > MAX_DEPTH) throw invalid('subgraphs nested too deeply');
  while (reader.next()) {
    if (!isMessage(reader)) reader.skip();
    else if (reader.field === Graph.initializer) readTensor(reader.message(), found);
    else if (reader.field === Graph.sparseInitializer) readSparse(reader.message(), found);
    else if (reader.field === Graph.node) readNode(reader.message(), found, depth);
    else reader.skip();
  }
}

function readNodes(reader: ProtoReader, field: number, found: ExternalTensor[], depth: number): void {
  while (reader.next()) {
    if (reader.field === field && isMessage(reader)) readNode(reader.message(), found, depth);
    else reader.skip();
  }
}

function readNode(reader: ProtoReader, found: ExternalTensor[], depth: number): void {
  while (reader.next()) {
    if (reader.field === Node.attribute && isMessage(reader)) readAttribute(reader.message(), found, depth);
    else reader.skip();
  }
}

function readAttribute(reader: ProtoReader, found: ExternalTensor[], depth: number): void {
  while (reader.next()) {
    if (!isMessage(reader)) reader.skip();
    else if (reader.field === Attribute.t || reader.field === Attribute.tensors) readTensor(reader.message(), found);
    else if (reader.field === Attribute.sparseTensor || reader.field === Attribute.sparseTensors) readSparse(reader.message(), found);
    else if (reader.field === Attribute.g || reader.field === Attribute.graphs) readGraph(reader.message(), found, depth + 1);
    else reader.skip();
  }
}

function readSparse(reader: ProtoReader, found: ExternalTensor[]): void {
  while (reader.next()) {
    if ((reader.field === SparseTensor.values || reader.field === SparseTensor.indices) && isMessage(reader)) {
      readTensor(reader.message(), found);
    } else reader.skip();
  }
}

function readTensor(reader: ProtoReader, found: ExternalTensor[]): void {
  let name = '';
  let external = false;
  const entries = new Map<string, string>();
  while (reader.next()) {
    if (reader.field === Tensor.name && isMessage(reader)) name = reader.string();
    else if (reader.field === Tensor.dataLocation && reader.wireType === WireType.Varint) external = reader.int32() === DataLocation.external;
    else if (reader.field === Tensor.externalData && isMessage(reader)) {
      const [key, value] = readEntry(reader.message());
      entries.set(key, value);
    } else reader.skip();
  }
  if (!external) return;
  const location = entries.get('location');
  if (location === undefined || location === '') throw invalid(`tensor ${name || '(unnamed)'} is stored externally but names no location`);
  const tensor: ExternalTensor = { tensor: name, location };
  const offset = integerEntry(entries, 'offset', name);
  const length = integerEntry(entries, 'length', name);
  if (offset !== undefined) tensor.offset = offset;
  if (length !== undefined) tensor.length = length;
  found.push(tensor);
}

function readEntry(reader: ProtoReader): [string, string] {
  let key = '';
  let value = '';
  while (reader.next()) {
    if (reader.field === StringStringEntry.key && isMessage(reader)) key = reader.string();
    else if (reader.field === StringStringEntry.value && isMessage(reader)) value = reader.string();
    else reader.skip();
  }
  return [key, value];
}

function integerEntry(entries: Map<string, string>, key: string, tensor: string): number | undefined {
  const text = entries.get(key);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) throw invalid(`tensor ${tensor}: external ${key} '${text}' is not a byte count`);
  return value;
}

function isMessage(reader: ProtoReader): boolean {
  return reader.wireType === WireType.LengthDelimited;
}

function invalid(reason: string): OutpostError {
  return new OutpostError('METADATA_INVALID', `Not a valid ONNX model: ${reason}`, { details: { reason } });
}
