/**
 * Snapshots of a run's tensors for drift features computed later (binning.ts): a copy
 * of exactly what the features read, taken before the run's memory is reused.
 */
import type { SnapshotArena, TypedArrayConstructor } from './arena.js';
import { isClassScores, momentStride, type FeatureTensor } from './features.js';

type TypedArray = ArrayBufferView & { length: number; slice(): TypedArray; constructor: new (length: number) => TypedArray } & ArrayLike<number | bigint>;

/** The common case, kept monomorphic so the engine compiles it to a tight loop. */
function stridedCopy(from: Float32Array, to: Float32Array, stride: number): void {
  for (let i = 0, j = 0; i < from.length; i += stride, j++) to[j] = from[i] as number;
}

/**
 * A copy of what {@link tensorFeatures} reads of `tensor`, so the features can be
 * computed later, after the tensor's memory is reused: the whole tensor when it is
 * small or class scores, else its fixed-stride sample (marked `sampled`). Features of
 * the snapshot equal the features of the tensor. With an `arena` the copy is a view
 * of its buffer, valid until the arena is reset.
 *
 * @example
 * ```ts
 * const later = snapshotTensor(feeds.x); // feeds.x may be overwritten from here on
 * tensorFeatures('input', 'x', later, sink);
 * ```
 */
export function snapshotTensor(tensor: FeatureTensor, arena?: SnapshotArena): FeatureTensor {
  const data = tensor.data as unknown as TypedArray;
  if (typeof data.length !== 'number' || typeof data.slice !== 'function') return tensor;
  const stride = momentStride(tensor, data.length);
  if (stride === 1 || (tensor.type !== 'string' && isClassScores(tensor, data.length))) {
    const copy = copyOf(data, arena);
    // dims are shared, not copied: nothing mutates a run's dims.
    return tensor.sampled ? { type: tensor.type, data: copy, dims: tensor.dims, sampled: true } : { type: tensor.type, data: copy, dims: tensor.dims };
  }
  const length = Math.ceil(data.length / stride);
  const sample = (arena?.take(data.constructor as unknown as TypedArrayConstructor & { BYTES_PER_ELEMENT: number }, length) ??
    new data.constructor(length)) as unknown as { [i: number]: number | bigint; length: number };
  if (data instanceof Float32Array) stridedCopy(data, sample as unknown as Float32Array, stride);
  else for (let i = 0, j = 0; i < data.length; i += stride, j++) sample[j] = data[i] as number | bigint;
  return { type: tensor.type, data: sample as unknown as ArrayBufferView, dims: [sample.length], sampled: true };
}

/** A copy of `data` in `arena` when it has room, else in a buffer of its own. */
function copyOf(data: TypedArray, arena: SnapshotArena | undefined): ArrayBufferView {
  const copy = arena?.take(data.constructor as unknown as TypedArrayConstructor & { BYTES_PER_ELEMENT: number }, data.length) as
    | (ArrayBufferView & { set(from: ArrayLike<number | bigint>): void })
    | undefined;
  if (copy === undefined) return data.slice();
  copy.set(data);
  return copy;
}
