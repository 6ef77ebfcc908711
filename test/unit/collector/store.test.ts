import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openSqliteStore } from '../../../src/collector/store/sqlite.js';
import type { RollupDelta, SeriesKey, Store } from '../../../src/collector/store/types.js';
import { tempDir } from './otlp.js';

const MINUTE = 60_000;
const now = Date.now();
const thisMinute = now - (now % MINUTE);

function series(backend: string): SeriesKey {
  return {
    metric: 'outpost.inference.duration',
    kind: 'histogram',
    model: 'vad',
    version: '1.0.0',
    backend,
    browser: 'chrome',
    bounds: [1, 10],
    attributes: { 'model.name': 'vad', 'model.version': '1.0.0', 'outpost.backend': backend },
  };
}

// A fresh series object per delta, as the processor makes them.
function delta(backend: string, minute: number, buckets: [number, number, number]): RollupDelta {
  const count = buckets[0] + buckets[1] + buckets[2];
  return { series: series(backend), minute, count, sum: count * 2, min: 0.5, max: 20, buckets };
}

let store: Store | undefined;
const dirs: { remove(): void }[] = [];
afterEach(async () => {
  await store?.close();
  store = undefined;
  for (const dir of dirs.splice(0)) dir.remove();
});

describe('SQLite store writes', () => {
  it('adds up deltas of one series and minute within a transaction, across transactions and across a reopen', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = join(dir.dir, 'c.db');
    store = openSqliteStore({ file });
    // Three requests in one group commit, two of them on the same row.
    await store.write([
      { rollups: [delta('wasm', thisMinute, [1, 0, 0])], records: [] },
      { rollups: [delta('wasm', thisMinute, [0, 2, 0]), delta('webgpu', thisMinute, [0, 0, 3])], records: [] },
      { rollups: [delta('wasm', thisMinute - MINUTE, [4, 0, 0])], records: [] },
    ]);
    await store.write([{ rollups: [delta('wasm', thisMinute, [0, 0, 5])], records: [] }]);
    await store.close();

    store = openSqliteStore({ file });
    await store.write([{ rollups: [delta('wasm', thisMinute, [6, 0, 0])], records: [] }]);
    const rows = (await store.rollups({ backend: 'wasm' })).map((r) => [r.minute, r.count, r.sum, r.buckets]);
    expect(rows).toEqual([
      [thisMinute - MINUTE, 4, 8, [4, 0, 0]],
      [thisMinute, 14, 28, [7, 2, 5]],
    ]);
    expect((await store.rollups({ backend: 'webgpu' })).map((r) => r.buckets)).toEqual([[0, 0, 3]]);
  });

  it('counts a repeated idempotency key once, also when both arrive in one transaction', async () => {
    store = openSqliteStore({ file: ':memory:' });
    const outcomes = await store.write([
      { rollups: [delta('wasm', thisMinute, [1, 0, 0])], records: [], idempotencyKey: 'metrics:a' },
      { rollups: [delta('wasm', thisMinute, [1, 0, 0])], records: [], idempotencyKey: 'metrics:a' },
    ]);
    expect(outcomes).toEqual(['applied', 'duplicate']);
    expect(await store.write([{ rollups: [delta('wasm', thisMinute, [1, 0, 0])], records: [], idempotencyKey: 'metrics:a' }])).toEqual([
      'duplicate',
    ]);
    expect((await store.rollups({})).map((r) => r.count)).toEqual([1]);
  });

  it('keeps nothing of a transaction that failed, and adds later writes to what is on disk', async () => {
    store = openSqliteStore({ file: ':memory:' });
    await store.write([{ rollups: [delta('wasm', thisMinute, [1, 0, 0])], records: [] }]);
    // A NaN count breaks the NOT NULL constraint after the first delta was applied.
    const bad: RollupDelta = { ...delta('webgpu', thisMinute, [1, 0, 0]), count: Number.NaN };
    await expect(store.write([{ rollups: [delta('wasm', thisMinute, [0, 1, 0]), bad], records: [] }])).rejects.toThrow();
    await store.write([{ rollups: [delta('wasm', thisMinute, [0, 0, 1])], records: [] }]);
    expect((await store.rollups({})).map((r) => [r.series.backend, r.count, r.buckets])).toEqual([['wasm', 2, [1, 0, 1]]]);
  });
});
