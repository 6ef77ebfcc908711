/** Tensor payloads as ONNX `raw_data` bytes, for the model builder. */
import type { TensorData } from './build.js';

/** raw_data is little-endian whatever the host, hence DataView rather than a typed-array view. */
export function rawData({ name, type, values }: TensorData): Uint8Array {
  const size = { float32: 4, uint8: 1, int8: 1, int32: 4, int64: 8, bool: 1, float16: 2 }[type];
  const bytes = new Uint8Array(values.length * size);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => {
    const offset = i * size;
    switch (type) {
      case 'float32':
        view.setFloat32(offset, Number(value), true);
        break;
      case 'float16':
        view.setUint16(offset, checkedInt(name, value, 0, 0xffff), true);
        break;
      case 'uint8':
        view.setUint8(offset, checkedInt(name, value, 0, 255));
        break;
      case 'int8':
        view.setInt8(offset, checkedInt(name, value, -128, 127));
        break;
      case 'int32':
        view.setInt32(offset, checkedInt(name, value, -(2 ** 31), 2 ** 31 - 1), true);
        break;
      case 'int64':
        view.setBigInt64(offset, BigInt.asIntN(64, BigInt(value)), true);
        break;
      case 'bool':
        view.setUint8(offset, value ? 1 : 0);
        break;
    }
  });
  return bytes;
}

function checkedInt(name: string, value: number | bigint | boolean, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`tensor ${name}: ${String(value)} out of range`);
  return n;
}
