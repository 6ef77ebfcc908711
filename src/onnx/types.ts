import type { TensorSpec } from '../tensor/types.js';

/**
 * Element types as onnxruntime-web names them (`Tensor.Type`), so a spec read from a
 * model file can be compared with a feed's `tensor.type` without a translation table.
 * Types onnxruntime has no JavaScript name for keep a descriptive string instead.
 */
export type TensorDType =
  | 'float32'
  | 'float16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'int8'
  | 'bool'
  // Open on purpose: models may use any ONNX type, and a reader must not reject them.
  | (string & {});

/** How a {@link TensorSpec} spells a dimension that has neither a size nor a name. */
export const UNKNOWN_DIM = '?';

/**
 * One graph input or output as declared in an ONNX file.
 *
 * `dims` holds a number for a fixed dimension, the symbolic name for a named dynamic
 * one (`'batch'`), or `'?'` for a dimension the file leaves unnamed and unsized. A
 * scalar has `dims: []`. Non-tensor values keep a descriptive `type` (`'sequence'`,
 * `'map'`, `'optional'`, `'sparse_tensor(float32)'`) and `dims: []`.
 *
 * @example
 * ```ts
 * const spec: TensorSpec = { name: 'x', type: 'float32', dims: ['batch', 4] };
 * ```
 */
export type { TensorSpec };

/**
 * What {@link inspectOnnx} reads from a model without running it.
 *
 * @example
 * ```ts
 * const info: OnnxModelInfo = inspectOnnx(bytes);
 * if (!info.opTypes.includes('Mod')) useWebGpu();
 * ```
 */
export interface OnnxModelInfo {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** Version of the default (`ai.onnx`) operator set, when the file declares one. */
  opsetVersion?: number;
  /**
   * Distinct operator types, sorted, counting subgraphs (If/Loop/Scan bodies) and
   * model-local functions. Operators outside the default domain carry it as a prefix:
   * `'com.microsoft:FusedConv'`.
   */
  opTypes: string[];
}
