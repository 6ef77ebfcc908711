export { createRuntime } from './runtime/create-runtime.js';
export type { Runtime, CacheEntry } from './runtime/create-runtime.js';
export type { StorageStatus, StorageFallbackReason } from './cache/open-cache.js';
export type { RefreshDetail } from './runtime/refresh.js';
export type { RuntimeOptions, LoadOptions, LoadProgress } from './runtime/options.js';
export { OutpostError, isOutpostError, ERROR_CODES } from './errors.js';
export type { OutpostErrorCode } from './errors.js';
export type { Model, RunOptions } from './runtime/model.js';
export type { TensorLike, TensorSpec, TensorType, Backend, BackendPreference } from './tensor/types.js';
