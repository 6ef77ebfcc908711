import type { VersionRecord } from './db.js';

export interface EvictionInput {
  records: readonly VersionRecord[];
  /** Bytes the incoming version still needs. */
  incoming: number;
  /** The cap (`storage.maxBytes`), or the room the browser reported. */
  maxBytes: number;
  /** `name@version` keys that must stay: in use, pinned, or being loaded. */
  keep: ReadonlySet<string>;
}

export const versionKey = (name: string, version: string): string => `${name}@${version}`;

/**
 * Which versions to drop, least recently used first, so that `incoming` more bytes fit
 * under `maxBytes`; `undefined` when even dropping every candidate is not enough.
 */
export function planEviction({ records, incoming, maxBytes, keep }: EvictionInput): VersionRecord[] | undefined {
  let used = records.reduce((sum, record) => sum + record.storedBytes, 0);
  if (used + incoming <= maxBytes) return [];
  const candidates = records
    .filter((record) => !keep.has(versionKey(record.name, record.version)))
    // Partial downloads of other versions go first, then the least recently used.
    .sort((a, b) => Number(a.complete) - Number(b.complete) || a.lastUsed - b.lastUsed);
  const victims: VersionRecord[] = [];
  for (const record of candidates) {
    if (used + incoming <= maxBytes) break;
    victims.push(record);
    used -= record.storedBytes;
  }
  return used + incoming <= maxBytes ? victims : undefined;
}

/** The pinned version of each model: its most recently used complete version, kept for offline loads. */
export function pinnedKeys(records: readonly VersionRecord[]): Set<string> {
  const latest = new Map<string, VersionRecord>();
  for (const record of records) {
    if (!record.complete) continue;
    const current = latest.get(record.name);
    if (!current || record.lastUsed > current.lastUsed) latest.set(record.name, record);
  }
  return new Set([...latest.values()].map((record) => versionKey(record.name, record.version)));
}
