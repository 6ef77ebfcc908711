/**
 * The client's checks, pure (no I/O): the browser runtime and `outpost verify` both
 * call these, so the CLI verifies exactly what a browser would accept.
 * The order of checks follows TUF; docs/registry-format.md lists it.
 */
import { OutpostError } from '../errors.js';
import { fromUtf8, sha256Hex } from './encoding.js';
import { envelopePayload, verifyEnvelope } from './envelope.js';
import { importRole, type TrustedRole } from './keys.js';
import { MAX_MANIFEST_BYTES, MAX_ROOT_BYTES, MAX_ROOT_ROTATIONS, PAYLOAD_TYPES, type DocumentKind, rootVersionPath } from './layout.js';
import { parseEnvelope, parseEnvelopeBytes, parseWith } from './parse.js';
import { payloadSchemas, type Envelope, type Index, type Manifest, type Root, type TimestampDocument } from './schema.js';

type Documents = { root: Root; index: Index; manifest: Manifest; timestamp: TimestampDocument };

/** The document in verified (or about to be verified) payload bytes, checked against its schema. */
function decodeDocument<K extends DocumentKind>(kind: K, payload: Uint8Array, what: string): Documents[K] {
  let value: unknown;
  try {
    value = JSON.parse(fromUtf8(payload));
  } catch (cause) {
    throw new OutpostError('METADATA_INVALID', `${what} payload is not valid UTF-8 JSON`, { cause, details: { what } });
  }
  return parseWith(payloadSchemas[kind], value, what) as Documents[K];
}

/**
 * The document of `kind` in `envelope` once a threshold of `trusted` signed it, checked
 * against its schema (the payload type of `kind` required).
 *
 * @example
 * ```ts
 * const timestamp = await verifiedDocument('timestamp', envelope, await importRole(root, 'timestamp'), 'timestamp.json');
 * ```
 */
export async function verifiedDocument<K extends DocumentKind>(
  kind: K,
  envelope: Envelope,
  trusted: TrustedRole,
  what: string,
): Promise<Documents[K]> {
  return decodeDocument(kind, await verifyEnvelope(envelope, trusted, PAYLOAD_TYPES[kind], what), what);
}

function timeOf(now: Date | number): number {
  return typeof now === 'number' ? now : now.getTime();
}

/**
 * True when `document` is past its `expires` at `now`.
 *
 * @example
 * ```ts
 * if (isExpired(index, Date.now())) refreshSoon();
 * ```
 */
export function isExpired(document: { expires: string }, now: Date | number): boolean {
  return Date.parse(document.expires) < timeOf(now);
}

/**
 * Throws `METADATA_EXPIRED` (details `{ what, version, expires, now }`) when `document`
 * is past its `expires`. Separate from signature checks so a client can still use
 * a verified, cached document while offline and refuse only fresh updates.
 *
 * @example
 * ```ts
 * checkExpiry(root, Date.now(), 'root.json');
 * ```
 */
export function checkExpiry(document: { expires: string; version: number }, now: Date | number, what: string): void {
  if (!isExpired(document, now)) return;
  const at = new Date(timeOf(now)).toISOString();
  throw new OutpostError('METADATA_EXPIRED', `${what} version ${document.version} expired at ${document.expires}`, {
    details: { what, version: document.version, expires: document.expires, now: at },
  });
}

/**
 * The root an app ships (envelope object, JSON text or bytes), once a threshold of
 * its own root keys signed it. Expiry is not checked: an old shipped root is still
 * a valid anchor for walking to the current one (check the final root's expiry).
 *
 * @example
 * ```ts
 * const root = await verifyTrustedRoot(options.trustedRoot);
 * ```
 */
export async function verifyTrustedRoot(input: unknown, what = 'trusted root'): Promise<Root> {
  const envelope = parseEnvelope(input, MAX_ROOT_BYTES, what);
  if (envelope.payloadType !== PAYLOAD_TYPES.root) {
    // verifyEnvelope reports this too, but the keys must be read before it can run.
    throw new OutpostError('METADATA_INVALID', `${what} is not a root envelope`, { details: { what, payloadType: envelope.payloadType } });
  }
  const root = decodeDocument('root', envelopePayload(envelope, what), what);
  return verifiedDocument('root', envelope, await importRole(root, 'root'), `${what} version ${root.version}`);
}

/**
 * Root version N+1 from `next`, once a threshold of `trusted`'s root keys AND a
 * threshold of its own root keys signed it. `ROLLBACK_DETECTED` for a version ≤ N,
 * `METADATA_INVALID` for one past N+1, `SIGNATURE_INVALID` when either threshold fails.
 *
 * @example
 * ```ts
 * root = await verifyRootUpdate(root, parseEnvelopeBytes(bytes, MAX_ROOT_BYTES, 'roots/2.root.json'));
 * ```
 */
export async function verifyRootUpdate(trusted: Root, next: Envelope, what = rootVersionPath(trusted.version + 1)): Promise<Root> {
  const candidate = decodeDocument('root', envelopePayload(next, what), what);
  const expected = trusted.version + 1;
  if (candidate.version !== expected) {
    const code = candidate.version < expected ? 'ROLLBACK_DETECTED' : 'METADATA_INVALID';
    throw new OutpostError(code, `${what} has root version ${candidate.version}, expected ${expected}`, {
      details: { what, version: candidate.version, expected },
    });
  }
  await verifyEnvelope(next, await importRole(trusted, 'root'), PAYLOAD_TYPES.root, `${what} (by root version ${trusted.version} keys)`);
  return verifiedDocument('root', next, await importRole(candidate, 'root'), `${what} (by its own root keys)`);
}

/**
 * Walks root versions N+1, N+2, … from `trusted` until `fetchRoot` returns undefined
 * (not published), verifying each step; at most {@link MAX_ROOT_ROTATIONS} steps.
 * `fetchRoot` does the I/O (fetch in the browser, files in the CLI) and should cap
 * its read at MAX_ROOT_BYTES.
 *
 * @example
 * ```ts
 * const latest = await updateRoot(shipped, async (path) => {
 *   const response = await fetch(registryUrl(base, path));
 *   return response.status === 404 ? undefined : new Uint8Array(await response.arrayBuffer());
 * });
 * checkExpiry(latest, Date.now(), 'root');
 * ```
 */
export async function updateRoot(
  trusted: Root,
  fetchRoot: (path: string, version: number) => Promise<Uint8Array | undefined>,
): Promise<Root> {
  let root = trusted;
  for (let step = 0; step < MAX_ROOT_ROTATIONS; step++) {
    const path = rootVersionPath(root.version + 1);
    const bytes = await fetchRoot(path, root.version + 1);
    if (bytes === undefined) break;
    root = await verifyRootUpdate(root, parseEnvelopeBytes(bytes, MAX_ROOT_BYTES, path), path);
  }
  return root;
}

/** Options of {@link verifyIndex}. */
export interface VerifyIndexOptions {
  /** Current time, for the expiry check. */
  now: Date | number;
  /** Highest index version this client verified before; lower is a rollback. */
  highestTrustedVersion?: number;
  /** Return an expired index instead of throwing (for a cached copy used offline). @default false */
  allowExpired?: boolean;
}

/**
 * The index in `envelope` once a threshold of the targets keys of `root` signed it.
 * Then `ROLLBACK_DETECTED` when its version is below `highestTrustedVersion`, and
 * `METADATA_EXPIRED` when it is expired (unless `allowExpired`).
 *
 * @example
 * ```ts
 * const index = await verifyIndex(root, parseEnvelopeBytes(bytes, MAX_INDEX_BYTES, 'index.json'), {
 *   now: Date.now(),
 *   highestTrustedVersion: stored?.version,
 * });
 * ```
 */
export async function verifyIndex(root: Root, envelope: Envelope, options: VerifyIndexOptions, what = 'index.json'): Promise<Index> {
  const index = await verifiedDocument('index', envelope, await importRole(root, 'targets'), what);
  const highest = options.highestTrustedVersion;
  if (highest !== undefined && index.version < highest) {
    throw new OutpostError('ROLLBACK_DETECTED', `${what} version ${index.version} is older than trusted version ${highest}`, {
      details: { what, version: index.version, highestTrustedVersion: highest },
    });
  }
  if (options.allowExpired !== true) checkExpiry(index, options.now, what);
  return index;
}

/**
 * The manifest of `name`@`version` from its file bytes: their length and SHA-256 must
 * equal the index's pin (`INTEGRITY_MISMATCH`), a threshold of targets keys must have
 * signed it, and the name and version inside must be the ones asked for
 * (`METADATA_INVALID`). `MODEL_NOT_FOUND` when the index has no such version.
 *
 * @example
 * ```ts
 * const manifest = await verifyManifest(root, index, 'vad', '1.0.0', bytes);
 * ```
 */
export async function verifyManifest(
  root: Root,
  index: Index,
  name: string,
  version: string,
  manifestBytes: Uint8Array,
): Promise<Manifest> {
  const entry = index.models[name]?.versions[version];
  if (entry === undefined) {
    throw new OutpostError('MODEL_NOT_FOUND', `index version ${index.version} has no model ${name}@${version}`, {
      details: { name, version, indexVersion: index.version },
    });
  }
  const pin = entry.manifest;
  const what = `${pin.path} (${name}@${version})`;
  // Length first: it is free, and it bounds what gets hashed.
  if (manifestBytes.length !== pin.length) {
    throw new OutpostError('INTEGRITY_MISMATCH', `${what} is ${manifestBytes.length} bytes, the index pins ${pin.length}`, {
      details: { name, version, path: pin.path, expected: pin.length, actual: manifestBytes.length },
    });
  }
  const digest = await sha256Hex(manifestBytes);
  if (digest !== pin.sha256) {
    throw new OutpostError('INTEGRITY_MISMATCH', `${what} does not match the SHA-256 the index pins`, {
      details: { name, version, path: pin.path, expected: pin.sha256, actual: digest },
    });
  }
  const envelope = parseEnvelopeBytes(manifestBytes, MAX_MANIFEST_BYTES, what);
  const manifest = await verifiedDocument('manifest', envelope, await importRole(root, 'targets'), what);
  if (manifest.name !== name || manifest.version !== version) {
    throw new OutpostError('METADATA_INVALID', `${what} describes ${manifest.name}@${manifest.version}`, {
      details: { name, version, path: pin.path, manifestName: manifest.name, manifestVersion: manifest.version },
    });
  }
  return manifest;
}
