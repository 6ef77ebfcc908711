/**
 * Retention: deletes what is older than the retention period in small steps, each
 * its own short transaction with the event loop free in between, so ingest never
 * waits behind a long delete.
 */
import type { Store } from './store/types.js';

export interface RetentionOptions {
  retentionDays: number;
  idempotencyTtlMs: number;
  batch: number;
}

/**
 * One retention pass; resolves with the number of rows deleted.
 *
 * @example
 * ```ts
 * await runRetention(store, { retentionDays: 30, idempotencyTtlMs: 86_400_000, batch: 1000 }, Date.now());
 * ```
 */
export async function runRetention(store: Store, options: RetentionOptions, now: number): Promise<number> {
  const before = now - options.retentionDays * 86_400_000;
  const keysBefore = now - options.idempotencyTtlMs;
  let deleted = 0;
  for (;;) {
    const step = await store.prune(before, keysBefore, options.batch);
    const rows = step.rollups + step.records + step.idempotencyKeys;
    deleted += rows;
    if (step.rollups < options.batch && step.records < options.batch && step.idempotencyKeys < options.batch) return deleted;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
