import { WireType } from './wire.js';

const utf8Encoder = new TextEncoder();

/**
 * Builds one message. Integers accept `number` (safe integers) or `bigint`; negative
 * values are written as 10-byte two's-complement varints, as protobuf's int32/int64 do.
 *
 * @example
 * ```ts
 * const bytes = new ProtoWriter()
 *   .string(1, 'x')
 *   .message(2, (w) => w.int64(1, 7))
 *   .finish();
 * ```
 */
export class ProtoWriter {
  private buffer = new Uint8Array(256);
  private view = new DataView(this.buffer.buffer);
  private length = 0;

  tag(field: number, wireType: WireType): this {
    if (!Number.isInteger(field) || field < 1 || field > 0x1fffffff) {
      throw new RangeError(`invalid protobuf field number ${field}`);
    }
    return this.rawVarint(BigInt(field) << 3n | BigInt(wireType));
  }

  /** int32, int64, uint32, uint64 and enum fields: plain (not zigzag) varints. */
  int64(field: number, value: number | bigint): this {
    return this.tag(field, WireType.Varint).rawVarint(toUint64(value));
  }

  bool(field: number, value: boolean): this {
    return this.tag(field, WireType.Varint).rawVarint(value ? 1n : 0n);
  }

  fixed32(field: number, value: number): this {
    this.tag(field, WireType.Fixed32).reserve(4);
    this.view.setUint32(this.length, value >>> 0, true);
    this.length += 4;
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, WireType.Fixed32).reserve(4);
    this.view.setFloat32(this.length, value, true);
    this.length += 4;
    return this;
  }

  fixed64(field: number, value: bigint): this {
    this.tag(field, WireType.Fixed64).reserve(8);
    this.view.setBigUint64(this.length, BigInt.asUintN(64, value), true);
    this.length += 8;
    return this;
  }

  double(field: number, value: number): this {
    this.tag(field, WireType.Fixed64).reserve(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WireType.LengthDelimited).rawVarint(BigInt(value.length));
    this.reserve(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, utf8Encoder.encode(value));
  }

  /** An embedded message, built by `build` on a fresh writer. */
  message(field: number, build: (writer: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  /** A packed repeated varint field (proto3's default encoding for repeated scalars). */
  packedInt64(field: number, values: ReadonlyArray<number | bigint>): this {
    const inner = new ProtoWriter();
    for (const value of values) inner.rawVarint(toUint64(value));
    return this.bytes(field, inner.finish());
  }

  /** A packed repeated float field. */
  packedFloat(field: number, values: ReadonlyArray<number>): this {
    const payload = new Uint8Array(values.length * 4);
    const view = new DataView(payload.buffer);
    values.forEach((value, i) => view.setFloat32(i * 4, value, true));
    return this.bytes(field, payload);
  }

  /** The message so far (a copy sized to fit; the writer can keep going). */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  private rawVarint(value: bigint): this {
    this.reserve(10);
    let rest = value;
    while (rest >= 0x80n) {
      this.buffer[this.length++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    this.buffer[this.length++] = Number(rest);
    return this;
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }
}

function toUint64(value: number | bigint): bigint {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new RangeError(`${value} is not a safe integer; pass a bigint`);
  }
  const big = BigInt(value);
  if (big < -(1n << 63n) || big >= 1n << 64n) throw new RangeError(`${value} does not fit in 64 bits`);
  return BigInt.asUintN(64, big);
}
