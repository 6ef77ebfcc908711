/**
 * Where a store may have its Blob chunks written instead of on the page: a worker that
 * is ended once a file's chunks are stored (runtime/chunk-writer.ts). The page's own
 * `Blob` objects would each keep their bytes in the browser until the page's garbage
 * collector ran, which, since the download reuses its buffers, may not happen before
 * the model is assembled: up to the whole model held twice. Ending the writer's worker
 * lets the browser free them at once.
 */

/** One verified chunk to store, as `ModelStore.putChunk` takes it. */
export interface ChunkPut {
  name: string;
  version: string;
  file: string;
  index: number;
  bytes: Uint8Array;
}

export interface ChunkWriter {
  /** Stores the chunk (one transaction, as `putChunk`); rejects with what IndexedDB threw. */
  put(chunk: ChunkPut): Promise<void>;
  /** Ends the writer; puts still in flight reject with {@link WriterGone}. */
  close(): void;
}

/** The writer could not be started or died: the chunk was not stored, and should be stored on the page. */
export class WriterGone extends Error {
  override readonly name = 'WriterGone';
}
