/**
 * Raw request bytes to a decoded object: gunzip with an output cap (a gzip bomb ends
 * at the cap, not in an out-of-memory), then JSON (strict UTF-8) or OTLP protobuf.
 */
import { gunzipSync } from 'node:zlib';
import { CollectorError } from '../errors.js';
import { decodeProtobuf, type Signal } from './protobuf.js';

/** The two OTLP/HTTP encodings. */
export type Encoding = 'json' | 'protobuf';

/** JSON nesting deeper than this is refused before any schema walks it. */
export const MAX_JSON_DEPTH = 32;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The encoding a Content-Type names, or undefined for any other type. */
export function encodingOf(contentType: string | undefined): Encoding | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') return 'json';
  if (type === 'application/x-protobuf') return 'protobuf';
  return undefined;
}

/** Gunzips `body` when `contentEncoding` says gzip, never past `limit` bytes. */
export function decompress(body: Buffer, contentEncoding: string | undefined, limit: number): Buffer {
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return body;
  if (encoding !== 'gzip') throw new CollectorError('unsupported_media_type', `Content-Encoding '${encoding}' is not supported (gzip or identity)`);
  try {
    return gunzipSync(body, { maxOutputLength: limit });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new CollectorError('too_large', `body over ${limit} bytes after gunzip`);
    }
    throw new CollectorError('bad_encoding', `body is not valid gzip: ${(error as Error).message}`);
  }
}

/** Nesting depth of JSON text, counted without parsing (so no recursion can overflow). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) deepest = Math.max(deepest, ++depth);
    else if (c === 125 || c === 93) depth--;
  }
  return deepest;
}

/**
 * The request object a body holds, before schema validation.
 *
 * @example
 * ```ts
 * decodeBody(signal, 'json', Buffer.from('{"resourceMetrics":[]}'), undefined, 4 << 20); // { resourceMetrics: [] }
 * ```
 */
export function decodeBody(signal: Signal, encoding: Encoding, raw: Buffer, contentEncoding: string | undefined, limit: number): unknown {
  const body = decompress(raw, contentEncoding, limit);
  if (encoding === 'protobuf') return decodeProtobuf(signal, body);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new CollectorError('malformed', 'body is not valid UTF-8');
  }
  if (jsonDepth(text) > MAX_JSON_DEPTH) throw new CollectorError('malformed', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CollectorError('malformed', `body is not JSON: ${(error as Error).message}`);
  }
}
