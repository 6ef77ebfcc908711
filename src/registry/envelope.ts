/**
 * DSSE envelopes: signatures cover the exact payload bytes (through PAE), never a
 * re-serialisation of parsed JSON, so what is verified is exactly what is parsed.
 * https://github.com/secure-systems-lab/dsse/blob/master/protocol.md
 */
import { OutpostError } from '../errors.js';
import { base64ToBytes, bufferSource, bytesToBase64, concatBytes, utf8 } from './encoding.js';
import type { SigningKey, TrustedRole } from './keys.js';
import type { Envelope } from './schema.js';

const ED25519 = { name: 'Ed25519' } as const;
const ED25519_SIGNATURE_BYTES = 64;

/**
 * DSSE pre-authentication encoding: `DSSEv1 <len(type)> <type> <len(body)> <body>`,
 * lengths in bytes as ASCII decimals. Binding the type means an index signature can
 * never pass as a manifest's.
 */
export function pae(payloadType: string, payload: Uint8Array): Uint8Array<ArrayBuffer> {
  const type = utf8(payloadType);
  return concatBytes(utf8(`DSSEv1 ${type.length} `), type, utf8(` ${payload.length} `), payload);
}

/**
 * An envelope over `payload` signed by each of `signers` (once per distinct key id).
 *
 * @example
 * ```ts
 * const envelope = await signEnvelope(utf8(JSON.stringify(index)), PAYLOAD_TYPES.index, signers);
 * ```
 */
export async function signEnvelope(payload: Uint8Array, payloadType: string, signers: readonly SigningKey[]): Promise<Envelope> {
  const message = pae(payloadType, payload);
  const signatures: Envelope['signatures'] = [];
  const seen = new Set<string>();
  for (const signer of signers) {
    if (seen.has(signer.keyid)) continue;
    seen.add(signer.keyid);
    const sig = new Uint8Array(await crypto.subtle.sign(ED25519, signer.privateKey, message));
    signatures.push({ keyid: signer.keyid, sig: bytesToBase64(sig) });
  }
  return { payloadType, payload: bytesToBase64(payload), signatures };
}

/** The payload bytes of `envelope`; `METADATA_INVALID` when they are not base64. */
export function envelopePayload(envelope: Envelope, what: string): Uint8Array<ArrayBuffer> {
  try {
    return base64ToBytes(envelope.payload);
  } catch (cause) {
    throw new OutpostError('METADATA_INVALID', `${what} payload is not base64`, { cause, details: { what } });
  }
}

/**
 * The distinct key ids of `trusted` whose signature in `envelope` verifies. Signatures
 * by keys outside the role, malformed ones and repeats are ignored, not fatal: they
 * simply do not count.
 */
export async function validSignerIds(envelope: Envelope, payload: Uint8Array, trusted: TrustedRole): Promise<Set<string>> {
  const message = pae(envelope.payloadType, payload);
  const valid = new Set<string>();
  for (const { keyid, sig } of envelope.signatures) {
    const key = trusted.keys.get(keyid);
    if (key === undefined || valid.has(keyid)) continue;
    let signature: Uint8Array;
    try {
      signature = base64ToBytes(sig);
    } catch {
      continue;
    }
    if (signature.length !== ED25519_SIGNATURE_BYTES) continue;
    try {
      if (await crypto.subtle.verify(ED25519, key, bufferSource(signature), message)) valid.add(keyid);
    } catch {
      // A signature WebCrypto refuses to even check is as good as none.
    }
  }
  return valid;
}

/**
 * The payload bytes of `envelope` once a threshold of `trusted`'s keys signed them.
 * `METADATA_INVALID` when the payload type is not `payloadType`; `SIGNATURE_INVALID`
 * (details `{ role, valid, threshold }`) when too few valid signatures.
 *
 * @example
 * ```ts
 * const bytes = await verifyEnvelope(envelope, await importRole(root, 'targets'), PAYLOAD_TYPES.index, 'index.json');
 * const index = JSON.parse(fromUtf8(bytes));
 * ```
 */
export async function verifyEnvelope(
  envelope: Envelope,
  trusted: TrustedRole,
  payloadType: string,
  what: string,
): Promise<Uint8Array<ArrayBuffer>> {
  if (envelope.payloadType !== payloadType) {
    throw new OutpostError('METADATA_INVALID', `${what} has payload type '${envelope.payloadType}', expected '${payloadType}'`, {
      details: { what, payloadType: envelope.payloadType, expected: payloadType },
    });
  }
  const payload = envelopePayload(envelope, what);
  const valid = (await validSignerIds(envelope, payload, trusted)).size;
  if (valid < trusted.threshold) {
    throw new OutpostError(
      'SIGNATURE_INVALID',
      `${what} has ${valid} valid ${trusted.role} signature(s), needs ${trusted.threshold}`,
      { details: { what, role: trusted.role, valid, threshold: trusted.threshold } },
    );
  }
  return payload;
}
