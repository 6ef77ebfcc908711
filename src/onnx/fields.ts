/**
 * Field numbers and enum values from onnx.proto, for the messages the reader
 * (inspect.ts) and the writer (build.ts) touch. One table, so the two cannot disagree.
 */
export const Model = { irVersion: 1, producerName: 2, producerVersion: 3, docString: 6, graph: 7, opsetImport: 8, functions: 25 } as const;
export const OpsetId = { domain: 1, version: 2 } as const;
export const Graph = { node: 1, name: 2, initializer: 5, input: 11, output: 12, sparseInitializer: 15 } as const;
export const Node = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 } as const;
export const Attribute = { name: 1, f: 2, i: 3, s: 4, t: 5, g: 6, floats: 7, ints: 8, tensors: 10, graphs: 11, type: 20, sparseTensor: 22, sparseTensors: 23 } as const;
export const AttributeType = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;
export const Function = { node: 7 } as const;
export const Tensor = { dims: 1, dataType: 2, name: 8, rawData: 9, externalData: 13, dataLocation: 14 } as const;
/** `TensorProto.DataLocation`: where a tensor's payload lives. */
export const DataLocation = { default: 0, external: 1 } as const;
export const StringStringEntry = { key: 1, value: 2 } as const;
export const SparseTensor = { values: 1, indices: 2 } as const;
export const ValueInfo = { name: 1, type: 2 } as const;
export const Type = { tensor: 1, sequence: 4, map: 5, denotation: 6, sparseTensor: 8, optional: 9 } as const;
export const TensorType = { elemType: 1, shape: 2 } as const;
export const Shape = { dim: 1 } as const;
export const Dimension = { value: 1, param: 2 } as const;
