/**
 * Lets go of a model-sized buffer without waiting for its object to become garbage:
 * transferring it to zero length detaches it (ES2024 `ArrayBuffer.prototype.transfer`),
 * so its memory goes even while a reference lingers in an idle worker that collects
 * late. Measured (docs/large-models.md) it pays for the assembled files once the
 * session holds its own copy; for each 4 MiB chunk read during assembly it raised the
 * peak instead (seen, not explained: detached chunks seem to wait for a collection that
 * then comes later), so chunks are left to the collector. Where transfer is missing
 * the buffer is left to the collector as before. Only for buffers nothing reads any more.
 *
 * @example
 * ```ts
 * const session = await ort.InferenceSession.create(new Uint8Array(bytes));
 * releaseNow(bytes);
 * ```
 */
export function releaseNow(buffer: ArrayBufferLike): void {
  const transfer = (buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer }).transfer;
  if (typeof transfer !== 'function' || buffer.byteLength === 0) return;
  try {
    transfer.call(buffer, 0);
  } catch {
    // Detached already, or not transferable (shared, wasm memory): nothing to free here.
  }
}
