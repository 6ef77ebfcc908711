/**
 * The client's timestamp step (TUF 5.4), when the trusted root has a timestamp role:
 * timestamp.json is fetched first (capped, conditional, with the slow-retrieval rules
 * of every metadata read), verified against the timestamp keys and its own rollback
 * floor, and only then is the index it pins fetched, or taken from the offline copy
 * when that is what it pins.
 */
import { OutpostError } from '../errors.js';
import { sha256Hex } from '../registry/encoding.js';
import { MAX_TIMESTAMP_BYTES, TIMESTAMP_PATH } from '../registry/layout.js';
import { parseEnvelopeBytes } from '../registry/parse.js';
import { registryUrl } from '../registry/paths.js';
import type { Root, TimestampDocument } from '../registry/schema.js';
import { verifyTimestamp } from '../registry/timestamp.js';
import { isExpired } from '../registry/verify.js';
import type { StateStore } from '../cache/surface.js';
import { trustKey, type IndexFloor } from '../cache/trust-records.js';
import { fetchIfChanged } from './conditional.js';
import type { RequestContext } from './http.js';

/** A verified timestamp, and what its floor record will be once the index it pins is accepted. */
export interface VerifiedTimestamp {
  timestamp: TimestampDocument;
  expired: boolean;
  floor: IndexFloor;
  etag: string | undefined;
}

export type TimestampResult = { status: 'unchanged' } | { status: 'missing' } | ({ status: 'changed' } & VerifiedTimestamp);

/** The timestamp keys of `root` as its floor records them: sorted key ids. */
export function timestampKeysOf(root: Root): string {
  return [...(root.roles.timestamp?.keyids ?? [])].sort().join(',');
}

/**
 * timestamp.json from the registry (`If-None-Match: etag` when given), verified:
 * SIGNATURE_INVALID below the timestamp threshold, ROLLBACK_DETECTED below the floor of
 * the same timestamp keys or at its version with other bytes. Expiry is reported, not
 * thrown (a freeze: the caller loads from the cache or fails with METADATA_EXPIRED).
 * Network trouble throws DOWNLOAD_FAILED.
 *
 * @example
 * ```ts
 * const stamp = await fetchTimestamp(ctx, base, root, state, ns);
 * if (stamp.status === 'changed') await checkIndexPin(stamp.timestamp.index, indexBytes);
 * ```
 */
export async function fetchTimestamp(
  ctx: RequestContext,
  base: string | URL,
  root: Root,
  state: StateStore,
  namespace: string,
  etag?: string,
): Promise<TimestampResult> {
  const fetched = await fetchIfChanged(ctx, registryUrl(base, TIMESTAMP_PATH), MAX_TIMESTAMP_BYTES, etag);
  if (fetched.status !== 'changed') return fetched;
  const keys = timestampKeysOf(root);
  const stored = await state.get(trustKey(namespace, 'timestamp'));
  // Like the index floor (TUF 5.3.11): it belongs to the timestamp keys that set it.
  const floor = isFloor(stored) && stored.keys === keys ? stored : undefined;
  const timestamp = await verifyTimestamp(root, parseEnvelopeBytes(fetched.bytes, MAX_TIMESTAMP_BYTES, TIMESTAMP_PATH), {
    now: Date.now(),
    allowExpired: true,
    ...(floor === undefined ? {} : { highestTrustedVersion: floor.version }),
  });
  const sha256 = await sha256Hex(fetched.bytes);
  if (floor !== undefined && timestamp.version === floor.version && sha256 !== floor.sha256) {
    throw new OutpostError('ROLLBACK_DETECTED', `${TIMESTAMP_PATH} version ${timestamp.version} differs from the timestamp of that version trusted before`, {
      details: { what: TIMESTAMP_PATH, version: timestamp.version, highestTrustedVersion: floor.version },
    });
  }
  return {
    status: 'changed',
    timestamp,
    expired: isExpired(timestamp, Date.now()),
    floor: { version: timestamp.version, keys, sha256 },
    etag: fetched.etag,
  };
}

function isFloor(value: unknown): value is IndexFloor {
  const floor = value as Partial<IndexFloor> | undefined;
  return typeof floor === 'object' && floor !== null && Number.isSafeInteger(floor.version) && typeof floor.keys === 'string' && typeof floor.sha256 === 'string';
}
