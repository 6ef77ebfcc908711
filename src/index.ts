export { OutpostError, isOutpostError, ERROR_CODES } from './errors.js';
export type { OutpostErrorCode } from './errors.js';
export type { Model, RunOptions } from './runtime/model.js';
export type { TensorLike, TensorSpec, TensorType, Backend, BackendPreference } from './tensor/types.js';
