/**
 * The trust state of one registry under one shipped root, namespaced so that two
 * registries on an origin (or one registry behind two shipped roots) never share a
 * persisted root, a rollback floor or an offline index. The namespace is a hash of
 * the registry URL and the shipped root (see delivery/trust-namespace.ts); every
 * record of it is a `trust:<namespace>:<record>` key in the state store.
 */

/** The rollback floor, bound to the index-signing keys that signed it (TUF 5.3.11). */
export interface IndexFloor {
  /** Highest index version verified under `keys`: a lower one is a rollback. */
  version: number;
  /** The targets role's key ids (sorted, comma-joined) when the floor was set. */
  keys: string;
  /** SHA-256 of that index's bytes: the same version with other bytes is refused. */
  sha256: string;
}

/**
 * Record kinds of one namespace: the roots after the shipped one, the index floor, the
 * offline index, and the timestamp floor (an {@link IndexFloor} whose `keys` are the
 * timestamp role's and whose version and hash are the timestamp's own).
 */
export type TrustRecord = 'roots' | 'floor' | 'index' | 'timestamp';
export const TRUST_PREFIX = 'trust:';

export function trustKey<R extends TrustRecord>(namespace: string, record: R): `trust:${string}:${R}` {
  return `${TRUST_PREFIX}${namespace}:${record}`;
}

/**
 * Whether `next` may replace the stored floor: a higher version under the same keys,
 * the same index again, or any version once the keys changed (the old floor belongs
 * to keys the root no longer trusts, so it must not brick the new ones).
 */
export function floorMayRise(current: IndexFloor | undefined, next: IndexFloor): boolean {
  if (current === undefined || current.keys !== next.keys) return true;
  if (next.version > current.version) return true;
  return next.version === current.version && next.sha256 === current.sha256;
}
