/**
 * Ed25519 keys through WebCrypto. A key's id is the hex SHA-256 of its raw 32-byte
 * public key, and every import checks that binding: otherwise one key listed under
 * two ids would count twice towards a threshold.
 */
import { OutpostError } from '../errors.js';
import { base64ToBytes, bytesToBase64, sha256Hex } from './encoding.js';
import type { PrivateKeyFile, PublicKeyFile, Role, RoleName, Root } from './schema.js';

const ED25519 = { name: 'Ed25519' } as const;

/** A private key ready to sign, with the id signatures will carry. */
export interface SigningKey {
  keyid: string;
  privateKey: CryptoKey;
}

/** The keys one role of a root trusts, imported, and how many must sign. */
export interface TrustedRole {
  role: RoleName;
  threshold: number;
  keys: ReadonlyMap<string, CryptoKey>;
}

/**
 * The key id of a raw Ed25519 public key: hex SHA-256 of its 32 bytes.
 *
 * @example
 * ```ts
 * const keyid = await keyidOf(base64ToBytes(file.public));
 * ```
 */
export function keyidOf(rawPublicKey: Uint8Array): Promise<string> {
  return sha256Hex(rawPublicKey);
}

/**
 * A fresh Ed25519 key pair as the two key files the CLI writes.
 *
 * @example
 * ```ts
 * const { publicFile, privateFile } = await generateKeyFiles();
 * ```
 */
export async function generateKeyFiles(): Promise<{ publicFile: PublicKeyFile; privateFile: PrivateKeyFile }> {
  const pair = (await crypto.subtle.generateKey(ED25519, true, ['sign', 'verify'])) as CryptoKeyPair;
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
  const publicFile: PublicKeyFile = { keytype: 'ed25519', keyid: await keyidOf(raw), public: bytesToBase64(raw) };
  return { publicFile, privateFile: { ...publicFile, private: bytesToBase64(pkcs8) } };
}

/** The public half of a private key file. */
export function publicKeyFileOf(file: PrivateKeyFile): PublicKeyFile {
  return { keytype: file.keytype, keyid: file.keyid, public: file.public };
}

function badKey(message: string, keyid: string, cause?: unknown): OutpostError {
  return new OutpostError('METADATA_INVALID', message, { cause, details: { keyid } });
}

/**
 * A verification key from its base64 raw bytes, after checking that `keyid` is
 * their SHA-256; `METADATA_INVALID` otherwise.
 *
 * @example
 * ```ts
 * const key = await importPublicKey(root.keys[keyid].public, keyid);
 * ```
 */
export async function importPublicKey(publicBase64: string, keyid: string): Promise<CryptoKey> {
  const raw = base64ToBytes(publicBase64);
  if ((await keyidOf(raw)) !== keyid) throw badKey(`key ${keyid} is not the SHA-256 of its public key`, keyid);
  try {
    return await crypto.subtle.importKey('raw', raw, ED25519, false, ['verify']);
  } catch (cause) {
    throw badKey(`key ${keyid} is not an Ed25519 public key`, keyid, cause);
  }
}

/**
 * A signing key from a private key file, after checking that the private key is
 * the public key's partner and the key id its hash; `METADATA_INVALID` otherwise.
 *
 * @example
 * ```ts
 * const signer = await importSigningKey(privateKeyFileSchema.parse(json));
 * ```
 */
export async function importSigningKey(file: PrivateKeyFile): Promise<SigningKey> {
  await importPublicKey(file.public, file.keyid);
  let privateKey: CryptoKey;
  let derivedPublic: string | undefined;
  try {
    const extractable = await crypto.subtle.importKey('pkcs8', base64ToBytes(file.private), ED25519, true, ['sign']);
    derivedPublic = (await crypto.subtle.exportKey('jwk', extractable)).x;
    privateKey = await crypto.subtle.importKey('pkcs8', base64ToBytes(file.private), ED25519, false, ['sign']);
  } catch (cause) {
    throw badKey(`private key ${file.keyid} is not an Ed25519 PKCS#8 key`, file.keyid, cause);
  }
  if (derivedPublic !== base64Url(file.public)) {
    throw badKey(`private key ${file.keyid} does not match its public key`, file.keyid);
  }
  return { keyid: file.keyid, privateKey };
}

function base64Url(base64: string): string {
  return base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The imported keys of one role of `root`, with its threshold.
 *
 * @example
 * ```ts
 * const targets = await importRole(root, 'targets');
 * ```
 */
export async function importRole(root: Root, role: RoleName): Promise<TrustedRole> {
  const spec: Role | undefined = root.roles[role];
  if (spec === undefined) {
    throw new OutpostError('METADATA_INVALID', `root version ${root.version} has no ${role} role`, { details: { role, rootVersion: root.version } });
  }
  const keys = new Map<string, CryptoKey>();
  for (const keyid of spec.keyids) {
    const entry = root.keys[keyid];
    // The root schema already guarantees every role key is listed; this keeps the types honest.
    if (entry === undefined) throw badKey(`root version ${root.version} role ${role} names unknown key ${keyid}`, keyid);
    keys.set(keyid, await importPublicKey(entry.public, keyid));
  }
  return { role, threshold: spec.threshold, keys };
}
