/** File-system helpers: capped reads and atomic writes. */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { OutpostError } from '../errors.js';

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown }).code === 'ENOENT';
}

/**
 * The bytes of `path`, or undefined when it does not exist. Reads at most `maxBytes`:
 * a larger file is `METADATA_INVALID` (the same endless-data defence a client has).
 */
export async function readCapped(path: string, maxBytes: number, what = path): Promise<Uint8Array | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) {
      throw new OutpostError('METADATA_INVALID', `${what} is ${size} bytes, over the ${maxBytes}-byte limit`, {
        details: { what, bytes: size, maxBytes },
      });
    }
    const buffer = new Uint8Array(size);
    const { bytesRead } = await handle.read(buffer, 0, size, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The whole file, or undefined when it does not exist. */
export async function readOptional(path: string): Promise<Uint8Array | undefined> {
  return readCapped(path, Number.MAX_SAFE_INTEGER);
}

/**
 * Writes `data` to `path` through a temporary file and a rename, so readers (and a
 * crash) see the old file or the new one, never half of one. Creates parent folders.
 */
export async function writeAtomic(path: string, data: Uint8Array | string, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, data, { mode, flag: 'wx' });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
