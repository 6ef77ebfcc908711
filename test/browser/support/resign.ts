// Forges metadata the way an attacker (or a careless operator) would: edit a signed
// document's payload and sign it again with keys of our choosing.
import { readFile } from 'node:fs/promises';
import { fromUtf8, utf8 } from '../../../src/registry/encoding.js';
import { envelopePayload, signEnvelope } from '../../../src/registry/envelope.js';
import { importSigningKey, type SigningKey } from '../../../src/registry/keys.js';
import { privateKeyFileSchema } from '../../../src/registry/schema.js';
import { parseEnvelopeBytes } from '../../../src/registry/parse.js';

export async function signer(path: string): Promise<SigningKey> {
  return importSigningKey(privateKeyFileSchema.parse(JSON.parse(await readFile(path, 'utf8'))));
}

/** `envelopeBytes` with its payload edited by `edit` and signed by `signers`. */
export async function resign(
  envelopeBytes: Uint8Array,
  edit: (payload: any) => void,
  signers: SigningKey[],
): Promise<Uint8Array> {
  const envelope = parseEnvelopeBytes(envelopeBytes, 64 * 1024 * 1024, 'fixture');
  const payload = JSON.parse(fromUtf8(envelopePayload(envelope, 'fixture')));
  edit(payload);
  const next = await signEnvelope(utf8(JSON.stringify(payload)), envelope.payloadType, signers);
  return utf8(JSON.stringify(next));
}
