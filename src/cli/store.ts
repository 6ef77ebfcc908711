/**
 * Reading and writing a registry directory. Reads go through the same checks a
 * client makes; writes are atomic and each signed document is validated first.
 */
import { join } from 'node:path';
import { isOutpostError, OutpostError } from '../errors.js';
import { utf8 } from '../registry/encoding.js';
import { signEnvelope } from '../registry/envelope.js';
import type { SigningKey } from '../registry/keys.js';
import {
  INDEX_PATH,
  MAX_INDEX_BYTES,
  MAX_MANIFEST_BYTES,
  MAX_ROOT_BYTES,
  MAX_TIMESTAMP_BYTES,
  PAYLOAD_TYPES,
  ROOT_PATH,
  rootVersionPath,
  type DocumentKind,
} from '../registry/layout.js';
import { parseEnvelopeBytes, parseWith } from '../registry/parse.js';
import { payloadSchemas, type Envelope, type Index, type Manifest, type Root, type TimestampDocument } from '../registry/schema.js';
import { verifyIndex, verifyRootUpdate, verifyTrustedRoot } from '../registry/verify.js';
import { CliError } from './args.js';
import { readCapped, writeAtomic } from './files.js';

type Documents = { root: Root; index: Index; manifest: Manifest; timestamp: TimestampDocument };

const MAX_BYTES: Record<DocumentKind, number> = {
  root: MAX_ROOT_BYTES,
  index: MAX_INDEX_BYTES,
  manifest: MAX_MANIFEST_BYTES,
  timestamp: MAX_TIMESTAMP_BYTES,
};

/** Envelope file text: indented so a diff of two versions is readable. */
export function envelopeFileBytes(envelope: Envelope): Uint8Array {
  return utf8(`${JSON.stringify(envelope, null, 2)}\n`);
}

/** `payload` validated against its schema and signed: the envelope file bytes for `path`. */
export async function signDocument<K extends DocumentKind>(
  path: string,
  kind: K,
  payload: Documents[K],
  signers: readonly SigningKey[],
): Promise<Uint8Array> {
  parseWith(payloadSchemas[kind], payload, `new ${path}`);
  const envelope = await signEnvelope(utf8(JSON.stringify(payload)), PAYLOAD_TYPES[kind], signers);
  const bytes = envelopeFileBytes(envelope);
  // Clients refuse metadata over these sizes, so writing it would only break them.
  parseEnvelopeBytes(bytes, MAX_BYTES[kind], `new ${path}`);
  return bytes;
}

/** {@link signDocument}, then an atomic write to `dir/path`; returns the file bytes. */
export async function writeSigned<K extends DocumentKind>(
  dir: string,
  path: string,
  kind: K,
  payload: Documents[K],
  signers: readonly SigningKey[],
): Promise<Uint8Array> {
  const bytes = await signDocument(path, kind, payload, signers);
  await writeAtomic(join(dir, path), bytes);
  return bytes;
}

/** The registry's current root (`root.json`), checked to be signed by its own root threshold. */
export async function loadRoot(dir: string): Promise<Root> {
  const bytes = await readCapped(join(dir, ROOT_PATH), MAX_ROOT_BYTES, ROOT_PATH);
  if (bytes === undefined) throw new CliError('ENOENT', `${join(dir, ROOT_PATH)} does not exist; run 'outpost init' first`);
  return verifyTrustedRoot(bytes, ROOT_PATH);
}

/**
 * The registry's index, verified against `root` (an expired one is accepted: refreshing
 * it is what the CLI is about to do), or undefined before the first publish.
 */
export async function loadIndex(dir: string, root: Root, now: Date): Promise<Index | undefined> {
  const bytes = await readCapped(join(dir, INDEX_PATH), MAX_INDEX_BYTES, INDEX_PATH);
  if (bytes === undefined) return undefined;
  try {
    return await verifyIndex(root, parseEnvelopeBytes(bytes, MAX_INDEX_BYTES, INDEX_PATH), { now, allowExpired: true });
  } catch (error) {
    if (!isOutpostError(error, 'SIGNATURE_INVALID')) throw error;
    const hint = `${error.message}; if the targets keys were rotated, run 'outpost resign' with the new keys first`;
    throw new OutpostError('SIGNATURE_INVALID', hint, { cause: error, details: error.details });
  }
}

/**
 * The index as signed under the current root or, after 'rotate-root' changed the
 * targets keys, under an earlier root. An earlier root is used only once the chain
 * from it to the current root verifies, so a planted roots/ file cannot vouch for
 * an index.
 */
export async function loadIndexAcrossRotations(dir: string, root: Root, now: Date): Promise<Index | undefined> {
  let firstError: unknown;
  try {
    return await loadIndex(dir, root, now);
  } catch (error) {
    if (!isOutpostError(error, 'SIGNATURE_INVALID')) throw error;
    firstError = error;
  }
  let later = await readCapped(join(dir, ROOT_PATH), MAX_ROOT_BYTES, ROOT_PATH);
  for (let version = root.version - 1; version >= 1 && later !== undefined; version--) {
    const path = rootVersionPath(version);
    const bytes = await readCapped(join(dir, path), MAX_ROOT_BYTES, path);
    if (bytes === undefined) break;
    const earlier = await verifyTrustedRoot(bytes, path);
    await verifyRootUpdate(earlier, parseEnvelopeBytes(later, MAX_ROOT_BYTES, rootVersionPath(version + 1)));
    try {
      return await loadIndex(dir, earlier, now);
    } catch (error) {
      if (!isOutpostError(error, 'SIGNATURE_INVALID')) throw error;
    }
    later = bytes;
  }
  throw firstError;
}

/** The index, which must exist. */
export async function requireIndex(dir: string, root: Root, now: Date, acrossRotations = false): Promise<Index> {
  const index = await (acrossRotations ? loadIndexAcrossRotations : loadIndex)(dir, root, now);
  if (index === undefined) throw new CliError('ENOENT', `${join(dir, INDEX_PATH)} does not exist; publish a model first`);
  return index;
}

/** ISO time `days` after `now`. */
export function expiresIn(now: Date, days: number): string {
  return new Date(now.getTime() + Math.round(days * 86_400_000)).toISOString();
}

/** Default lifetimes: an index expires soon (freeze-attack window), a root rarely. */
export const DEFAULT_INDEX_DAYS = 7;
export const DEFAULT_ROOT_DAYS = 365;

/** `index` (or an empty one) as its next version: version + 1 and a fresh `expires`. */
export function nextIndex(index: Index | undefined, now: Date, days: number): Index {
  const base: Index = index ?? { _type: 'index', spec: 1, version: 0, expires: now.toISOString(), models: {} };
  return { ...structuredClone(base), version: base.version + 1, expires: expiresIn(now, days) };
}

/** Signs and writes the index. */
export function writeIndex(dir: string, index: Index, signers: readonly SigningKey[]): Promise<Uint8Array> {
  return writeSigned(dir, INDEX_PATH, 'index', index, signers);
}
