/**
 * Bytes → validated values. Every failure is `METADATA_INVALID` naming what was
 * being read, with zod's issues as data.
 */
import type { z } from 'zod';
import { OutpostError } from '../errors.js';
import { fromUtf8, utf8 } from './encoding.js';
import { envelopeSchema, type Envelope } from './schema.js';

/** Issues as plain, clonable data (zod's own objects carry more than details should). */
function issueSummary(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.slice(0, 20).map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

/**
 * `value` checked against `schema`; `METADATA_INVALID` naming `what` otherwise.
 *
 * @example
 * ```ts
 * const index = parseWith(indexSchema, JSON.parse(text), 'index.json');
 * ```
 */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = issueSummary(result.error);
  const first = issues[0];
  const where = first === undefined ? '' : `: ${first.path === '' ? '' : `${first.path}: `}${first.message}`;
  throw new OutpostError('METADATA_INVALID', `${what} fails its schema${where}`, {
    cause: result.error,
    details: { what, issues },
  });
}

/**
 * JSON value of UTF-8 `bytes`, refusing more than `maxBytes` (endless-data defence).
 *
 * @example
 * ```ts
 * const value = parseJsonBytes(bytes, MAX_INDEX_BYTES, 'index.json');
 * ```
 */
export function parseJsonBytes(bytes: Uint8Array, maxBytes: number, what: string): unknown {
  if (bytes.length > maxBytes) {
    throw new OutpostError('METADATA_INVALID', `${what} is ${bytes.length} bytes, over the ${maxBytes}-byte limit`, {
      details: { what, bytes: bytes.length, maxBytes },
    });
  }
  try {
    return JSON.parse(fromUtf8(bytes));
  } catch (cause) {
    throw new OutpostError('METADATA_INVALID', `${what} is not valid UTF-8 JSON`, { cause, details: { what } });
  }
}

/**
 * The DSSE envelope in `bytes`: `METADATA_INVALID` when oversized, not JSON, or not
 * an envelope. Signatures are not checked here.
 *
 * @example
 * ```ts
 * const envelope = parseEnvelopeBytes(await response.bytes(), MAX_INDEX_BYTES, 'index.json');
 * ```
 */
export function parseEnvelopeBytes(bytes: Uint8Array, maxBytes: number, what: string): Envelope {
  return parseWith(envelopeSchema, parseJsonBytes(bytes, maxBytes, what), what);
}

/**
 * An envelope given as bytes, JSON text or an already-parsed object (as an app may
 * ship its trusted root), capped at `maxBytes` when it arrives as bytes or text.
 */
export function parseEnvelope(input: unknown, maxBytes: number, what: string): Envelope {
  if (input instanceof Uint8Array) return parseEnvelopeBytes(input, maxBytes, what);
  if (typeof input === 'string') return parseEnvelopeBytes(utf8(input), maxBytes, what);
  return parseWith(envelopeSchema, input, what);
}
