/**
 * Hashing a file on disk chunk by chunk, so publishing or verifying a model of any
 * size needs one chunk of memory, not the whole file. The result is exactly what the
 * in-memory `describeFile` / `verifyFileBytes` (registry/integrity.ts) give for the
 * same bytes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { OutpostError } from '../errors.js';
import type { FileEntry } from '../registry/schema.js';

/**
 * Calls `each` with every `chunkSize` slice of the file at `path`, in order, and returns
 * the file's SHA-256 and length. The slice is reused: `each` must not keep it.
 */
async function walkFile(path: string, chunkSize: number, each: (index: number, chunk: Uint8Array) => void): Promise<{ sha256: string; length: number }> {
  const handle = await open(path, 'r');
  try {
    const whole = createHash('sha256');
    const buffer = new Uint8Array(chunkSize);
    let length = 0;
    for (let index = 0; ; index++) {
      // A read may return less than asked before the end: fill the chunk.
      let filled = 0;
      while (filled < chunkSize) {
        const { bytesRead } = await handle.read(buffer, filled, chunkSize - filled, length + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      if (filled === 0) break;
      const chunk = buffer.subarray(0, filled);
      whole.update(chunk);
      each(index, chunk);
      length += filled;
      if (filled < chunkSize) break;
    }
    return { sha256: whole.digest('hex'), length };
  } finally {
    await handle.close();
  }
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * The manifest entry for the file at `path`, published as `entryPath`: length,
 * SHA-256 and one SHA-256 per `chunkSize` slice, read one chunk at a time.
 *
 * @example
 * ```ts
 * const entry = await describeFileAt('out/big.weights', 'models/big/1.0.0/big.weights', DEFAULT_CHUNK_SIZE);
 * ```
 */
export async function describeFileAt(path: string, entryPath: string, chunkSize: number): Promise<FileEntry> {
  const chunks: string[] = [];
  const { sha256: whole, length } = await walkFile(path, chunkSize, (_, chunk) => chunks.push(sha256(chunk)));
  return { path: entryPath, length, sha256: whole, chunkSize, chunks };
}

/**
 * Checks the file at `path` against its manifest entry one chunk at a time: length,
 * then every chunk, then its SHA-256; `INTEGRITY_MISMATCH` naming the first that differs.
 *
 * @example
 * ```ts
 * await verifyFileAt(manifest.files[1], 'registry/models/big/1.0.0/big.weights');
 * ```
 */
export async function verifyFileAt(file: FileEntry, path: string): Promise<void> {
  const mismatch = (message: string, details: Record<string, unknown>) =>
    new OutpostError('INTEGRITY_MISMATCH', `${file.path}: ${message}`, { details: { path: file.path, ...details } });
  let badChunk: number | undefined;
  const { sha256: whole, length } = await walkFile(path, file.chunkSize, (index, chunk) => {
    if (badChunk === undefined && sha256(chunk) !== file.chunks[index]) badChunk = index;
  });
  if (length !== file.length) throw mismatch(`is ${length} bytes, the manifest says ${file.length}`, { expected: file.length, actual: length });
  if (badChunk !== undefined) {
    throw mismatch(`chunk ${badChunk} does not match its signed SHA-256`, { chunk: badChunk, expected: file.chunks[badChunk] });
  }
  if (whole !== file.sha256) throw mismatch('does not match its signed SHA-256', { expected: file.sha256, actual: whole });
}

/** Copies `from` to `to` through a temporary file and a rename (as `writeAtomic` does for bytes). */
export async function copyAtomic(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  const temp = `${to}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await copyFile(from, temp);
    await rename(temp, to);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
