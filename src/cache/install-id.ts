import { z } from 'zod';

/**
 * The local install id: rollout buckets hash it with the model name (DESIGN §5), so a
 * damaged one must never be used as it is — `42` or a truncated id would put the
 * install in an arbitrary bucket, the same one for every install damaged alike. It is
 * stored with a CRC-32 of its text, which catches a flipped or truncated id that still
 * looks like one; a record that fails its check is replaced by a new id, as a fresh
 * install would get (there is nothing to refetch, so this holds offline too).
 */
export interface InstallIdRecord {
  id: string;
  /** CRC-32 of `id`'s characters: a check against damage, not against a writer (anyone who can write the record can write a good one). */
  crc32: number;
}

/** What a stored value says, and the record to write when it must be (re)written. */
export interface InstallIdReading {
  id: string;
  /**
   * `ok`: a checked record; `legacy`: a bare id as stored before the check (kept, so
   * its buckets stay, and rewritten with a check); `missing`: none yet; `damaged`:
   * anything else, replaced.
   */
  status: 'ok' | 'legacy' | 'missing' | 'damaged';
  write?: InstallIdRecord;
}

export const INSTALL_ID_KEY = 'installId';

const idSchema = z.uuid();
const recordSchema = z.object({ id: idSchema, crc32: z.number().int().nonnegative() });

/**
 * Reads a stored install id, checking it on use.
 *
 * @example
 * ```ts
 * const reading = readInstallId(await db.get('state', INSTALL_ID_KEY));
 * if (reading.write) await db.put('state', reading.write, INSTALL_ID_KEY);
 * await rolloutBucket(reading.id, 'vad');
 * ```
 */
export function readInstallId(stored: unknown, fresh: () => string = () => crypto.randomUUID()): InstallIdReading {
  const record = recordSchema.safeParse(stored);
  if (record.success && record.data.crc32 === crc32(record.data.id)) return { id: record.data.id, status: 'ok' };
  const legacy = idSchema.safeParse(stored);
  if (legacy.success) return { id: legacy.data, status: 'legacy', write: installIdRecord(legacy.data) };
  const id = fresh();
  return { id, status: stored === undefined ? 'missing' : 'damaged', write: installIdRecord(id) };
}

/** `id` with its check, as it is stored. */
export function installIdRecord(id: string): InstallIdRecord {
  return { id, crc32: crc32(id) };
}

/** CRC-32 (IEEE, reflected 0xEDB88320) of the UTF-16 code units of `text`, each < 256 here (an id is ASCII). */
function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    crc ^= text.charCodeAt(i) & 0xff;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
