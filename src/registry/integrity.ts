/**
 * File and chunk hashes: how the CLI describes a file in a manifest, and how a
 * client checks bytes against that description while it downloads or reads a cache.
 */
import { OutpostError } from '../errors.js';
import { sha256Hex } from './encoding.js';
import type { FileEntry } from './schema.js';

/**
 * Byte range `[start, end)` of chunk `chunk` of `file`, e.g. for an HTTP Range request
 * (`bytes=${start}-${end - 1}`).
 *
 * @example
 * ```ts
 * for (let i = 0; i < file.chunks.length; i++) {
 *   const { start, end } = chunkRange(file, i);
 * }
 * ```
 */
export function chunkRange(file: Pick<FileEntry, 'length' | 'chunkSize'>, chunk: number): { start: number; end: number } {
  const start = chunk * file.chunkSize;
  if (!Number.isInteger(chunk) || chunk < 0 || start >= file.length) {
    throw new RangeError(`chunk ${chunk} is outside a ${file.length}-byte file`);
  }
  return { start, end: Math.min(start + file.chunkSize, file.length) };
}

/**
 * The manifest entry for `bytes` stored at `path`: length, SHA-256 and one SHA-256
 * per `chunkSize` slice.
 *
 * @example
 * ```ts
 * const entry = await describeFile('models/vad/1.0.0/model.onnx', bytes, DEFAULT_CHUNK_SIZE);
 * ```
 */
export async function describeFile(path: string, bytes: Uint8Array, chunkSize: number): Promise<FileEntry> {
  const chunks: string[] = [];
  for (let start = 0; start < bytes.length; start += chunkSize) {
    chunks.push(await sha256Hex(bytes.subarray(start, start + chunkSize)));
  }
  return { path, length: bytes.length, sha256: await sha256Hex(bytes), chunkSize, chunks };
}

function mismatch(file: FileEntry, message: string, details: Record<string, unknown>): OutpostError {
  return new OutpostError('INTEGRITY_MISMATCH', `${file.path}: ${message}`, { details: { path: file.path, ...details } });
}

/**
 * Checks that `bytes` are chunk `chunk` of `file` (length and SHA-256);
 * `INTEGRITY_MISMATCH` (details `{ path, chunk, expected, actual }`) otherwise.
 *
 * @example
 * ```ts
 * await verifyChunk(file, i, received); // before writing it to the cache
 * ```
 */
export async function verifyChunk(file: FileEntry, chunk: number, bytes: Uint8Array): Promise<void> {
  // A cached chunk of an older layout (a file now with fewer chunks) is a mismatch to
  // drop and refetch, not a RangeError that blocks the version.
  if (!Number.isInteger(chunk) || chunk < 0 || chunk >= file.chunks.length || chunk * file.chunkSize >= file.length) {
    throw mismatch(file, `chunk ${chunk} lies outside the file's ${file.chunks.length} chunk(s)`, { chunk, expected: file.chunks.length });
  }
  const { start, end } = chunkRange(file, chunk);
  if (bytes.length !== end - start) {
    throw mismatch(file, `chunk ${chunk} is ${bytes.length} bytes, expected ${end - start}`, {
      chunk,
      expected: end - start,
      actual: bytes.length,
    });
  }
  const digest = await sha256Hex(bytes);
  const expected = file.chunks[chunk];
  if (digest !== expected) {
    throw mismatch(file, `chunk ${chunk} does not match its signed SHA-256`, { chunk, expected, actual: digest });
  }
}

/**
 * Checks a whole file: its length, every chunk, then its SHA-256;
 * `INTEGRITY_MISMATCH` naming the first thing that differs.
 *
 * @example
 * ```ts
 * await verifyFileBytes(manifest.files[0], bytes);
 * ```
 */
export async function verifyFileBytes(file: FileEntry, bytes: Uint8Array): Promise<void> {
  if (bytes.length !== file.length) {
    throw mismatch(file, `is ${bytes.length} bytes, the manifest says ${file.length}`, {
      expected: file.length,
      actual: bytes.length,
    });
  }
  for (let chunk = 0; chunk < file.chunks.length; chunk++) {
    const { start, end } = chunkRange(file, chunk);
    await verifyChunk(file, chunk, bytes.subarray(start, end));
  }
  const digest = await sha256Hex(bytes);
  if (digest !== file.sha256) {
    throw mismatch(file, 'does not match its signed SHA-256', { expected: file.sha256, actual: digest });
  }
}
