/**
 * The timestamp role's checks (TUF's timestamp), pure like verify.ts: the browser and
 * `outpost verify` call the same code. A root with a `timestamp` role makes
 * timestamp.json the freshness of the registry: signed by the timestamp keys, it pins
 * index.json exactly, so the targets keys need not sign every few days.
 */
import { OutpostError } from '../errors.js';
import { sha256Hex } from './encoding.js';
import { importRole } from './keys.js';
import { TIMESTAMP_PATH } from './layout.js';
import type { Envelope, Index, IndexPin, Root, TimestampDocument } from './schema.js';
import { checkExpiry, verifiedDocument } from './verify.js';

/** Options of {@link verifyTimestamp}. */
export interface VerifyTimestampOptions {
  /** Current time, for the expiry check. */
  now: Date | number;
  /** Highest timestamp version verified before under the same timestamp keys; lower is a rollback. */
  highestTrustedVersion?: number;
  /** Return an expired timestamp instead of throwing (the caller reports it). @default false */
  allowExpired?: boolean;
}

/**
 * True when the root has a timestamp role, so clients need timestamp.json.
 *
 * @example
 * ```ts
 * if (hasTimestampRole(root)) await fetchTimestampFirst();
 * ```
 */
export function hasTimestampRole(root: Root): boolean {
  return root.roles.timestamp !== undefined;
}

/**
 * The timestamp in `envelope` once a threshold of the timestamp keys of `root` signed
 * it (`SIGNATURE_INVALID`); then `ROLLBACK_DETECTED` below `highestTrustedVersion` and
 * `METADATA_EXPIRED` past its `expires` (unless `allowExpired`). `METADATA_INVALID`
 * when the root has no timestamp role.
 *
 * @example
 * ```ts
 * const timestamp = await verifyTimestamp(root, parseEnvelopeBytes(bytes, MAX_TIMESTAMP_BYTES, 'timestamp.json'), { now: Date.now() });
 * await checkIndexPin(timestamp.index, indexBytes);
 * ```
 */
export async function verifyTimestamp(
  root: Root,
  envelope: Envelope,
  options: VerifyTimestampOptions,
  what = TIMESTAMP_PATH,
): Promise<TimestampDocument> {
  const timestamp = await verifiedDocument('timestamp', envelope, await importRole(root, 'timestamp'), what);
  const highest = options.highestTrustedVersion;
  if (highest !== undefined && timestamp.version < highest) {
    throw new OutpostError('ROLLBACK_DETECTED', `${what} version ${timestamp.version} is older than trusted version ${highest}`, {
      details: { what, version: timestamp.version, highestTrustedVersion: highest },
    });
  }
  if (options.allowExpired !== true) checkExpiry(timestamp, options.now, what);
  return timestamp;
}

/**
 * Throws `INTEGRITY_MISMATCH` unless `indexBytes` are exactly the index `pin` names
 * (length first: it is free, then SHA-256). Call before verifying the index's
 * signatures, as TUF checks the snapshot against the timestamp first.
 *
 * @example
 * ```ts
 * await checkIndexPin(timestamp.index, indexBytes);
 * ```
 */
export async function checkIndexPin(pin: IndexPin, indexBytes: Uint8Array, what = 'index.json'): Promise<void> {
  const mismatch = (message: string, expected: unknown, actual: unknown) =>
    new OutpostError('INTEGRITY_MISMATCH', `${what} ${message}`, { details: { what, pinnedVersion: pin.version, expected, actual } });
  if (indexBytes.length !== pin.length) {
    throw mismatch(`is ${indexBytes.length} bytes, ${TIMESTAMP_PATH} pins ${pin.length}`, pin.length, indexBytes.length);
  }
  const digest = await sha256Hex(indexBytes);
  if (digest !== pin.sha256) throw mismatch(`does not match the SHA-256 ${TIMESTAMP_PATH} pins`, pin.sha256, digest);
}

/**
 * Throws `INTEGRITY_MISMATCH` unless the verified `index` has the version `pin` names.
 * The hash already binds them; this names the mismatch if a timestamp was signed wrong.
 */
export function checkPinnedVersion(pin: IndexPin, index: Index, what = 'index.json'): void {
  if (index.version === pin.version) return;
  throw new OutpostError('INTEGRITY_MISMATCH', `${what} has version ${index.version}, ${TIMESTAMP_PATH} pins version ${pin.version}`, {
    details: { what, pinnedVersion: pin.version, expected: pin.version, actual: index.version },
  });
}

/**
 * The pin of `indexBytes` (the index file as written) for a new timestamp.
 *
 * @example
 * ```ts
 * const pin = await indexPinOf(index.version, bytes);
 * ```
 */
export async function indexPinOf(version: number, indexBytes: Uint8Array): Promise<IndexPin> {
  return { version, length: indexBytes.length, sha256: await sha256Hex(indexBytes) };
}
