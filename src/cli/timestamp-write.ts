/**
 * Writing timestamp.json (the timestamp role, TUF's timestamp): the `timestamp` verb
 * and every verb that re-signs the index call this. Keys are picked by role from
 * `--key`, so one command line can carry a targets key and a timestamp key; without
 * a timestamp key the index verbs say that timestamp.json must be refreshed.
 */
import { join } from 'node:path';
import { isOutpostError } from '../errors.js';
import type { SigningKey } from '../registry/keys.js';
import { MAX_TIMESTAMP_BYTES, TIMESTAMP_PATH } from '../registry/layout.js';
import { parseEnvelopeBytes } from '../registry/parse.js';
import type { Index, Root, TimestampDocument } from '../registry/schema.js';
import { hasTimestampRole, indexPinOf, verifyTimestamp } from '../registry/timestamp.js';
import { OutpostError } from '../errors.js';
import type { CliContext } from './context.js';
import { readCapped } from './files.js';
import type { LoadedKey } from './keyfiles.js';
import { roleSigners } from './keyfiles.js';
import { DEFAULT_INDEX_DAYS, expiresIn, writeSigned } from './store.js';
import { recordedTimestamp, recordTimestamp, timestampRecordPath } from './timestamp-record.js';

/** Timestamp signers, and the timestamp record beside their first key file. */
export interface Stampers {
  signers: SigningKey[];
  record: string;
}

/** A timestamp lives a day by default: it is the freeze-attack window. */
export const DEFAULT_TIMESTAMP_DAYS = 1;
/** With a timestamp role the index only needs to outlive the gaps between releases. */
export const DEFAULT_INDEX_DAYS_WITH_TIMESTAMP = 365;

export const TIMESTAMP_OPTIONS = { 'timestamp-expires': { type: 'string' } } as const;
export const TIMESTAMP_HELP = `  --timestamp-expires <days>
                     when the root has a timestamp role: timestamp.json lifetime;
                     default ${DEFAULT_TIMESTAMP_DAYS}. A timestamp private key among --key signs it`;

/** The index lifetime: the flag, else 7 days, or 365 when a timestamp role keeps it fresh. */
export function defaultIndexDays(root: Root): number {
  return hasTimestampRole(root) ? DEFAULT_INDEX_DAYS_WITH_TIMESTAMP : DEFAULT_INDEX_DAYS;
}

/**
 * `keys` split by role: the targets signers (their threshold required, as before) and
 * the timestamp signers (none, or the timestamp threshold). A key of neither role is
 * refused, so a typo never goes unnoticed.
 */
export function indexSigners(root: Root, keys: readonly LoadedKey[]): { targets: SigningKey[]; timestamp: Stampers } {
  const timestampIds = new Set(root.roles.timestamp?.keyids ?? []);
  const targetsIds = new Set(root.roles.targets.keyids);
  const timestampKeys = keys.filter((key) => timestampIds.has(key.file.keyid) && !targetsIds.has(key.file.keyid));
  const targetsKeys = keys.filter((key) => !timestampKeys.includes(key));
  return {
    targets: roleSigners(root, 'targets', targetsKeys),
    timestamp: {
      signers: timestampKeys.length === 0 ? [] : roleSigners(root, 'timestamp', timestampKeys),
      record: timestampRecordPath(undefined, timestampKeys.map((key) => key.path)),
    },
  };
}

/** The timestamp in storage, verified under `root` (expired accepted), or undefined (none, or other keys). */
export async function loadTimestamp(dir: string, root: Root, now: Date): Promise<TimestampDocument | undefined> {
  const bytes = await readCapped(join(dir, TIMESTAMP_PATH), MAX_TIMESTAMP_BYTES, TIMESTAMP_PATH);
  if (bytes === undefined || !hasTimestampRole(root)) return undefined;
  try {
    return await verifyTimestamp(root, parseEnvelopeBytes(bytes, MAX_TIMESTAMP_BYTES, TIMESTAMP_PATH), { now, allowExpired: true });
  } catch (error) {
    // Signed by timestamp keys a rotation retired: clients' floor for it reset with the keys.
    if (isOutpostError(error, 'SIGNATURE_INVALID')) return undefined;
    throw error;
  }
}

/**
 * Signs and writes the next timestamp.json, pinning the index file `indexBytes` of
 * `indexVersion`, and records it. Its version follows both the one in storage and the
 * record, so a timestamp.json rolled back in storage cannot pull it below clients' floor.
 */
export async function writeTimestamp(
  dir: string,
  root: Root,
  indexVersion: number,
  indexBytes: Uint8Array,
  stampers: Stampers,
  now: Date,
  days: number,
): Promise<TimestampDocument> {
  const previous = Math.max((await loadTimestamp(dir, root, now))?.version ?? 0, (await recordedTimestamp(stampers.record, dir))?.timestamp ?? 0);
  if (previous >= Number.MAX_SAFE_INTEGER) {
    throw new OutpostError('METADATA_INVALID', `${TIMESTAMP_PATH} is at the highest version; rotate the timestamp keys`, { details: { what: TIMESTAMP_PATH } });
  }
  const timestamp: TimestampDocument = {
    _type: 'timestamp',
    spec: 1,
    version: previous + 1,
    expires: expiresIn(now, days),
    index: await indexPinOf(indexVersion, indexBytes),
  };
  await writeSigned(dir, TIMESTAMP_PATH, 'timestamp', timestamp, stampers.signers);
  await recordTimestamp(stampers.record, dir, timestamp, now);
  return timestamp;
}

/**
 * After an index verb wrote `index` (file `bytes`): a new timestamp.json pinning it when
 * the root has a timestamp role and a timestamp key was given; else a warning that
 * clients refuse the new index until `outpost timestamp` runs.
 */
export async function stampIndex(
  ctx: CliContext,
  dir: string,
  root: Root,
  index: Index,
  bytes: Uint8Array,
  stampers: Stampers,
  now: Date,
  days: number,
): Promise<void> {
  if (!hasTimestampRole(root)) return;
  if (stampers.signers.length === 0) {
    ctx.err(
      `warning: ${TIMESTAMP_PATH} still pins the previous index: clients refuse index version ${index.version} (INTEGRITY_MISMATCH) ` +
        `and 'outpost verify' fails until you run 'outpost timestamp ${dir} --key <timestamp private.json>'`,
    );
    return;
  }
  const timestamp = await writeTimestamp(dir, root, index.version, bytes, stampers, now, days);
  ctx.out(`${TIMESTAMP_PATH} version ${timestamp.version} pins index version ${index.version}, expires ${timestamp.expires}`);
}
