import type { TensorLike, TensorType } from './types.js';

type TypedArrayConstructor =
  | Float32ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | BigInt64ArrayConstructor
  | Uint8ArrayConstructor
  | Int8ArrayConstructor;

/** The typed array onnxruntime-web expects for each element type. */
export const TYPED_ARRAY_FOR: Record<TensorType, TypedArrayConstructor> = {
  float32: Float32Array,
  float16: Uint16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  int8: Int8Array,
  bool: Uint8Array,
};

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((product, dim) => product * dim, 1);
}

/**
 * Views `tensor.data` as the typed array its type calls for, without copying when the
 * caller already used the right class (a Float16Array or DataView is re-viewed).
 */
export function typedDataOf(tensor: TensorLike): ArrayBufferView {
  const Expected = TYPED_ARRAY_FOR[tensor.type];
  if (tensor.data instanceof Expected) return tensor.data;
  const { buffer, byteOffset, byteLength } = tensor.data;
  return new Expected(buffer as ArrayBuffer, byteOffset, byteLength / Expected.BYTES_PER_ELEMENT);
}

/**
 * The buffers to transfer for `tensors`. A view that does not own its whole buffer,
 * or lives in shared memory, is first copied so that transferring never detaches
 * memory somebody else still uses.
 */
export function detachableTensors(
  tensors: Record<string, TensorLike>,
): { tensors: Record<string, TensorLike>; transfer: ArrayBuffer[] } {
  const out: Record<string, TensorLike> = {};
  const transfer: ArrayBuffer[] = [];
  const seen = new Set<ArrayBufferLike>();
  for (const [name, tensor] of Object.entries(tensors)) {
    let data = tensor.data;
    const owned =
      data.buffer instanceof ArrayBuffer &&
      data.byteOffset === 0 &&
      data.byteLength === data.buffer.byteLength &&
      !seen.has(data.buffer);
    if (!owned) data = copyView(data);
    seen.add(data.buffer);
    transfer.push(data.buffer as ArrayBuffer);
    out[name] = { type: tensor.type, data, dims: [...tensor.dims] };
  }
  return { tensors: out, transfer };
}

function copyView(view: ArrayBufferView): ArrayBufferView {
  const bytes = new Uint8Array(view.byteLength);
  bytes.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  const Same = view.constructor as new (buffer: ArrayBuffer) => ArrayBufferView;
  return view instanceof DataView ? new DataView(bytes.buffer) : new Same(bytes.buffer);
}
