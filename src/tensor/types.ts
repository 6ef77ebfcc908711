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

/** One model input or output: symbolic dims (e.g. `'batch'`) are strings. */
export interface TensorSpec {
  name: string;
  type: string;
  dims: Array<number | string>;
}

export type Backend = 'webgpu' | 'wasm';
export type BackendPreference = 'auto' | Backend;
