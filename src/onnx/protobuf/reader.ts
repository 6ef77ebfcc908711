import { malformed, WireType } from './wire.js';

const TWO_POW_32 = 4294967296;
// fatal: a model whose names are not valid UTF-8 is malformed, not something to patch up.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads one message (or a slice of one). Every read is bounds-checked against `end`,
 * so a truncated or lying length prefix throws `METADATA_INVALID` instead of reading
 * a neighbour's bytes. Sub-messages are views over the same buffer: nothing is copied.
 *
 * @example
 * ```ts
 * const reader = new ProtoReader(bytes);
 * while (reader.next()) {
 *   if (reader.field === 2 && reader.wireType === WireType.LengthDelimited) name = reader.string();
 *   else reader.skip();
 * }
 * ```
 */
export class ProtoReader {
  readonly bytes: Uint8Array;
  pos: number;
  readonly end: number;
  /** Field number of the tag last read by {@link next}. */
  field = 0;
  /** Wire type of the tag last read by {@link next}. */
  wireType: number = WireType.Varint;
  private view: DataView | undefined;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    if (start < 0 || end > bytes.length || start > end) {
      throw malformed('slice is outside the buffer', start);
    }
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
  }

  /** Reads the next tag; false at the end of the message. */
  next(): boolean {
    if (this.pos >= this.end) return false;
    const at = this.pos;
    const tag = this.uint32();
    this.field = tag >>> 3;
    this.wireType = tag & 7;
    if (this.field === 0) throw malformed('field number 0', at);
    return true;
  }

  /** A varint as protobuf `uint32` reads it: the low 32 bits, unsigned. */
  uint32(): number {
    // Fast path: tags, lengths and small enums fit in one or two bytes.
    let b = this.byte();
    let value = b & 0x7f;
    if (b < 0x80) return value;
    b = this.byte();
    value |= (b & 0x7f) << 7;
    if (b < 0x80) return value;
    b = this.byte();
    value |= (b & 0x7f) << 14;
    if (b < 0x80) return value;
    b = this.byte();
    value |= (b & 0x7f) << 21;
    if (b < 0x80) return value >>> 0;
    b = this.byte();
    value |= (b & 0x0f) << 28;
    if (b < 0x80) return value >>> 0;
    // A 64-bit varint read as 32 bits: the high bits are dropped, as protobuf does.
    for (let i = 0; i < 5; i++) if (this.byte() < 0x80) return value >>> 0;
    throw malformed('varint longer than 10 bytes', this.pos);
  }

  /** A varint as protobuf `int32` reads it (negative values arrive as 10-byte varints). */
  int32(): number {
    return this.uint32() | 0;
  }

  /**
   * A signed 64-bit varint as a JavaScript number. Throws `METADATA_INVALID` past
   * ±(2^53 − 1) rather than silently rounding: use {@link int64Big} where that can happen.
   */
  int64(): number {
    const at = this.pos;
    const [lo, hi] = this.varint64Halves();
    const value = (hi | 0) * TWO_POW_32 + lo;
    if (!Number.isSafeInteger(value)) throw malformed('64-bit integer beyond 2^53', at);
    return value;
  }

  /** A signed 64-bit varint, exactly. */
  int64Big(): bigint {
    return BigInt.asIntN(64, this.uint64Big());
  }

  /** An unsigned 64-bit varint, exactly. */
  uint64Big(): bigint {
    const [lo, hi] = this.varint64Halves();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  bool(): boolean {
    return this.uint32() !== 0;
  }

  fixed32(): number {
    return this.dataView().getUint32(this.advance(4), true);
  }

  float(): number {
    return this.dataView().getFloat32(this.advance(4), true);
  }

  fixed64(): bigint {
    return this.dataView().getBigUint64(this.advance(8), true);
  }

  double(): number {
    return this.dataView().getFloat64(this.advance(8), true);
  }

  /** A length-delimited field's payload: a view over the input, never a copy. */
  bytesView(): Uint8Array {
    const [start, stop] = this.lengthDelimited();
    return this.bytes.subarray(start, stop);
  }

  string(): string {
    const at = this.pos;
    const view = this.bytesView();
    try {
      return utf8Decoder.decode(view);
    } catch (cause) {
      throw malformed('string is not valid UTF-8', at, cause);
    }
  }

  /** A reader over an embedded message; this reader moves past it. */
  message(): ProtoReader {
    const [start, stop] = this.lengthDelimited();
    return new ProtoReader(this.bytes, start, stop);
  }

  /**
   * Values of a repeated varint field. proto2 writers (ONNX's own) emit one tag per
   * value, proto3 writers pack them; a reader must accept both, so this reads either
   * form according to the wire type of the tag just read.
   */
  repeatedInt64(): number[] {
    if (this.wireType === WireType.Varint) return [this.int64()];
    const inner = this.message();
    const values: number[] = [];
    while (inner.pos < inner.end) values.push(inner.int64());
    return values;
  }

  /** Values of a repeated float field, packed or not (see {@link repeatedInt64}). */
  repeatedFloat(): number[] {
    if (this.wireType === WireType.Fixed32) return [this.float()];
    const inner = this.message();
    if ((inner.end - inner.pos) % 4 !== 0) throw malformed('packed floats not a multiple of 4 bytes', inner.pos);
    const values: number[] = [];
    while (inner.pos < inner.end) values.push(inner.float());
    return values;
  }

  /** Skips the value of the tag just read, without looking at length-delimited payloads. */
  skip(): void {
    switch (this.wireType) {
      case WireType.Varint:
        this.uint32();
        return;
      case WireType.Fixed64:
        this.advance(8);
        return;
      case WireType.LengthDelimited:
        this.lengthDelimited();
        return;
      case WireType.Fixed32:
        this.advance(4);
        return;
      case WireType.StartGroup:
        this.skipGroup(this.field);
        return;
      default:
        throw malformed(`unexpected wire type ${this.wireType}`, this.pos);
    }
  }

  /** Groups are deprecated and unused by ONNX, but a conforming skipper must step over them. */
  private skipGroup(field: number, depth = 0): void {
    // Nesting is bounded so a hostile file cannot exhaust the stack.
    if (depth > 64) throw malformed('groups nested too deeply', this.pos);
    while (this.next()) {
      if (this.wireType === WireType.EndGroup) {
        if (this.field !== field) throw malformed('mismatched end-group', this.pos);
        return;
      }
      if (this.wireType === WireType.StartGroup) this.skipGroup(this.field, depth + 1);
      else this.skip();
    }
    throw malformed('unterminated group', this.pos);
  }

  private lengthDelimited(): [number, number] {
    const at = this.pos;
    const length = this.uint32();
    // Lengths are int32 on the wire; anything past the message end is a lie.
    if (length > this.end - this.pos) throw malformed('length runs past the end of the message', at);
    const start = this.pos;
    this.pos += length;
    return [start, this.pos];
  }

  private varint64Halves(): [number, number] {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      const bits = b & 0x7f;
      const shift = 7 * i;
      if (i < 4) lo |= bits << shift;
      else if (i === 4) {
        lo |= bits << 28; // only the low 4 bits land in `lo`; << truncates the rest
        hi |= bits >>> 4;
      } else hi |= bits << (shift - 32);
      if (b < 0x80) return [lo >>> 0, hi >>> 0];
    }
    throw malformed('varint longer than 10 bytes', this.pos);
  }

  private byte(): number {
    if (this.pos >= this.end) throw malformed('message ends inside a value', this.pos);
    return this.bytes[this.pos++] as number;
  }

  private advance(count: number): number {
    if (this.end - this.pos < count) throw malformed('message ends inside a fixed-width value', this.pos);
    const at = this.pos;
    this.pos += count;
    return at;
  }

  private dataView(): DataView {
    this.view ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    return this.view;
  }
}
