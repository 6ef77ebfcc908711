/**
 * The page's half of a chunk writer (cache/chunk-writer.ts): an engine worker started
 * for storing one download's Blob chunks, and terminated once they are stored, which
 * lets the browser free every Blob it made at once instead of whenever its garbage
 * collector runs. Bytes are copied to it (structured clone), so the download may go on
 * reusing its buffers.
 */
import { wrap, type Remote } from 'comlink';
import { WriterGone, type ChunkPut, type ChunkWriter } from '../cache/chunk-writer.js';
import { isOutpostError } from '../errors.js';
import { spawnEngineWorker } from '../worker/client.js';
import { installErrorTransferHandler } from '../worker/errors-handler.js';
import type { EngineApi } from '../worker/protocol.js';

/**
 * @example
 * ```ts
 * const writer = openChunkWriter('outpost');
 * await writer.put({ name: 'vad', version: '1.0.0', file: 'model.onnx', index: 0, bytes });
 * writer.close();
 * ```
 */
export function openChunkWriter(dbName: string): ChunkWriter {
  installErrorTransferHandler();
  let worker: Worker;
  try {
    worker = spawnEngineWorker();
  } catch (error) {
    // A page whose policy refuses workers: chunks are stored on the page instead.
    const gone = new WriterGone('the chunk writer could not start', { cause: error });
    return { put: () => Promise.reject(gone), close: () => undefined };
  }
  const remote: Remote<EngineApi> = wrap<EngineApi>(worker);
  const pending = new Set<(error: unknown) => void>();
  let ended: WriterGone | undefined;
  const end = (why: WriterGone) => {
    if (ended) return;
    ended = why;
    worker.terminate();
    for (const reject of pending) reject(why);
    pending.clear();
  };
  worker.addEventListener('error', (event) => {
    event.preventDefault();
    end(new WriterGone(`the chunk writer failed: ${event.message || 'uncaught error'}`));
  });
  return {
    put(chunk: ChunkPut) {
      if (ended) return Promise.reject(ended);
      return new Promise<void>((resolve, reject) => {
        pending.add(reject);
        remote.putChunk(dbName, { ...chunk, bytes: ownView(chunk.bytes) }).then(
          () => {
            pending.delete(reject);
            resolve();
          },
          (error: unknown) => {
            pending.delete(reject);
            reject(asStoreError(error));
          },
        );
      });
    },
    close: () => end(new WriterGone('the chunk writer was closed')),
  };
}

/** A clone of a view carries its whole buffer: a view into a larger one goes as its own copy. */
function ownView(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

/**
 * What IndexedDB threw in the worker arrives as a plain Error of the same name: made a
 * DOMException again, so the store's quota and fallback paths read it as on the page.
 */
function asStoreError(error: unknown): unknown {
  if (isOutpostError(error) || !(error instanceof Error) || error.name === 'Error') return error;
  return new DOMException(error.message, error.name);
}
