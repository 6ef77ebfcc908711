/**
 * Frees a buffer's memory at once instead of at the engine's next garbage collection,
 * which in an idle worker may come late: a model-sized buffer left to it would sit
 * next to onnxruntime's own copy. Transferring to zero length detaches the buffer
 * (ES2024 `ArrayBuffer.prototype.transfer`); where that is missing it is left to the
 * collector. Only for buffers nothing reads any more.
 *
 * @example
 * ```ts
 * out.set(bytes, offset);
 * releaseNow(bytes.buffer);
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
