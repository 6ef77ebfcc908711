// Node-side helpers: deterministic feeds and tensor transport to and from the page.
export type DType = 'float32' | 'int64' | 'int32' | 'uint8' | 'int8' | 'bool' | 'float16';

export interface NodeTensor {
  type: DType;
  dims: number[];
  data: Float32Array | BigInt64Array | Int32Array | Uint8Array | Int8Array | Uint16Array;
}

export interface WireTensor {
  type: DType;
  dims: number[];
  base64: string;
}

/** Mulberry32: small, seedable, identical everywhere. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomFloat32(dims: number[], seed: number, scale = 1): NodeTensor {
  const next = prng(seed);
  const size = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = (next() * 2 - 1) * scale;
  return { type: 'float32', dims, data };
}

export function toWire(tensor: NodeTensor): WireTensor {
  const bytes = Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  return { type: tensor.type, dims: tensor.dims, base64: bytes.toString('base64') };
}

export function fromWire(wire: WireTensor): NodeTensor {
  const bytes = Buffer.from(wire.base64, 'base64');
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const data =
    wire.type === 'float32' ? new Float32Array(buffer)
    : wire.type === 'int64' ? new BigInt64Array(buffer)
    : wire.type === 'int32' ? new Int32Array(buffer)
    : wire.type === 'int8' ? new Int8Array(buffer)
    : wire.type === 'float16' ? new Uint16Array(buffer)
    : new Uint8Array(buffer);
  return { type: wire.type, dims: wire.dims, data };
}

export function maxAbsDiff(a: NodeTensor, b: NodeTensor): number {
  if (a.data.length !== b.data.length) return Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < a.data.length; i++) {
    const diff = Math.abs(Number(a.data[i]) - Number(b.data[i]));
    if (Number.isNaN(diff)) return Number.POSITIVE_INFINITY;
    if (diff > max) max = diff;
  }
  return max;
}
