import { describe, expect, it } from 'vitest';
import { base64ToBytes, sha256Hex } from '../../../src/registry/encoding.js';
import { generateKeyFiles, importPublicKey, importSigningKey, publicKeyFileOf } from '../../../src/registry/keys.js';
import { privateKeyFileSchema, publicKeyFileSchema } from '../../../src/registry/schema.js';

describe('keys', () => {
  it('generates key files whose key id is the SHA-256 of the raw public key', async () => {
    const { publicFile, privateFile } = await generateKeyFiles();
    expect(publicKeyFileSchema.parse(publicFile)).toEqual(publicFile);
    expect(privateKeyFileSchema.parse(privateFile)).toEqual(privateFile);
    expect(base64ToBytes(publicFile.public)).toHaveLength(32);
    expect(publicFile.keyid).toBe(await sha256Hex(base64ToBytes(publicFile.public)));
    expect(publicKeyFileOf(privateFile)).toEqual(publicFile);
    expect((await importSigningKey(privateFile)).keyid).toBe(publicFile.keyid);
  });

  it('refuses a key listed under an id that is not its hash', async () => {
    const { publicFile } = await generateKeyFiles();
    await expect(importPublicKey(publicFile.public, 'a'.repeat(64))).rejects.toMatchObject({ code: 'METADATA_INVALID' });
  });

  it('refuses a private key that is not the partner of its public key', async () => {
    const a = await generateKeyFiles();
    const b = await generateKeyFiles();
    await expect(importSigningKey({ ...a.privateFile, private: b.privateFile.private })).rejects.toMatchObject({
      code: 'METADATA_INVALID',
    });
  });
});
