/**
 * The worker's half of a chunk writer (cache/chunk-writer.ts): an engine worker started
 * only to store chunks, never initialised for onnxruntime. It stores each chunk exactly
 * as the page's store would (ModelStore.putChunk, Blob format) on its own connection.
 */
import type { ChunkPut } from '../cache/chunk-writer.js';
import { openOutpostDb, type OutpostDB } from '../cache/db.js';
import { ModelStore } from '../cache/model-store.js';

export class ChunkStore {
  readonly #stores = new Map<string, Promise<{ db: OutpostDB; store: ModelStore }>>();

  async put(dbName: string, chunk: ChunkPut): Promise<void> {
    let open = this.#stores.get(dbName);
    if (!open) {
      // The connection closes itself when another tab upgrades the schema (db.ts); the
      // writer lives for one download, so it does not reopen.
      open = openOutpostDb(dbName).then((db) => ({ db, store: new ModelStore(db, 'blob') }));
      this.#stores.set(dbName, open);
      open.catch(() => this.#stores.delete(dbName));
    }
    const { store } = await open;
    await store.putChunk(chunk.name, chunk.version, chunk.file, chunk.index, chunk.bytes);
  }
}
