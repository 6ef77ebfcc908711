/**
 * Byte helpers shared by the browser and Node: only the platform (WebCrypto,
 * TextEncoder, atob/btoa), never Buffer, so the same code verifies in both.
 */

const encoder = new TextEncoder();
// fatal: a payload that is not valid UTF-8 must fail, not turn into U+FFFD and parse anyway.
const decoder = new TextDecoder('utf-8', { fatal: true });

// Canonical, padded, standard-alphabet base64 only: atob alone would also accept
// whitespace and missing padding, which would let one payload have many spellings.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}

/** Text of UTF-8 `bytes`; throws a TypeError on invalid UTF-8. */
export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** True when `text` is padded, standard-alphabet base64. */
export function isBase64(text: string): boolean {
  return BASE64.test(text);
}

/**
 * Standard, padded base64 of `bytes`.
 *
 * @example
 * ```ts
 * bytesToBase64(utf8('hi')); // 'aGk='
 * ```
 */
export function bytesToBase64(bytes: Uint8Array): string {
  // String.fromCharCode takes its arguments on the stack: feed it bounded slices.
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/**
 * Bytes of standard, padded base64 `text`.
 *
 * @throws TypeError when `text` is not canonical base64.
 * @example
 * ```ts
 * base64ToBytes('aGk='); // Uint8Array [104, 105]
 * ```
 */
export function base64ToBytes(text: string): Uint8Array<ArrayBuffer> {
  if (!BASE64.test(text)) throw new TypeError('not base64');
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Lower-case hex of `bytes`. */
export function bytesToHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/**
 * WebCrypto wants an ArrayBuffer-backed view; a view on a SharedArrayBuffer is copied.
 */
export function bufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

/** Raw SHA-256 digest of `bytes` (WebCrypto). */
export async function sha256(bytes: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bufferSource(bytes)));
}

/**
 * Lower-case hex SHA-256 of `bytes` (WebCrypto).
 *
 * @example
 * ```ts
 * await sha256Hex(utf8('')); // 'e3b0c442...b855'
 * ```
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return bytesToHex(await sha256(bytes));
}

/** True when `a` and `b` hold the same bytes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** One array holding `parts` back to back. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
