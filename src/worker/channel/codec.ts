import { TYPED_ARRAY_FOR } from '../../tensor/convert.js';
import type { TensorLike, TensorType } from '../../tensor/types.js';

/**
 * A compact binary form of a set of named tensors, written straight into shared
 * memory: no structured clone, no JSON. Layout per tensor, all little-endian:
 *   u16 name length, name (UTF-8), u8 type code, u8 rank, pad to 4,
 *   u32 dims[rank], u32 data byte length, pad to 8, data.
 * Preceded by a u32 tensor count.
 */
const TYPES: readonly TensorType[] = ['float32', 'float16', 'int32', 'int64', 'uint8', 'int8', 'bool'];
const CODE: Record<TensorType, number> = Object.fromEntries(TYPES.map((type, i) => [type, i])) as Record<TensorType, number>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const align = (offset: number, to: number) => (offset + to - 1) & ~(to - 1);

/** Bytes `encodeTensors` needs for `tensors`, given each name already encoded. */
function sizeOf(entries: ReadonlyArray<[Uint8Array, TensorLike]>): number {
  let size = 4;
  for (const [name, tensor] of entries) {
    size = align(size + 2 + name.byteLength + 2, 4) + 4 * tensor.dims.length + 4;
    size = align(size, 8) + tensor.data.byteLength;
  }
  return size;
}

/**
 * Names in UTF-8, remembered: a model's inputs and outputs are named the same on every
 * call. (TextEncoder refuses shared memory, so names are encoded apart, then copied.)
 */
const nameBytes = new Map<string, Uint8Array>();
const NAME_CACHE_LIMIT = 1024;

function encodeName(name: string): Uint8Array {
  let bytes = nameBytes.get(name);
  if (!bytes) {
    if (nameBytes.size >= NAME_CACHE_LIMIT) nameBytes.clear();
    bytes = encoder.encode(name);
    nameBytes.set(name, bytes);
  }
  return bytes;
}

/** A name read back: short ASCII (the usual case) directly, anything else through TextDecoder. */
function decodeName(bytes: Uint8Array): string {
  // Short names only: `apply` spreads every byte as an argument.
  let ascii = bytes.length <= 256;
  for (let i = 0; ascii && i < bytes.length; i++) {
    if ((bytes[i] as number) >= 0x80) {
      ascii = false;
      break;
    }
  }
  // TextDecoder refuses views of shared memory, so a non-ASCII name is copied first.
  return ascii ? String.fromCharCode.apply(null, bytes as unknown as number[]) : decoder.decode(bytes.slice());
}

const withNameBytes = (tensors: Record<string, TensorLike>): Array<[Uint8Array, TensorLike]> =>
  Object.entries(tensors).map(([name, tensor]) => [encodeName(name), tensor]);

/** Bytes `encodeTensors` needs for `tensors`. */
export function encodedSize(tensors: Record<string, TensorLike>): number {
  return sizeOf(withNameBytes(tensors));
}

/** Writes `tensors` at the start of `target`; returns the bytes written, or -1 if they do not fit. */
export function encodeTensors(tensors: Record<string, TensorLike>, target: Uint8Array): number {
  const entries = withNameBytes(tensors);
  if (sizeOf(entries) > target.byteLength) return -1;
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  view.setUint32(0, entries.length, true);
  let offset = 4;
  for (const [nameBytes, tensor] of entries) {
    view.setUint16(offset, nameBytes.byteLength, true);
    target.set(nameBytes, offset + 2);
    offset += 2 + nameBytes.byteLength;
    view.setUint8(offset, CODE[tensor.type]);
    view.setUint8(offset + 1, tensor.dims.length);
    offset = align(offset + 2, 4);
    for (const dim of tensor.dims) {
      view.setUint32(offset, dim, true);
      offset += 4;
    }
    const { data } = tensor;
    view.setUint32(offset, data.byteLength, true);
    offset = align(offset + 4, 8);
    target.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), offset);
    offset += data.byteLength;
  }
  return offset;
}

/**
 * Reads tensors written by `encodeTensors`. With `copy`, each tensor gets its own
 * ArrayBuffer (the caller keeps it); without, tensors are views into `source`, valid
 * only until the region is written again.
 */
export function decodeTensors(source: Uint8Array, copy: boolean): Record<string, TensorLike> {
  const view = new DataView(source.buffer, source.byteOffset, source.byteLength);
  const count = view.getUint32(0, true);
  const out: Record<string, TensorLike> = {};
  let offset = 4;
  for (let i = 0; i < count; i++) {
    const nameLength = view.getUint16(offset, true);
    const name = decodeName(source.subarray(offset + 2, offset + 2 + nameLength));
    offset += 2 + nameLength;
    const type = TYPES[view.getUint8(offset)] as TensorType;
    const rank = view.getUint8(offset + 1);
    offset = align(offset + 2, 4);
    const dims: number[] = [];
    for (let d = 0; d < rank; d++) {
      dims.push(view.getUint32(offset, true));
      offset += 4;
    }
    const byteLength = view.getUint32(offset, true);
    offset = align(offset + 4, 8);
    const Typed = TYPED_ARRAY_FOR[type];
    const start = source.byteOffset + offset;
    let data: ArrayBufferView;
    if (copy) {
      // A plain ArrayBuffer the caller owns, even when `source` is shared memory.
      data = new Typed(byteLength / Typed.BYTES_PER_ELEMENT);
      new Uint8Array(data.buffer).set(source.subarray(offset, offset + byteLength));
    } else {
      data = new Typed(source.buffer as ArrayBuffer, start, byteLength / Typed.BYTES_PER_ELEMENT);
    }
    out[name] = { type, data, dims };
    offset += byteLength;
  }
  return out;
}
