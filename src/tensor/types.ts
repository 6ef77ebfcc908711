/** Element types a {@link TensorLike} may carry. */
export type TensorType = 'float32' | 'float16' | 'int32' | 'int64' | 'uint8' | 'int8' | 'bool';

/**
 * A tensor as it crosses the public API and the worker boundary: a typed array
 * and its dims, nothing else, so it survives structured clone and transfer.
 */
export interface TensorLike {
  type: TensorType;
  data: ArrayBufferView;
  dims: readonly number[];
}

/**
 * One model input or output: symbolic dims (e.g. `'batch'`) are strings. The one
 * declaration the runtime, the registry's manifests and the ONNX reader share.
 */
export interface TensorSpec {
  name: string;
  /** An onnxruntime-web type name (`'float32'`, …), or a descriptive string for types it has none for. */
  type: string;
  dims: Array<number | string>;
  /**
   * Present when the model declares no shape at all (not even a rank), so `dims: []`
   * means "anything" rather than "scalar": validators must not check the shape.
   */
  unknownRank?: true;
}

export type Backend = 'webgpu' | 'wasm';
export type BackendPreference = 'auto' | Backend;
