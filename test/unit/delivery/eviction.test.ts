import { describe, expect, it } from 'vitest';
import type { VersionRecord } from '../../../src/cache/db.js';
import { pinnedKeys, planEviction, versionKey } from '../../../src/cache/eviction.js';

function record(name: string, version: string, storedBytes: number, lastUsed: number, complete = true): VersionRecord {
  return { name, version, manifest: new Uint8Array(), manifestSha256: '', bytes: storedBytes, storedBytes, complete, lastUsed, storedAt: 0 };
}

describe('planEviction', () => {
  const records = [record('a', '1.0.0', 40, 1), record('a', '2.0.0', 40, 5), record('b', '1.0.0', 30, 3), record('c', '1.0.0', 10, 9, false)];

  it('evicts nothing when the incoming bytes fit', () => {
    expect(planEviction({ records, incoming: 10, maxBytes: 200, keep: new Set() })).toEqual([]);
  });

  it('drops partial downloads first, then the least recently used', () => {
    const victims = planEviction({ records, incoming: 40, maxBytes: 100, keep: new Set() });
    expect(victims?.map((r) => versionKey(r.name, r.version))).toEqual(['c@1.0.0', 'a@1.0.0', 'b@1.0.0']);
  });

  it('never drops kept versions and reports when the room cannot be made', () => {
    const keep = new Set(['a@2.0.0', 'b@1.0.0']);
    expect(planEviction({ records, incoming: 60, maxBytes: 100, keep })).toBeUndefined();
    expect(planEviction({ records, incoming: 30, maxBytes: 100, keep })?.map((r) => r.version)).toEqual(['1.0.0', '1.0.0']);
  });
});

describe('pinnedKeys', () => {
  it('pins the most recently used complete version of each model', () => {
    const pinned = pinnedKeys([record('a', '1.0.0', 1, 10), record('a', '2.0.0', 1, 5), record('b', '1.0.0', 1, 1, false)]);
    expect([...pinned]).toEqual(['a@1.0.0']);
  });
});
