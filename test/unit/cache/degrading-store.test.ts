import { describe, expect, it } from 'vitest';
import { chunkBytes, chunkSize, toChunkData } from '../../../src/cache/chunk-data.js';
import { DegradingModelStore, DegradingStateStore } from '../../../src/cache/degrading-store.js';
import { MemoryModelStore, MemoryStateStore } from '../../../src/cache/memory-store.js';
import type { ModelStore, StateStore } from '../../../src/cache/surface.js';
import { trustKey } from '../../../src/cache/trust-records.js';

const version = { name: 'vad', version: '1.0.0', manifest: new Uint8Array([1]), manifestSha256: 'ab', bytes: 8 };

/** A store whose writes the test can make fail, as a browser refusing IndexedDB writes would. */
function flakyStore(failWith: () => unknown): { store: ModelStore; failing: { on: boolean } } {
  const inner = new MemoryModelStore();
  const failing = { on: false };
  const guard = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    if (failing.on) throw failWith();
    return fn(...args);
  };
  const store: ModelStore = {
    get: (n, v) => inner.get(n, v),
    all: () => inner.all(),
    versionsOf: (n) => inner.versionsOf(n),
    begin: guard((r, now) => inner.begin(r, now)),
    storedChunks: (n, v, f) => inner.storedChunks(n, v, f),
    putChunk: guard((n, v, f, i, b) => inner.putChunk(n, v, f, i, b)),
    readChunks: (n, v, f) => inner.readChunks(n, v, f),
    deleteChunk: guard((n, v, f, i) => inner.deleteChunk(n, v, f, i)),
    update: guard((n, v, c) => inner.update(n, v, c)),
    remove: guard((n, v) => inner.remove(n, v)),
    usedBytes: () => inner.usedBytes(),
    beginWrites: (n) => inner.beginWrites(n),
    settle: () => inner.settle(),
  };
  return { store, failing };
}

describe('chunk data', () => {
  it('round-trips bytes as Blob and as an ArrayBuffer that owns only the chunk', async () => {
    const whole = new Uint8Array([9, 1, 2, 3, 9]);
    const view = whole.subarray(1, 4);
    for (const format of ['blob', 'arraybuffer'] as const) {
      const data = toChunkData(view, format);
      expect(chunkSize(data)).toBe(3);
      expect([...(await chunkBytes(data))]).toEqual([1, 2, 3]);
    }
    expect(toChunkData(view, 'arraybuffer')).toBeInstanceOf(ArrayBuffer);
  });
});

describe('MemoryModelStore', () => {
  it('counts stored bytes, replaces chunks, and removes a version with its chunks', async () => {
    const store = new MemoryModelStore();
    await store.begin(version, 1);
    await store.putChunk('vad', '1.0.0', 'model.onnx', 0, new Uint8Array(4));
    await store.putChunk('vad', '1.0.0', 'model.onnx', 1, new Uint8Array(4));
    await store.putChunk('vad', '1.0.0', 'model.onnx', 1, new Uint8Array(4));
    expect(await store.usedBytes()).toBe(8);
    expect([...(await store.storedChunks('vad', '1.0.0', 'model.onnx'))]).toEqual([0, 1]);
    await store.deleteChunk('vad', '1.0.0', 'model.onnx', 0);
    expect((await store.get('vad', '1.0.0'))?.storedBytes).toBe(4);
    await store.remove('vad');
    expect(await store.all()).toEqual([]);
    expect(await store.readChunks('vad', '1.0.0', 'model.onnx')).toEqual([]);
  });

  it('keeps its own copy of chunk bytes', async () => {
    const store = new MemoryModelStore();
    const bytes = new Uint8Array([1, 2]);
    await store.putChunk('vad', '1.0.0', 'model.onnx', 0, bytes);
    bytes[0] = 7;
    const [record] = await store.readChunks('vad', '1.0.0', 'model.onnx');
    expect([...(await chunkBytes(record!.data))]).toEqual([1, 2]);
  });
});

describe('DegradingModelStore', () => {
  it('moves to memory at the first refused write, carrying the version record, and reports it once', async () => {
    const { store: durable, failing } = flakyStore(() => new DOMException('Error preparing Blob/File data', 'UnknownError'));
    const reasons: unknown[] = [];
    const store = new DegradingModelStore(durable, (error) => reasons.push(error));
    await store.begin(version, 1);
    expect(store.persistent).toBe(true);
    failing.on = true;
    await store.putChunk('vad', '1.0.0', 'model.onnx', 0, new Uint8Array(4));
    await store.putChunk('vad', '1.0.0', 'model.onnx', 1, new Uint8Array(4));
    expect(store.persistent).toBe(false);
    expect(reasons).toHaveLength(1);
    expect((reasons[0] as DOMException).name).toBe('UnknownError');
    const record = await store.get('vad', '1.0.0');
    expect(record).toMatchObject({ name: 'vad', manifestSha256: 'ab', storedBytes: 8 });
    await store.update('vad', '1.0.0', { complete: true });
    expect((await store.all())[0]?.complete).toBe(true);
  });

  it('leaves quota errors to the quota path instead of degrading', async () => {
    const { store: durable, failing } = flakyStore(() => new DOMException('full', 'QuotaExceededError'));
    const store = new DegradingModelStore(durable, () => undefined);
    failing.on = true;
    await expect(store.begin(version, 1)).rejects.toMatchObject({ name: 'QuotaExceededError' });
    expect(store.persistent).toBe(true);
  });
});

describe('DegradingStateStore', () => {
  it("keeps every namespace's rollback floor, roots and install id when writes start failing", async () => {
    const floor = (version: number) => ({ version, keys: 'k1', sha256: String(version).repeat(64).slice(0, 64) });
    const inner = new MemoryStateStore();
    await inner.raiseIndexFloor('a', floor(7), 'index-a-7');
    await inner.raiseIndexFloor('b', floor(3), 'index-b-3');
    await inner.set(trustKey('b', 'roots'), ['root-b-2']);
    const id = await inner.installId();
    let failing = false;
    const durable: StateStore = {
      get: (key) => inner.get(key),
      set: async (key, value) => {
        if (failing) throw new DOMException('refused', 'UnknownError');
        await inner.set(key, value);
      },
      delete: (key) => inner.delete(key),
      installId: () => inner.installId(),
      backendChoice: (key) => inner.backendChoice(key),
      rememberBackend: (key, choice) => inner.rememberBackend(key, choice),
      raiseIndexFloor: async (ns, f, text) => {
        if (failing) throw new DOMException('refused', 'UnknownError');
        await inner.raiseIndexFloor(ns, f, text);
      },
      raiseTimestampFloor: (ns, f) => inner.raiseTimestampFloor(ns, f),
      trustEntries: () => inner.trustEntries(),
    };
    const state = new DegradingStateStore(durable, () => undefined);
    failing = true;
    await state.set(trustKey('a', 'roots'), ['root-a-2']);
    expect(await state.get(trustKey('a', 'floor'))).toEqual(floor(7));
    expect(await state.get(trustKey('b', 'floor'))).toEqual(floor(3));
    expect(await state.installId()).toBe(id);
    await state.raiseIndexFloor('a', floor(5), 'index-a-5');
    expect(await state.get(trustKey('a', 'index'))).toBe('index-a-7');
    expect(await state.get(trustKey('b', 'index'))).toBe('index-b-3');
    expect(await state.get(trustKey('a', 'roots'))).toEqual(['root-a-2']);
    expect(await state.get(trustKey('b', 'roots'))).toEqual(['root-b-2']);
  });
});

describe('the rollback floor of one namespace', () => {
  const floor = (version: number, keys = 'k1', sha256 = 'a'.repeat(64)) => ({ version, keys, sha256 });

  it('rises under the same keys, resets when the keys change, and never moves to other bytes of its version', async () => {
    const state = new MemoryStateStore();
    await state.raiseIndexFloor('a', floor(Number.MAX_SAFE_INTEGER), 'fast-forwarded');
    await state.raiseIndexFloor('a', floor(9), 'lower');
    expect(await state.get(trustKey('a', 'index'))).toBe('fast-forwarded');
    await state.raiseIndexFloor('a', floor(Number.MAX_SAFE_INTEGER, 'k1', 'b'.repeat(64)), 'same version, other bytes');
    expect(await state.get(trustKey('a', 'index'))).toBe('fast-forwarded');
    await state.raiseIndexFloor('a', floor(9, 'k2'), 'new keys');
    expect(await state.get(trustKey('a', 'floor'))).toEqual(floor(9, 'k2'));
    expect(await state.get(trustKey('b', 'floor'))).toBeUndefined();
  });
});
