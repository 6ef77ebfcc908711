/**
 * The shared-memory run channel: one SharedArrayBuffer per session, a small Int32
 * header then a data region that holds the request (feeds) and then the response.
 * The page writes a request and bumps REQUEST; the worker, woken by Atomics.waitAsync,
 * runs it, writes the response and sets RESPONSE to the same sequence number.
 */
export const HEADER_BYTES = 64;
export const REQUEST = 0;
export const RESPONSE = 1;
export const STATUS = 2;
export const LENGTH = 3;
export const CLOSED = 4;

export const STATUS_OK = 0;
/** The payload is a serialised error (JSON). */
export const STATUS_ERROR = 1;
/** The outputs did not fit; the worker keeps them for `takeOverflow`. LENGTH holds the size needed. */
export const STATUS_OVERFLOW = 2;

export const INITIAL_CAPACITY = 1 << 20;

export function header(buffer: SharedArrayBuffer): Int32Array {
  return new Int32Array(buffer, 0, HEADER_BYTES / 4);
}

export function dataRegion(buffer: SharedArrayBuffer): Uint8Array {
  return new Uint8Array(buffer, HEADER_BYTES);
}

/** Capacity (data bytes) for a payload of `needed` bytes: the next power of two, at least the initial one. */
export function capacityFor(needed: number): number {
  let capacity = INITIAL_CAPACITY;
  while (capacity < needed) capacity *= 2;
  return capacity;
}
