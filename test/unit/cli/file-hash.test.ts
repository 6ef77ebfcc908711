import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFileAt, verifyFileAt } from '../../../src/cli/file-hash.js';
import { isOutpostError } from '../../../src/errors.js';
import { describeFile } from '../../../src/registry/integrity.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'file-hash-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Bytes that differ in every chunk, so a misplaced chunk changes a hash. */
function pattern(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff;
  return bytes;
}

async function fileOf(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

describe('streamed file hashing', () => {
  // Exact multiple, a short last chunk, one partial chunk, and an empty file.
  for (const [length, chunkSize] of [[4096, 1024], [5000, 1024], [300, 1024], [0, 1024]] as const) {
    it(`describes a ${length}-byte file in ${chunkSize}-byte chunks exactly as the whole-file hash does`, async () => {
      const bytes = pattern(length);
      const path = await fileOf(`f-${length}`, bytes);
      const streamed = await describeFileAt(path, 'models/m/1.0.0/m.weights', chunkSize);
      expect(streamed).toEqual(await describeFile('models/m/1.0.0/m.weights', bytes, chunkSize));
      await expect(verifyFileAt(streamed, path)).resolves.toBeUndefined();
    });
  }

  it('refuses a changed byte, naming its chunk, and a changed length', async () => {
    const bytes = pattern(5000);
    const entry = await describeFile('m.weights', bytes, 1024);
    const flipped = bytes.slice();
    flipped[3000]! ^= 1;
    const error = await verifyFileAt(entry, await fileOf('flipped', flipped)).catch((e: unknown) => e);
    expect(isOutpostError(error, 'INTEGRITY_MISMATCH')).toBe(true);
    expect((error as { details: { chunk?: number } }).details.chunk).toBe(2);

    const short = await verifyFileAt(entry, await fileOf('short', bytes.subarray(0, 4999))).catch((e: unknown) => e);
    expect(isOutpostError(short, 'INTEGRITY_MISMATCH')).toBe(true);
    expect((short as { details: { actual?: number } }).details.actual).toBe(4999);
  });
});
