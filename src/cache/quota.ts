import { OutpostError } from '../errors.js';
import { pinnedKeys, planEviction, versionKey } from './eviction.js';
import type { ModelStore } from './surface.js';

export interface RoomRequest {
  store: ModelStore;
  name: string;
  version: string;
  /** Bytes still to be written for this version. */
  incoming: number;
  /** `storage.maxBytes`, if the app set one. */
  maxBytes: number | undefined;
  /** Versions loaded and not yet disposed in this runtime. */
  inUse: ReadonlySet<string>;
}

/**
 * Makes room for `incoming` bytes: evicts unpinned versions that are not in use, least
 * recently used first, until the app's cap and the browser's quota both allow it.
 * QUOTA_EXCEEDED when that is not enough.
 */
export async function makeRoom(request: RoomRequest): Promise<void> {
  const { store, name, version, incoming } = request;
  const records = await store.all();
  const keep = new Set(request.inUse);
  keep.add(versionKey(name, version));
  // The newest complete version of every other model stays for offline use; the model
  // being loaded is replacing its own, so its older versions may go.
  for (const key of pinnedKeys(records.filter((record) => record.name !== name))) keep.add(key);
  const used = records.reduce((sum, record) => sum + record.storedBytes, 0);
  const limit = Math.min(request.maxBytes ?? Number.POSITIVE_INFINITY, await browserLimit(used));
  const victims = planEviction({ records, incoming, maxBytes: limit, keep });
  if (victims === undefined) {
    throw new OutpostError('QUOTA_EXCEEDED', `${name}@${version}: needs ${incoming} more bytes than the cache can free`, {
      details: { name, version, needed: incoming, used, limit: Number.isFinite(limit) ? limit : null },
    });
  }
  for (const victim of victims) await store.remove(victim.name, victim.version);
}

/** What the browser lets this origin store, as a total for our usage to stay under. */
async function browserLimit(ourUsage: number): Promise<number> {
  const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
  if (!estimate?.quota || estimate.usage === undefined) return Number.POSITIVE_INFINITY;
  // Others (caches, other databases) share the quota; our share is what they leave.
  return estimate.quota - (estimate.usage - ourUsage);
}

export function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'QuotaExceededError';
}
