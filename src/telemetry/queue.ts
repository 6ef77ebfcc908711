/**
 * The telemetry queue: batches wait in IndexedDB while offline or while the collector
 * fails, so a page opened later on the same origin sends what an earlier one left.
 * Bounded by count and bytes; the oldest batches go first when it is full.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

/** One request body waiting to be sent. */
export interface QueuedBatch {
  /** The `Idempotency-Key`: fixed when the batch is made, the same on every retry. */
  id: string;
  /** `metrics` or `logs`: the OTLP signal path. */
  signal: 'metrics' | 'logs';
  body: string;
  bytes: number;
  createdAt: number;
}

interface QueueSchema extends DBSchema {
  batches: { key: string; value: QueuedBatch; indexes: { createdAt: number } };
}

/**
 * @example
 * ```ts
 * const queue = new TelemetryQueue('outpost-telemetry', { maxBatches: 200, maxBytes: 2 << 20 });
 * const dropped = await queue.push([batch]);
 * ```
 */
export class TelemetryQueue {
  readonly #name: string;
  readonly #limits: { maxBatches: number; maxBytes: number };
  #db: Promise<IDBPDatabase<QueueSchema>> | undefined;

  constructor(name: string, limits: { maxBatches: number; maxBytes: number }) {
    this.#name = name;
    this.#limits = limits;
  }

  #open(): Promise<IDBPDatabase<QueueSchema>> {
    this.#db ??= openDB<QueueSchema>(this.#name, 1, {
      upgrade(db) {
        db.createObjectStore('batches', { keyPath: 'id' }).createIndex('createdAt', 'createdAt');
      },
    });
    return this.#db;
  }

  /** Adds batches, then drops the oldest until the bounds hold; returns how many were dropped. */
  async push(batches: readonly QueuedBatch[]): Promise<number> {
    const db = await this.#open();
    const tx = db.transaction('batches', 'readwrite');
    for (const batch of batches) await tx.store.put(batch);
    const all = await tx.store.index('createdAt').getAll();
    let count = all.length;
    let bytes = all.reduce((sum, batch) => sum + batch.bytes, 0);
    let dropped = 0;
    for (const batch of all) {
      if (count <= this.#limits.maxBatches && bytes <= this.#limits.maxBytes) break;
      await tx.store.delete(batch.id);
      count -= 1;
      bytes -= batch.bytes;
      dropped += 1;
    }
    await tx.done;
    return dropped;
  }

  /** Every queued batch, oldest first. */
  async all(): Promise<QueuedBatch[]> {
    const db = await this.#open();
    return db.getAllFromIndex('batches', 'createdAt');
  }

  async remove(id: string): Promise<void> {
    const db = await this.#open();
    await db.delete('batches', id);
  }

  async clear(): Promise<void> {
    const db = await this.#open();
    await db.clear('batches');
  }

  async close(): Promise<void> {
    if (this.#db) (await this.#db.catch(() => undefined))?.close();
    this.#db = undefined;
  }
}
