/** Keys and signed documents for registry tests, built fresh per test file (Ed25519 is fast). */
import {
  generateKeyFiles,
  importSigningKey,
  PAYLOAD_TYPES,
  signEnvelope,
  utf8,
  type Envelope,
  type Index,
  type Manifest,
  type PrivateKeyFile,
  type Root,
  type SigningKey,
} from '../../../src/registry/index.js';

export interface TestKey {
  file: PrivateKeyFile;
  signer: SigningKey;
}

export async function makeKeys(count: number): Promise<TestKey[]> {
  const keys: TestKey[] = [];
  for (let i = 0; i < count; i++) {
    const { privateFile } = await generateKeyFiles();
    keys.push({ file: privateFile, signer: await importSigningKey(privateFile) });
  }
  return keys;
}

export const FUTURE = '2099-01-01T00:00:00.000Z';
export const PAST = '2000-01-01T00:00:00.000Z';

export function rootPayload(version: number, rootKeys: TestKey[], targetKeys: TestKey[], threshold = 1): Root {
  const keys: Root['keys'] = {};
  for (const key of [...rootKeys, ...targetKeys]) keys[key.file.keyid] = { keytype: 'ed25519', public: key.file.public };
  return {
    _type: 'root',
    spec: 1,
    version,
    expires: FUTURE,
    keys,
    roles: {
      root: { keyids: rootKeys.map((k) => k.file.keyid), threshold },
      targets: { keyids: targetKeys.map((k) => k.file.keyid), threshold: Math.min(threshold, targetKeys.length) },
    },
  };
}

export function sign(kind: keyof typeof PAYLOAD_TYPES, payload: unknown, signers: TestKey[]): Promise<Envelope> {
  return signEnvelope(utf8(JSON.stringify(payload)), PAYLOAD_TYPES[kind], signers.map((k) => k.signer));
}

export function envelopeBytes(envelope: Envelope): Uint8Array {
  return utf8(JSON.stringify(envelope, null, 2));
}

export function indexPayload(version: number, models: Index['models'] = {}, expires = FUTURE): Index {
  return { _type: 'index', spec: 1, version, expires, models };
}

export function manifestPayload(name: string, version: string, overrides: Partial<Manifest> = {}): Manifest {
  const file = `models/${name}/${version}/model.onnx`;
  return {
    _type: 'manifest',
    spec: 1,
    name,
    version,
    createdAt: '2024-01-01T00:00:00.000Z',
    files: [{ path: file, length: 0, sha256: '0'.repeat(64), chunkSize: 1024, chunks: [] }],
    model: { file, inputs: [{ name: 'x', type: 'float32', dims: [1, 'n'] }], outputs: [] },
    ...overrides,
  };
}

/** Runs `promise` and returns the error it rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<{ code?: string; details?: Record<string, unknown>; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; details?: Record<string, unknown>; message: string };
  }
  throw new Error('expected a rejection');
}

/** Same for a synchronous call. */
export function thrown(fn: () => unknown): { code?: string; details?: Record<string, unknown>; message: string } {
  try {
    fn();
  } catch (error) {
    return error as { code?: string; details?: Record<string, unknown>; message: string };
  }
  throw new Error('expected a throw');
}
