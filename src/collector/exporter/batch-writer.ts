/**
 * The exporter: requests' write batches go to the store together, many per
 * transaction (group commit), so a commit's cost is shared by every request waiting on
 * it. A request is answered only after the transaction that holds it committed: what
 * was acknowledged is on disk.
 */
import type { Store, WriteBatch, WriteOutcome } from '../store/types.js';

export interface BatchWriterOptions {
  /** Batches per transaction at most. @default 512 */
  maxBatches?: number;
  /** Called after each transaction with its duration and size. */
  onFlush?: (seconds: number, batches: number) => void;
  /** Called with the number of batches waiting whenever it changes. */
  onDepth?: (depth: number) => void;
}

interface Pending {
  batch: WriteBatch;
  resolve(outcome: WriteOutcome): void;
  reject(error: unknown): void;
}

/**
 * A group-committing writer in front of a {@link Store}.
 *
 * @example
 * ```ts
 * const writer = new BatchWriter(store);
 * const outcome = await writer.write({ rollups, records: [], idempotencyKey: 'metrics:k1' }); // 'applied'
 * await writer.drain();
 * ```
 */
export class BatchWriter {
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private readonly maxBatches: number;

  constructor(
    private readonly store: Store,
    private readonly options: BatchWriterOptions = {},
  ) {
    this.maxBatches = options.maxBatches ?? 512;
  }

  /** Batches waiting for a transaction. */
  get depth(): number {
    return this.queue.length;
  }

  /** Resolves once `batch` is committed (or found to be a repeat). */
  write(batch: WriteBatch): Promise<WriteOutcome> {
    return new Promise<WriteOutcome>((resolve, reject) => {
      this.queue.push({ batch, resolve, reject });
      this.options.onDepth?.(this.queue.length);
      if (this.flushing === undefined) this.flushing = new Promise((done) => setImmediate(done)).then(() => this.flushLoop());
    });
  }

  /** Resolves when everything queued so far is committed. */
  async drain(): Promise<void> {
    while (this.flushing !== undefined) await this.flushing;
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const taken = this.queue.splice(0, this.maxBatches);
        this.options.onDepth?.(this.queue.length);
        const started = performance.now();
        try {
          const outcomes = await this.store.write(taken.map((p) => p.batch));
          this.options.onFlush?.((performance.now() - started) / 1000, taken.length);
          taken.forEach((pending, i) => pending.resolve(outcomes[i] as WriteOutcome));
        } catch (error) {
          for (const pending of taken) pending.reject(error);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }
}
