import { describe, expect, it } from 'vitest';
import { SnapshotArena } from '../../../src/drift/arena.js';
import { snapshotTensor } from '../../../src/drift/snapshot.js';
import { MOMENT_SAMPLE_LIMIT } from '../../../src/drift/names.js';

describe('SnapshotArena', () => {
  it('hands out aligned views of one buffer that do not overlap, and starts over at reset', () => {
    const arena = new SnapshotArena(1024);
    const a = arena.take(Uint8Array, 3);
    const b = arena.take(Float64Array, 4);
    const c = arena.take(BigInt64Array, 2);
    expect(a?.buffer).toBe(b?.buffer);
    expect(b?.byteOffset).toBe(8);
    expect(c?.byteOffset).toBe(40);
    expect(arena.usedBytes).toBe(56);
    arena.reset();
    expect(arena.take(Float32Array, 2)?.byteOffset).toBe(0);
  });

  it('grows to its limit and refuses past it, so the caller allocates instead', () => {
    const arena = new SnapshotArena(256 * 1024);
    const first = arena.take(Float32Array, 10);
    const big = arena.take(Float32Array, 60_000);
    expect(big?.length).toBe(60_000);
    // A view handed out before the buffer grew keeps its bytes.
    first?.fill(7);
    big?.fill(1);
    expect(first?.[0]).toBe(7);
    expect(arena.take(Float32Array, 10_000)).toBeUndefined();
  });

  it('snapshots copied into it read the same as ordinary copies, small and sampled', () => {
    const arena = new SnapshotArena();
    const small = { type: 'float32', data: Float32Array.from([1, 2, 3]), dims: [3] };
    const n = MOMENT_SAMPLE_LIMIT * 2 + 1;
    const large = { type: 'int64', data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), dims: [n] };
    const [a, b] = [snapshotTensor(small, arena), snapshotTensor(large, arena)];
    small.data.fill(0);
    expect([...(a.data as Float32Array)]).toEqual([1, 2, 3]);
    expect(b.sampled).toBe(true);
    expect((b.data as BigInt64Array).slice(0, 3)).toEqual(BigInt64Array.from([0n, 3n, 6n]));
    expect(snapshotTensor(large).data).toEqual(b.data);
  });
});
