/**
 * What `outpost verify` checks: everything a client would, for every version at
 * once, through the same pure functions the browser calls. Problems are collected,
 * not thrown, so one run lists all of them.
 */
import { join } from 'node:path';
import { isOutpostError, OutpostError } from '../errors.js';
import { externalDataFiles } from '../onnx/external-data.js';
import { INDEX_PATH, MAX_INDEX_BYTES, MAX_MANIFEST_BYTES, MAX_ROOT_BYTES, MAX_TIMESTAMP_BYTES, ROOT_PATH, TIMESTAMP_PATH } from '../registry/layout.js';
import { checkIndexPin, checkPinnedVersion, hasTimestampRole, verifyTimestamp } from '../registry/timestamp.js';
import { parseEnvelopeBytes } from '../registry/parse.js';
import type { FileEntry, Index, Manifest, ModelEntry, Root } from '../registry/schema.js';
import { checkExpiry, updateRoot, verifyIndex, verifyManifest, verifyTrustedRoot } from '../registry/verify.js';
import { verifyFileAt } from './file-hash.js';
import { readCapped, readOptional } from './files.js';

/** One thing wrong, with the error code a client would raise for it. */
export interface Problem {
  code: string;
  message: string;
}

export interface AuditResult {
  problems: Problem[];
  /** Facts worth printing that are not problems. */
  notes: string[];
  root?: Root;
  index?: Index;
  versions: number;
  files: number;
}

class Audit {
  readonly problems: Problem[] = [];
  readonly notes: string[] = [];
  versions = 0;
  files = 0;

  constructor(
    readonly dir: string,
    readonly now: Date,
  ) {}

  /** Runs `check`; a failure becomes a problem and the result undefined. */
  async attempt<T>(check: () => Promise<T> | T): Promise<T | undefined> {
    try {
      return await check();
    } catch (error) {
      this.report(error);
      return undefined;
    }
  }

  report(error: unknown): void {
    if (isOutpostError(error)) this.problems.push({ code: error.code, message: error.message });
    else {
      const code = (error as { code?: unknown }).code;
      const message = error instanceof Error ? error.message : String(error);
      this.problems.push({ code: typeof code === 'string' ? code : 'ERROR', message });
    }
  }

  problem(code: string, message: string): void {
    this.problems.push({ code, message });
  }

  /** Checks one file of a manifest in place; a missing file is INTEGRITY_MISMATCH. */
  async verify(file: FileEntry): Promise<void> {
    try {
      await verifyFileAt(file, join(this.dir, file.path));
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
      throw new OutpostError('INTEGRITY_MISMATCH', `${file.path} is missing`, { details: { path: file.path } });
    }
  }

  async read(path: string, maxBytes = Number.MAX_SAFE_INTEGER): Promise<Uint8Array | undefined> {
    const bytes = await readCapped(join(this.dir, path), maxBytes, path);
    if (bytes === undefined) this.problem('INTEGRITY_MISMATCH', `${path} is missing`);
    return bytes;
  }
}

/** Walks from the trusted root to the registry's latest and checks root.json is that latest. */
async function auditRoot(audit: Audit, trustedRoot: Uint8Array): Promise<Root | undefined> {
  const trusted = await audit.attempt(() => verifyTrustedRoot(trustedRoot, 'trusted root'));
  if (trusted === undefined) return undefined;
  const latest = await audit.attempt(() =>
    updateRoot(trusted, (path) => readCapped(join(audit.dir, path), MAX_ROOT_BYTES, path)),
  );
  if (latest === undefined) return undefined;

  const before = audit.problems.length;
  const current = await audit.attempt(async () => {
    const bytes = await readOptional(join(audit.dir, ROOT_PATH));
    return bytes === undefined ? undefined : verifyTrustedRoot(bytes, ROOT_PATH);
  });
  if (current === undefined) {
    if (audit.problems.length === before) audit.problem('METADATA_INVALID', `${ROOT_PATH} is missing`);
  } else if (current.version < latest.version) {
    audit.problem('ROLLBACK_DETECTED', `${ROOT_PATH} is root version ${current.version}, older than version ${latest.version}`);
  } else if (current.version > latest.version || JSON.stringify(current) !== JSON.stringify(latest)) {
    audit.problem('METADATA_INVALID', `${ROOT_PATH} (version ${current.version}) is not reachable from the trusted root: the roots/ chain ends at version ${latest.version}`);
  }
  await audit.attempt(() => checkExpiry(latest, audit.now, `root version ${latest.version}`));
  return latest;
}

async function auditVersion(audit: Audit, root: Root, index: Index, name: string, version: string, model: ModelEntry): Promise<void> {
  audit.versions++;
  const entry = model.versions[version];
  if (entry === undefined) return;
  const bytes = await audit.attempt(() => audit.read(entry.manifest.path, MAX_MANIFEST_BYTES));
  if (bytes === undefined) return;
  const manifest: Manifest | undefined = await audit.attempt(() => verifyManifest(root, index, name, version, bytes));
  if (manifest === undefined) return;
  if (model.revoked.includes(version)) {
    audit.notes.push(`${name}@${version} is revoked: its files were not checked`);
    return;
  }
  for (const file of manifest.files) {
    audit.files++;
    // Chunk by chunk from disk: a registry of large models needs no more memory than a small one.
    const verified = await audit.attempt(async () => (await audit.verify(file), true));
    if (!verified || file.path !== manifest.model.file) continue;
    // The model itself (protobuf, under 2 GB) is parsed for the external data it names.
    const fileBytes = await audit.attempt(() => audit.read(file.path));
    if (fileBytes !== undefined) auditExternalData(audit, manifest, fileBytes);
  }
}

/** A model whose external data the manifest does not sign can never load: say so. */
function auditExternalData(audit: Audit, manifest: Manifest, model: Uint8Array): void {
  const signed = new Set((manifest.model.externalData ?? []).map((external) => external.location));
  let needed: string[];
  try {
    needed = externalDataFiles(model);
  } catch {
    return; // Not readable as ONNX: publish checked it; nothing more to say here.
  }
  for (const location of needed.filter((l) => !signed.has(l))) {
    audit.problem(
      'METADATA_INVALID',
      `${manifest.name}@${manifest.version}: the model stores tensors in ${location}, which its manifest does not list; it cannot load (publish it again with the file beside the model)`,
    );
  }
}

function auditChannels(audit: Audit, name: string, model: ModelEntry): void {
  for (const [channelName, channel] of Object.entries(model.channels)) {
    for (const version of [channel.version, channel.previous]) {
      if (version !== undefined && model.revoked.includes(version)) {
        audit.problem('VERSION_REVOKED', `${name} channel ${channelName} serves revoked version ${version}`);
      }
    }
  }
}

/**
 * With a timestamp role: timestamp.json signed by a threshold of its keys, unexpired,
 * pinning exactly the index in storage (what a client checks before the index).
 */
async function auditTimestamp(audit: Audit, root: Root, index: Index, indexBytes: Uint8Array): Promise<void> {
  if (!hasTimestampRole(root)) return;
  const before = audit.problems.length;
  const bytes = await audit.attempt(() => readCapped(join(audit.dir, TIMESTAMP_PATH), MAX_TIMESTAMP_BYTES, TIMESTAMP_PATH));
  if (bytes === undefined) {
    if (audit.problems.length === before) {
      audit.problem('METADATA_INVALID', `${TIMESTAMP_PATH} is missing, but root version ${root.version} has a timestamp role; run 'outpost timestamp'`);
    }
    return;
  }
  const timestamp = await audit.attempt(() =>
    verifyTimestamp(root, parseEnvelopeBytes(bytes, MAX_TIMESTAMP_BYTES, TIMESTAMP_PATH), { now: audit.now, allowExpired: true }),
  );
  if (timestamp === undefined) return;
  await audit.attempt(() => checkExpiry(timestamp, audit.now, TIMESTAMP_PATH));
  const pinned = await audit.attempt(async () => (await checkIndexPin(timestamp.index, indexBytes, INDEX_PATH), true));
  if (pinned) await audit.attempt(() => checkPinnedVersion(timestamp.index, index, INDEX_PATH));
  else audit.notes.push(`${TIMESTAMP_PATH} pins index version ${timestamp.index.version}; run 'outpost timestamp' after the index changed`);
}

/**
 * Checks the registry in `dir` as a client holding `trustedRoot` would: root chain,
 * index signatures and expiry, timestamp.json when the root has that role, every manifest's pin and signatures, every file's
 * length, hash and chunk hashes.
 *
 * @example
 * ```ts
 * const { problems } = await auditRegistry('registry', await readFile('root.json'), new Date());
 * ```
 */
export async function auditRegistry(dir: string, trustedRoot: Uint8Array, now: Date): Promise<AuditResult> {
  const audit = new Audit(dir, now);
  const root = await auditRoot(audit, trustedRoot);
  const result = (index?: Index): AuditResult => ({
    problems: audit.problems,
    notes: audit.notes,
    ...(root === undefined ? {} : { root }),
    ...(index === undefined ? {} : { index }),
    versions: audit.versions,
    files: audit.files,
  });
  if (root === undefined) return result();

  const before = audit.problems.length;
  const indexBytes = await audit.attempt(() => readCapped(join(dir, INDEX_PATH), MAX_INDEX_BYTES, INDEX_PATH));
  if (indexBytes === undefined) {
    if (audit.problems.length === before) audit.notes.push(`no ${INDEX_PATH} yet: nothing is published`);
    return result();
  }
  const index = await audit.attempt(() =>
    verifyIndex(root, parseEnvelopeBytes(indexBytes, MAX_INDEX_BYTES, INDEX_PATH), { now, allowExpired: true }),
  );
  if (index === undefined) return result();
  await audit.attempt(() => checkExpiry(index, now, INDEX_PATH));
  await auditTimestamp(audit, root, index, indexBytes);

  for (const [name, model] of Object.entries(index.models)) {
    auditChannels(audit, name, model);
    for (const version of Object.keys(model.versions)) await auditVersion(audit, root, index, name, version, model);
  }
  return result(index);
}
