/** Loading key files (validated) and checking that signing keys belong to a role. */
import { OutpostError } from '../errors.js';
import { importPublicKey, importSigningKey, type SigningKey } from '../registry/keys.js';
import { MAX_KEY_FILE_BYTES } from '../registry/layout.js';
import { parseJsonBytes, parseWith } from '../registry/parse.js';
import {
  privateKeyFileSchema,
  publicKeyFileSchema,
  type PrivateKeyFile,
  type PublicKeyFile,
  type RoleName,
  type Root,
} from '../registry/schema.js';
import { CliError } from './args.js';
import { readCapped } from './files.js';

/** A private key loaded from `path`, ready to sign. */
export interface LoadedKey {
  path: string;
  file: PrivateKeyFile;
  signer: SigningKey;
}

async function readKeyJson(path: string): Promise<unknown> {
  const bytes = await readCapped(path, MAX_KEY_FILE_BYTES, `key file ${path}`);
  if (bytes === undefined) throw new CliError('ENOENT', `key file ${path} does not exist`);
  return parseJsonBytes(bytes, MAX_KEY_FILE_BYTES, `key file ${path}`);
}

/** Private key files, each checked (schema, key id, key pair), duplicates dropped. */
export async function loadPrivateKeys(paths: readonly string[]): Promise<LoadedKey[]> {
  const keys = new Map<string, LoadedKey>();
  for (const path of paths) {
    const file = parseWith(privateKeyFileSchema, await readKeyJson(path), `private key file ${path}`);
    if (!keys.has(file.keyid)) keys.set(file.keyid, { path, file, signer: await importSigningKey(file) });
  }
  return [...keys.values()];
}

/** Public key files (a private key file also works: its public half is used), duplicates dropped. */
export async function loadPublicKeys(paths: readonly string[]): Promise<PublicKeyFile[]> {
  const keys = new Map<string, PublicKeyFile>();
  for (const path of paths) {
    const file = parseWith(publicKeyFileSchema, await readKeyJson(path), `public key file ${path}`);
    await importPublicKey(file.public, file.keyid);
    keys.set(file.keyid, { keytype: file.keytype, keyid: file.keyid, public: file.public });
  }
  return [...keys.values()];
}

/**
 * The signers for `role` of `root`: every key must be one of the role's keys, and
 * together they must reach its threshold (`SIGNATURE_INVALID` otherwise), so the CLI
 * never writes metadata that clients would refuse.
 */
export function roleSigners(root: Root, role: RoleName, keys: readonly LoadedKey[]): SigningKey[] {
  const spec = root.roles[role];
  if (spec === undefined) {
    throw new OutpostError('SIGNATURE_INVALID', `root version ${root.version} has no ${role} role`, { details: { role } });
  }
  const { keyids, threshold } = spec;
  for (const key of keys) {
    if (!keyids.includes(key.file.keyid)) {
      throw new OutpostError('SIGNATURE_INVALID', `key ${key.path} (${key.file.keyid.slice(0, 12)}…) is not a ${role} key of root version ${root.version}`, {
        details: { role, keyid: key.file.keyid, path: key.path },
      });
    }
  }
  if (keys.length < threshold) {
    throw new OutpostError('SIGNATURE_INVALID', `${keys.length} ${role} key(s) given, root version ${root.version} needs ${threshold}`, {
      details: { role, valid: keys.length, threshold },
    });
  }
  return keys.map((key) => key.signer);
}
