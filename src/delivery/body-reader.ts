/**
 * Reads a response body without leaving a buffer behind per read. A default reader
 * hands out a fresh `Uint8Array` for every piece of the body: a model's worth of
 * garbage per download, which the engine collects late (hundreds of MB for a large
 * model, next to the copy onnxruntime is about to make). Where the body is a byte
 * stream (fetch bodies in current engines), this reads into one small buffer of its
 * own instead, reused for every read.
 */

/** What a download reads a body through (the slow-retrieval guard of http.ts wraps it). */
export interface BodyReader {
  /**
   * The next bytes of the body. With a reused buffer, `value` is valid only until the
   * next `read`: the caller copies what it keeps.
   */
  read(): Promise<ReadableStreamReadResult<Uint8Array>>;
  cancel(): Promise<void>;
}

/** Bytes read at most at once: a few network packets' worth, small next to a chunk. */
export const READ_BUFFER_BYTES = 256 * 1024;

/**
 * A reader of `body` that reuses one {@link READ_BUFFER_BYTES} buffer where the stream
 * supports reading into the caller's memory (BYOB), and the stream's own reader
 * elsewhere (a custom `fetch` may hand back any stream).
 *
 * @example
 * ```ts
 * const reader = openBodyReader(response.body);
 * for (let r = await reader.read(); !r.done; r = await reader.read()) out.set(r.value, offset);
 * ```
 */
export function openBodyReader(body: ReadableStream<Uint8Array>): BodyReader {
  let byob: ReadableStreamBYOBReader;
  try {
    byob = body.getReader({ mode: 'byob' });
  } catch {
    // Not a byte stream: its reader allocates each piece, which the caller copies anyway.
    const reader = body.getReader();
    return { read: () => reader.read(), cancel: () => reader.cancel() };
  }
  let buffer: ArrayBuffer | undefined = new ArrayBuffer(READ_BUFFER_BYTES);
  return {
    async read() {
      // The read transfers the buffer and hands it back in its result; a read that
      // failed kept it, so the next one starts a new buffer.
      const target = new Uint8Array(buffer ?? new ArrayBuffer(READ_BUFFER_BYTES));
      buffer = undefined;
      const result = await byob.read(target);
      if (result.value) buffer = result.value.buffer as ArrayBuffer;
      if (result.done) return { done: true, value: undefined };
      return { done: false, value: result.value };
    },
    cancel: () => byob.cancel(),
  };
}
