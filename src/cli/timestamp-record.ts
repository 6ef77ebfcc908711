/**
 * The timestamp host's own record, as index-record.ts is the targets host's: per
 * registry, the index the last timestamp pinned and that timestamp's version. Whoever
 * can write the storage can copy an older index.json and timestamp.json back; a
 * scheduled `outpost timestamp` would then pin the older index (a revoked version
 * returns for clients that never saw the newer one), or sign a version below the
 * clients' floor. The record lives beside the first timestamp key
 * (`timestamp-record.json`), never in the registry.
 */
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { OutpostError } from '../errors.js';
import { INDEX_PATH, TIMESTAMP_PATH } from '../registry/layout.js';
import { parseJsonBytes, parseWith } from '../registry/parse.js';
import type { TimestampDocument } from '../registry/schema.js';
import { readCapped, writeAtomic } from './files.js';
import { OVERRIDE_FLAG, registryId } from './index-record.js';

const MAX_RECORD_BYTES = 1024 * 1024;
const RECORD_FILE = 'timestamp-record.json';
const hex = z.string().regex(/^[0-9a-f]{64}$/);
const count = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const entrySchema = z.object({ timestamp: count, index: z.object({ version: count, sha256: hex }), signedAt: z.string().max(64) });
const recordSchema = z.object({ spec: z.literal(1), registries: z.record(hex, entrySchema) });
export type TimestampRecordEntry = z.infer<typeof entrySchema>;

/** Where the record is: `flag`, else beside the first timestamp key. */
export function timestampRecordPath(flag: string | undefined, keyPaths: readonly string[]): string {
  return flag ?? join(dirname(keyPaths[0] ?? '.'), RECORD_FILE);
}

async function readRecord(path: string): Promise<z.infer<typeof recordSchema>> {
  const bytes = await readCapped(path, MAX_RECORD_BYTES, `timestamp record ${path}`);
  if (bytes === undefined) return { spec: 1, registries: {} };
  return parseWith(recordSchema, parseJsonBytes(bytes, MAX_RECORD_BYTES, `timestamp record ${path}`), `timestamp record ${path}`);
}

/** The record's entry for the registry in `dir`, if any. */
export async function recordedTimestamp(path: string, dir: string): Promise<TimestampRecordEntry | undefined> {
  return (await readRecord(path)).registries[await registryId(dir)];
}

/**
 * Refuses (ROLLBACK_DETECTED) to pin an index older than the one last pinned, or of its
 * version with other bytes, unless `override`. A newer index is the targets host's work.
 */
export function assertPinnable(entry: TimestampRecordEntry | undefined, index: { version: number; sha256: string }, path: string, override: boolean): void {
  if (entry === undefined || override) return;
  const pinned = entry.index;
  const older = index.version < pinned.version;
  if (!older && (index.version > pinned.version || index.sha256 === pinned.sha256)) return;
  const why = older ? `is version ${index.version}, older than` : `version ${index.version} is not the index of`;
  throw new OutpostError('ROLLBACK_DETECTED', `${INDEX_PATH} ${why} version ${pinned.version} that ${TIMESTAMP_PATH} pinned at ${entry.signedAt}; refusing to pin it (record ${path}; ${OVERRIDE_FLAG} pins anyway)`, {
    details: { what: INDEX_PATH, version: index.version, pinnedVersion: pinned.version, record: path },
  });
}

/** Records `timestamp` as the last one written for the registry in `dir`. */
export async function recordTimestamp(path: string, dir: string, timestamp: TimestampDocument, now: Date): Promise<void> {
  const record = await readRecord(path);
  record.registries[await registryId(dir)] = {
    timestamp: timestamp.version,
    index: { version: timestamp.index.version, sha256: timestamp.index.sha256 },
    signedAt: now.toISOString(),
  };
  await writeAtomic(path, `${JSON.stringify(record, null, 2)}\n`, 0o600);
}
