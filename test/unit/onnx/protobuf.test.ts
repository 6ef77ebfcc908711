import { describe, expect, it } from 'vitest';
import { isOutpostError } from '../../../src/errors.js';
import { ProtoReader, ProtoWriter, WireType } from '../../../src/onnx/protobuf.js';

/** Reads the single field a test wrote and hands the reader over positioned on its value. */
function readOne(bytes: Uint8Array, field = 1): ProtoReader {
  const reader = new ProtoReader(bytes);
  expect(reader.next()).toBe(true);
  expect(reader.field).toBe(field);
  return reader;
}

function expectMalformed(run: () => unknown): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(isOutpostError(caught, 'METADATA_INVALID')).toBe(true);
}

describe('varints', () => {
  it('encodes the documented protobuf examples byte for byte', () => {
    // "field 1 = 150" from the protobuf encoding guide.
    expect([...new ProtoWriter().int64(1, 150).finish()]).toEqual([0x08, 0x96, 0x01]);
    expect([...new ProtoWriter().int64(1, 300).finish()]).toEqual([0x08, 0xac, 0x02]);
    // Negative int32/int64 are sign-extended to 64 bits: always ten bytes.
    expect([...new ProtoWriter().int64(1, -1).finish()]).toEqual([
      0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
    ]);
  });

  const numbers = [0, 1, 127, 128, 300, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, -1, -300, -(2 ** 31), -(2 ** 53 - 1)];
  it.each(numbers)('round-trips %d as int64', (value) => {
    expect(readOne(new ProtoWriter().int64(1, value).finish()).int64()).toBe(value);
  });

  const bigints = [0n, 1n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n), -1n, -(2n ** 53n) - 1n];
  it.each(bigints)('round-trips %s exactly as int64Big', (value) => {
    expect(readOne(new ProtoWriter().int64(1, value).finish()).int64Big()).toBe(value);
  });

  it('reads uint64 values above 2^63 without a sign', () => {
    const max = 2n ** 64n - 1n;
    expect(readOne(new ProtoWriter().int64(1, max).finish()).uint64Big()).toBe(max);
    expect(readOne(new ProtoWriter().int64(1, max).finish()).int64Big()).toBe(-1n);
  });

  it('reads negative int32 fields written as 64-bit varints', () => {
    expect(readOne(new ProtoWriter().int64(1, -5).finish()).int32()).toBe(-5);
    expect(readOne(new ProtoWriter().int64(1, -(2 ** 31)).finish()).int32()).toBe(-(2 ** 31));
  });

  it('truncates to the low 32 bits when a 64-bit value is read as uint32', () => {
    expect(readOne(new ProtoWriter().int64(1, 2 ** 32 + 7).finish()).uint32()).toBe(7);
  });

  it('refuses to round int64 values a number cannot hold', () => {
    expectMalformed(() => readOne(new ProtoWriter().int64(1, 2n ** 53n + 1n).finish()).int64());
    expectMalformed(() => readOne(new ProtoWriter().int64(1, -(2n ** 60n)).finish()).int64());
  });

  it('rejects unsafe numbers and out-of-range bigints when writing', () => {
    expect(() => new ProtoWriter().int64(1, 2 ** 53)).toThrow(RangeError);
    expect(() => new ProtoWriter().int64(1, 1.5)).toThrow(RangeError);
    expect(() => new ProtoWriter().int64(1, 2n ** 64n)).toThrow(RangeError);
    expect(() => new ProtoWriter().int64(0, 1)).toThrow(RangeError);
  });

  it('encodes large field numbers in the tag', () => {
    const reader = readOne(new ProtoWriter().bool(536_870_911, true).finish(), 536_870_911);
    expect(reader.wireType).toBe(WireType.Varint);
    expect(reader.bool()).toBe(true);
  });
});

describe('fixed-width and length-delimited fields', () => {
  it('round-trips fixed32, float, fixed64 and double little-endian', () => {
    const bytes = new ProtoWriter()
      .fixed32(1, 0xdeadbeef)
      .float(2, 1.5)
      .fixed64(3, 0x0123456789abcdefn)
      .double(4, -0.1)
      .finish();
    const reader = new ProtoReader(bytes);
    const seen: unknown[] = [];
    while (reader.next()) {
      if (reader.field === 1) seen.push(reader.fixed32());
      if (reader.field === 2) seen.push(reader.float());
      if (reader.field === 3) seen.push(reader.fixed64());
      if (reader.field === 4) seen.push(reader.double());
    }
    expect(seen).toEqual([0xdeadbeef, 1.5, 0x0123456789abcdefn, -0.1]);
    expect([...bytes.subarray(1, 5)]).toEqual([0xef, 0xbe, 0xad, 0xde]);
  });

  it('round-trips UTF-8 strings and bytes', () => {
    const payload = Uint8Array.from([0, 255, 7]);
    const reader = new ProtoReader(new ProtoWriter().string(1, 'dim_ünï 🙂').bytes(2, payload).finish());
    reader.next();
    expect(reader.string()).toBe('dim_ünï 🙂');
    reader.next();
    expect([...reader.bytesView()]).toEqual([0, 255, 7]);
  });

  it('returns views over the input, not copies', () => {
    const bytes = new ProtoWriter().bytes(1, new Uint8Array(1000).fill(9)).finish();
    const view = readOne(bytes).bytesView();
    expect(view.buffer).toBe(bytes.buffer);
    expect(view.byteOffset).toBe(3); // tag + 2-byte length
  });

  it('round-trips nested messages, each reader bounded by its length', () => {
    const bytes = new ProtoWriter()
      .message(1, (w) => w.string(1, 'inner').message(2, (deeper) => deeper.int64(1, -42)))
      .int64(2, 7)
      .finish();
    const outer = new ProtoReader(bytes);
    outer.next();
    const inner = outer.message();
    inner.next();
    expect(inner.string()).toBe('inner');
    inner.next();
    const deeper = inner.message();
    deeper.next();
    expect(deeper.int64()).toBe(-42);
    expect(deeper.next()).toBe(false);
    expect(inner.next()).toBe(false);
    outer.next();
    expect([outer.field, outer.int64()]).toEqual([2, 7]);
  });

  it('grows its buffer past the initial size', () => {
    const big = new Uint8Array(100_000).map((_, i) => i & 0xff);
    expect(readOne(new ProtoWriter().bytes(1, big).finish()).bytesView()).toEqual(big);
  });
});

describe('repeated fields', () => {
  it('reads packed varints, negatives included', () => {
    const values = [1, -1, 300, 2 ** 40, 0];
    expect(readOne(new ProtoWriter().packedInt64(1, values).finish()).repeatedInt64()).toEqual(values);
  });

  it('reads the unpacked proto2 form one value per tag', () => {
    const writer = new ProtoWriter();
    for (const dim of [2, 3, 5]) writer.int64(1, dim);
    const reader = new ProtoReader(writer.finish());
    const dims: number[] = [];
    while (reader.next()) dims.push(...reader.repeatedInt64());
    expect(dims).toEqual([2, 3, 5]);
  });

  it('reads packed and unpacked floats', () => {
    expect(readOne(new ProtoWriter().packedFloat(1, [0.5, -2, 1e10]).finish()).repeatedFloat()).toEqual([0.5, -2, 1e10]);
    expect(readOne(new ProtoWriter().float(1, 0.25).finish()).repeatedFloat()).toEqual([0.25]);
  });
});

describe('skipping', () => {
  it('skips every wire type, groups included, and lands on the next field', () => {
    const fields = new ProtoWriter()
      .int64(1, -1)
      .fixed64(2, 1n)
      .bytes(3, new Uint8Array(50))
      .fixed32(4, 1)
      .finish();
    // A group (wire types 3/4), nested, as old proto2 writers emit them.
    const group = Uint8Array.from([(5 << 3) | 3, 0x08, 0x01, (6 << 3) | 3, (6 << 3) | 4, (5 << 3) | 4]);
    const tail = new ProtoWriter().string(9, 'end').finish();
    const reader = new ProtoReader(Uint8Array.from([...fields, ...group, ...tail]));
    const skipped: number[] = [];
    while (reader.next()) {
      if (reader.field === 9) break;
      skipped.push(reader.field);
      reader.skip();
    }
    expect(skipped).toEqual([1, 2, 3, 4, 5]);
    expect(reader.string()).toBe('end');
  });
});

describe('malformed input', () => {
  const cases: Array<[string, number[]]> = [
    ['a varint cut short', [0x08, 0x96]],
    ['a varint longer than ten bytes', [0x08, ...new Array<number>(10).fill(0xff), 0x01]],
    ['a length past the end', [0x0a, 0x05, 0x01, 0x02]],
    ['a fixed32 cut short', [0x0d, 0x01, 0x02]],
    ['a fixed64 cut short', [0x09, 0x01, 0x02, 0x03]],
    ['wire type 7', [0x0f]],
    ['an end-group with no start', [0x0c]],
    ['an unterminated group', [0x0b, 0x08, 0x01]],
    ['field number 0', [0x00, 0x01]],
  ];
  it.each(cases)('throws METADATA_INVALID on %s', (_name, bytes) => {
    expectMalformed(() => {
      const reader = new ProtoReader(Uint8Array.from(bytes));
      while (reader.next()) reader.skip();
    });
  });

  it('throws METADATA_INVALID on invalid UTF-8', () => {
    expectMalformed(() => readOne(new ProtoWriter().bytes(1, Uint8Array.from([0xc3, 0x28])).finish()).string());
  });

  it('does not let a nested length escape its parent', () => {
    // Outer message claims 2 bytes; inside, a field claims 5.
    const bytes = Uint8Array.from([0x0a, 0x02, 0x0a, 0x05, 0x01, 0x02, 0x03, 0x04, 0x05]);
    expectMalformed(() => {
      const outer = readOne(bytes);
      const inner = outer.message();
      inner.next();
      inner.bytesView();
    });
  });
});
