/**
 * The shared-memory run channel: one SharedArrayBuffer per session, a small Int32
 * header then a data region that holds the request (feeds) and then the response.
 * The page writes a request, bumps REQUEST and rings the worker's bell (one Int32
 * shared by every session of a worker); the worker runs the request, writes the
 * response and sets RESPONSE to the same sequence number.
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

/**
 * The bell: two counters per worker. The page adds to SENT for every run request and
 * every message it sends the worker; the worker adds to DONE as it takes each one up.
 * A worker about to block for one session's next run blocks only while the two agree
 * (nothing else is waiting) and wakes as soon as SENT moves, so a request for another
 * session or a message is never held up. Any miscount only ever stops it blocking.
 */
export const BELL_SENT = 0;
export const BELL_DONE = 1;

export function createBell(): SharedArrayBuffer {
  return new SharedArrayBuffer(8);
}

/** Page side: one more request or message for the worker. */
export function ring(bell: Int32Array): void {
  Atomics.add(bell, BELL_SENT, 1);
  Atomics.notify(bell, BELL_SENT);
}

/** Worker side: one request or message taken up. */
export function answer(bell: Int32Array): void {
  Atomics.add(bell, BELL_DONE, 1);
}

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
