/**
 * How chunk bytes are kept in IndexedDB. `Blob` is the fast default (the browser keeps
 * large values out of the database's pages); `ArrayBuffer` is for engines that refuse
 * `Blob` values, as WebKit does in ephemeral (private or automation) sessions.
 */
import { OutpostError } from '../errors.js';

export type ChunkFormat = 'blob' | 'arraybuffer';

export type ChunkData = Blob | ArrayBuffer;

export function toChunkData(bytes: Uint8Array, format: ChunkFormat): ChunkData {
  if (format === 'blob') return new Blob([bytes as Uint8Array<ArrayBuffer>]);
  // IndexedDB clones the value as it is put, so a buffer the view spans whole goes as
  // it is; a copy only for a view into a larger one (the last, shorter chunk of a file).
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return whole ? (bytes.buffer as ArrayBuffer) : bytes.slice().buffer;
}

/** Bytes a stored chunk value holds; 0 for a value of any other kind (a damaged record). */
export function chunkSize(data: unknown): number {
  if (data instanceof Blob) return data.size;
  return data instanceof ArrayBuffer ? data.byteLength : 0;
}

/**
 * The bytes of a stored chunk value; `INTEGRITY_MISMATCH` for a value of any other kind
 * (a damaged or foreign record), so it is dropped and fetched again like a corrupted one.
 */
export async function chunkBytes(data: unknown): Promise<Uint8Array> {
  if (data instanceof Blob) return new Uint8Array(await data.arrayBuffer());
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new OutpostError('INTEGRITY_MISMATCH', 'a cached chunk record holds no bytes', { details: { record: 'chunk' } });
}
