// Wire types and the one error a malformed message produces, shared by reader and writer.
import { OutpostError } from '../../errors.js';

export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  StartGroup: 3,
  EndGroup: 4,
  Fixed32: 5,
} as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

/** Every decoding failure: the bytes came from outside, so they are data errors, not bugs. */
export function malformed(reason: string, offset: number, cause?: unknown): OutpostError {
  return new OutpostError('METADATA_INVALID', `Malformed protobuf at byte ${offset}: ${reason}`, {
    details: { offset, reason },
    ...(cause === undefined ? {} : { cause }),
  });
}
