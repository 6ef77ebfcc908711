/**
 * The operator's own record of the last index this CLI signed, per registry. The CLI
 * does not trust the storage it publishes to: whoever can write that storage can copy
 * an older signed index.json back, and signing on top of it would turn a revoked
 * version into the newest release. Every index-writing verb therefore checks the
 * index in storage against this record first and refuses to sign on top of another.
 *
 * The record lives with the keys by default (`index-record.json` beside the first
 * `--key`), never in the registry; `--record <file>` puts it elsewhere. One file holds
 * many registries, each named by the SHA-256 of its first root (`roots/1.root.json`),
 * which no rotation changes.
 */
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { OutpostError } from '../errors.js';
import { sha256Hex } from '../registry/encoding.js';
import { INDEX_PATH, MAX_INDEX_BYTES, MAX_ROOT_BYTES, rootVersionPath } from '../registry/layout.js';
import { parseJsonBytes, parseWith } from '../registry/parse.js';
import { CliError } from './args.js';
import { readCapped, writeAtomic } from './files.js';

const MAX_RECORD_BYTES = 1024 * 1024;
const RECORD_FILE = 'index-record.json';

const entrySchema = z.object({
  version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  signedAt: z.string().max(64),
});
const recordSchema = z.object({ spec: z.literal(1), registries: z.record(z.string().regex(/^[0-9a-f]{64}$/), entrySchema) });

/** What the record says was signed last for one registry. */
export type RecordEntry = z.infer<typeof entrySchema>;
type RecordFile = z.infer<typeof recordSchema>;

/** The flag that signs on top of a mismatching index anyway, and what it does. */
export const OVERRIDE_FLAG = '--accept-registry-index';
export const RECORD_HELP = `  --record <file>    the operator's record of the last index signed (default:
                     ${RECORD_FILE} beside the first --key); kept off the registry
  ${OVERRIDE_FLAG}
                     sign on top of the index in storage even though the record says
                     another was signed last (e.g. a backup restored on purpose)`;
export const RECORD_OPTIONS = { record: { type: 'string' }, 'accept-registry-index': { type: 'boolean' } } as const;

/** Where the record is: `--record`, else beside the first key file. */
export function recordPath(flag: string | undefined, keyPaths: readonly string[]): string {
  return flag ?? join(dirname(keyPaths[0] ?? '.'), RECORD_FILE);
}

/** The registry's identity in the record: SHA-256 of its first root. */
export async function registryId(dir: string): Promise<string> {
  const path = rootVersionPath(1);
  const bytes = await readCapped(join(dir, path), MAX_ROOT_BYTES, path);
  if (bytes === undefined) throw new CliError('ENOENT', `${join(dir, path)} does not exist; run 'outpost init' first`);
  return sha256Hex(bytes);
}

async function readRecord(path: string): Promise<RecordFile> {
  const bytes = await readCapped(path, MAX_RECORD_BYTES, `index record ${path}`);
  if (bytes === undefined) return { spec: 1, registries: {} };
  return parseWith(recordSchema, parseJsonBytes(bytes, MAX_RECORD_BYTES, `index record ${path}`), `index record ${path}`);
}

/** The record's entry for the registry in `dir`, if any. */
export async function recordedIndex(path: string, dir: string): Promise<RecordEntry | undefined> {
  return (await readRecord(path)).registries[await registryId(dir)];
}

/** The index file in storage, as version and hash, or undefined when there is none. */
export async function storedIndex(dir: string, version: number | undefined): Promise<{ version: number; sha256: string } | undefined> {
  const bytes = await readCapped(join(dir, INDEX_PATH), MAX_INDEX_BYTES, INDEX_PATH);
  if (bytes === undefined || version === undefined) return undefined;
  return { version, sha256: await sha256Hex(bytes) };
}

/**
 * Why the index in storage is not the one recorded, or undefined when it is (or when
 * nothing was recorded yet: the first signing starts the record).
 */
export function recordMismatch(recorded: RecordEntry | undefined, stored: { version: number; sha256: string } | undefined): string | undefined {
  if (recorded === undefined) return undefined;
  if (stored === undefined) return `${INDEX_PATH} is missing, but index version ${recorded.version} was signed at ${recorded.signedAt}`;
  if (stored.version < recorded.version) {
    return `${INDEX_PATH} has version ${stored.version}, but version ${recorded.version} was signed at ${recorded.signedAt} (rolled back in storage?)`;
  }
  if (stored.version > recorded.version) {
    return `${INDEX_PATH} has version ${stored.version}, newer than version ${recorded.version} signed at ${recorded.signedAt} with this record`;
  }
  if (stored.sha256 !== recorded.sha256) return `${INDEX_PATH} version ${stored.version} is not the index of that version signed at ${recorded.signedAt}`;
  return undefined;
}

/**
 * Refuses (ROLLBACK_DETECTED) to sign on top of an index the record does not name,
 * unless `override`. Call before anything is written.
 */
export async function assertRecordedIndex(path: string, dir: string, indexVersion: number | undefined, override: boolean): Promise<void> {
  const mismatch = recordMismatch(await recordedIndex(path, dir), await storedIndex(dir, indexVersion));
  if (mismatch === undefined || override) return;
  throw new OutpostError('ROLLBACK_DETECTED', `${mismatch}; refusing to sign on top of it (record ${path}; ${OVERRIDE_FLAG} signs anyway)`, {
    details: { what: INDEX_PATH, record: path },
  });
}

/** Records `bytes` as the index just written for the registry in `dir`. */
export async function recordIndex(path: string, dir: string, version: number, bytes: Uint8Array, now: Date): Promise<void> {
  const record = await readRecord(path);
  record.registries[await registryId(dir)] = { version, sha256: await sha256Hex(bytes), signedAt: now.toISOString() };
  await writeAtomic(path, `${JSON.stringify(record, null, 2)}\n`, 0o600);
}

/** The record guard of one index-writing command: check before signing, save after writing. */
export interface IndexGuard {
  check(storedVersion: number | undefined): Promise<void>;
  save(version: number, bytes: Uint8Array, now: Date): Promise<void>;
}

/** The guard for `dir` from a command's `--record` / `--accept-registry-index` flags. */
export function indexGuard(dir: string, values: { record?: string; 'accept-registry-index'?: boolean }, keyPaths: readonly string[]): IndexGuard {
  const path = recordPath(values.record, keyPaths);
  return {
    check: (storedVersion) => assertRecordedIndex(path, dir, storedVersion, values['accept-registry-index'] === true),
    save: (version, bytes, now) => recordIndex(path, dir, version, bytes, now),
  };
}
