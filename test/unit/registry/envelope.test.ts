import { beforeAll, describe, expect, it } from 'vitest';
import { fromUtf8, utf8 } from '../../../src/registry/encoding.js';
import { pae, signEnvelope, verifyEnvelope } from '../../../src/registry/envelope.js';
import type { TrustedRole } from '../../../src/registry/keys.js';
import { importPublicKey } from '../../../src/registry/keys.js';
import { makeKeys, type TestKey } from './fixtures.js';

const TYPE = 'application/vnd.outpost.index+json';
const payload = utf8('{"hello":"world"}');

async function role(keys: TestKey[], threshold: number): Promise<TrustedRole> {
  const map = new Map<string, CryptoKey>();
  for (const key of keys) map.set(key.file.keyid, await importPublicKey(key.file.public, key.file.keyid));
  return { role: 'targets', threshold, keys: map };
}

describe('DSSE envelope', () => {
  let keys: TestKey[];
  beforeAll(async () => {
    keys = await makeKeys(4);
  });

  it('encodes PAE as in the DSSE spec', () => {
    expect(fromUtf8(pae('http://example.com/HelloWorld', utf8('hello world')))).toBe(
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
  });

  it('returns the exact payload bytes once the threshold signed them', async () => {
    const envelope = await signEnvelope(payload, TYPE, [keys[0]!.signer, keys[1]!.signer]);
    const bytes = await verifyEnvelope(envelope, await role(keys.slice(0, 3), 2), TYPE, 'index.json');
    expect(bytes).toEqual(payload);
  });

  it('fails a 2-of-3 threshold with one valid signature', async () => {
    const envelope = await signEnvelope(payload, TYPE, [keys[0]!.signer]);
    await expect(verifyEnvelope(envelope, await role(keys.slice(0, 3), 2), TYPE, 'index.json')).rejects.toMatchObject({
      code: 'SIGNATURE_INVALID',
      details: { role: 'targets', valid: 1, threshold: 2 },
    });
  });

  it('counts one key once however often it signs', async () => {
    const envelope = await signEnvelope(payload, TYPE, [keys[0]!.signer]);
    envelope.signatures.push({ ...envelope.signatures[0]! }, { ...envelope.signatures[0]! });
    await expect(verifyEnvelope(envelope, await role(keys.slice(0, 3), 2), TYPE, 'index.json')).rejects.toMatchObject({
      code: 'SIGNATURE_INVALID',
      details: { valid: 1 },
    });
  });

  it('ignores signatures by keys outside the role', async () => {
    const envelope = await signEnvelope(payload, TYPE, [keys[3]!.signer]);
    await expect(verifyEnvelope(envelope, await role(keys.slice(0, 3), 1), TYPE, 'index.json')).rejects.toMatchObject({
      code: 'SIGNATURE_INVALID',
      details: { valid: 0, threshold: 1 },
    });
  });

  it('ignores a signature claimed under another trusted key id', async () => {
    const envelope = await signEnvelope(payload, TYPE, [keys[3]!.signer]);
    envelope.signatures[0]!.keyid = keys[0]!.file.keyid;
    await expect(verifyEnvelope(envelope, await role(keys.slice(0, 3), 1), TYPE, 'x')).rejects.toMatchObject({
      code: 'SIGNATURE_INVALID',
    });
  });

  it('rejects a tampered payload', async () => {
    const envelope = await signEnvelope(payload, TYPE, [keys[0]!.signer]);
    envelope.payload = btoa('{"hello":"w0rld"}');
    await expect(verifyEnvelope(envelope, await role(keys, 1), TYPE, 'x')).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it('rejects malformed and truncated signatures as not valid', async () => {
    const envelope = await signEnvelope(payload, TYPE, [keys[0]!.signer, keys[1]!.signer]);
    envelope.signatures[0]!.sig = 'not base64!';
    envelope.signatures[1]!.sig = envelope.signatures[1]!.sig.slice(0, 40);
    await expect(verifyEnvelope(envelope, await role(keys, 1), TYPE, 'x')).rejects.toMatchObject({
      code: 'SIGNATURE_INVALID',
      details: { valid: 0 },
    });
  });

  it('binds the payload type: a signature for one type does not pass for another', async () => {
    const envelope = await signEnvelope(payload, TYPE, [keys[0]!.signer]);
    const other = 'application/vnd.outpost.manifest+json';
    await expect(verifyEnvelope(envelope, await role(keys, 1), other, 'x')).rejects.toMatchObject({ code: 'METADATA_INVALID' });
    await expect(verifyEnvelope({ ...envelope, payloadType: other }, await role(keys, 1), other, 'x')).rejects.toMatchObject({
      code: 'SIGNATURE_INVALID',
    });
  });
});
