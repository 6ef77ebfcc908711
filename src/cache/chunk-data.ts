/**
 * How chunk bytes are kept in IndexedDB. `Blob` is the fast default (the browser keeps
 * large values out of the database's pages); `ArrayBuffer` is for engines that refuse
 * `Blob` values, as WebKit does in ephemeral (private or automation) sessions.
 */
export type ChunkFormat = 'blob' | 'arraybuffer';

export type ChunkData = Blob | ArrayBuffer;

export function toChunkData(bytes: Uint8Array, format: ChunkFormat): ChunkData {
  if (format === 'blob') return new Blob([bytes as Uint8Array<ArrayBuffer>]);
  // A copy that owns its buffer: `bytes` may be a view into a larger one.
  return bytes.slice().buffer;
}

export function chunkSize(data: ChunkData): number {
  return data instanceof Blob ? data.size : data.byteLength;
}

export async function chunkBytes(data: ChunkData): Promise<Uint8Array> {
  return new Uint8Array(data instanceof Blob ? await data.arrayBuffer() : data);
}
