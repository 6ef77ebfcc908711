import { expect, test, type Page } from '@playwright/test';
import { openHarness } from './support/page.js';

// A large download's Blob chunks are stored by a worker started for it and ended with
// it (cache/chunk-writer.ts), so the browser frees those Blobs at once. Driven through
// the store itself: what it writes where, when the writer starts and ends, and what
// happens when no writer can start.

interface Outcome {
  opened: number;
  closed: number;
  pagePuts: number;
  records: Array<{ index: number; blob: boolean; bytes: number[] }>;
  storedBytes: number;
}

/** Opens a fresh cache with a counting writer, begins a download of `incoming` bytes, stores `chunks` and settles. */
function writeChunks(page: Page, options: { incoming: 'large' | 'small'; chunks: number; chunkBytes: number; refuseWorkers?: boolean }): Promise<Outcome> {
  return page.evaluate(async ({ incoming, chunks, chunkBytes, refuseWorkers }) => {
    const internal = await import('/dist/internal.js' as string);
    const dbName = `writer-${Math.random().toString(36).slice(2)}`;
    const counts = { opened: 0, closed: 0, pagePuts: 0 };
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      if (this.name === 'chunks') counts.pagePuts += 1;
      return put.call(this, value, key);
    };
    const NativeWorker = window.Worker;
    if (refuseWorkers) {
      (window as any).Worker = function () {
        throw new DOMException('workers refused by policy', 'SecurityError');
      };
    }
    try {
      const cache = await internal.openCache(dbName, {
        openWriter: () => {
          counts.opened += 1;
          const writer = internal.openChunkWriter(dbName);
          return { put: (chunk: unknown) => writer.put(chunk), close: () => (counts.closed += 1, writer.close()) };
        },
      });
      const { store } = cache;
      const total = chunks * chunkBytes;
      await store.begin({ name: 'm', version: '1.0.0', manifest: new Uint8Array([1]), manifestSha256: 'x', bytes: total }, Date.now());
      store.beginWrites(incoming === 'large' ? internal.WRITER_MIN_BYTES : chunkBytes);
      // One reused buffer, as the download lends it: each put must keep its own bytes.
      const buffer = new Uint8Array(chunkBytes);
      for (let i = 0; i < chunks; i++) {
        buffer.fill(i + 1);
        await store.putChunk('m', '1.0.0', 'model.onnx', i, buffer);
      }
      store.settle();
      const stored = await store.readChunks('m', '1.0.0', 'model.onnx');
      const records = await Promise.all(
        stored.map(async (record: any) => {
          const bytes = new Uint8Array(record.data instanceof Blob ? await record.data.arrayBuffer() : record.data);
          return { index: record.index, blob: record.data instanceof Blob, bytes: [bytes.length, bytes[0] as number, bytes[bytes.length - 1] as number] };
        }),
      );
      const version = await store.get('m', '1.0.0');
      cache.close();
      return { ...counts, records, storedBytes: version.storedBytes };
    } finally {
      IDBObjectStore.prototype.put = put;
      window.Worker = NativeWorker;
    }
  }, options);
}

test.beforeEach(async ({ page }) => openHarness(page));

const expectRecords = (outcome: Outcome, chunks: number, chunkBytes: number) => {
  expect(outcome.records).toEqual(Array.from({ length: chunks }, (_, i) => ({ index: i, blob: true, bytes: [chunkBytes, i + 1, i + 1] })));
  expect(outcome.storedBytes).toBe(chunks * chunkBytes);
};

test('a large download stores its Blob chunks through a writer worker, ended when the download settles', async ({ page }) => {
  const outcome = await writeChunks(page, { incoming: 'large', chunks: 3, chunkBytes: 256 * 1024 });
  expect(outcome).toMatchObject({ opened: 1, closed: 1, pagePuts: 0 });
  expectRecords(outcome, 3, 256 * 1024);
});

test('the writer is replaced after every 24 MiB it stored, so no worker holds more than that', async ({ page }) => {
  const chunkBytes = 4 * 1024 * 1024;
  const outcome = await writeChunks(page, { incoming: 'large', chunks: 8, chunkBytes });
  // Chunks 0-5 (24 MiB) in the first writer, 6-7 in the second.
  expect(outcome).toMatchObject({ opened: 2, closed: 2, pagePuts: 0 });
  expectRecords(outcome, 8, chunkBytes);
});

test('a small download stores its chunks on the page, starting no worker', async ({ page }) => {
  const outcome = await writeChunks(page, { incoming: 'small', chunks: 3, chunkBytes: 1024 });
  expect(outcome).toMatchObject({ opened: 0, closed: 0, pagePuts: 3 });
  expectRecords(outcome, 3, 1024);
});

test('where no worker may start, a large download stores its chunks on the page', async ({ page }) => {
  const outcome = await writeChunks(page, { incoming: 'large', chunks: 3, chunkBytes: 1024, refuseWorkers: true });
  expect(outcome).toMatchObject({ opened: 1, pagePuts: 3 });
  expectRecords(outcome, 3, 1024);
});
