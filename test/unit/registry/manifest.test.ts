import { beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex, utf8 } from '../../../src/registry/encoding.js';
import { chunkRange, describeFile, verifyChunk, verifyFileBytes } from '../../../src/registry/integrity.js';
import type { Index, Manifest, Root } from '../../../src/registry/schema.js';
import { verifyManifest, verifyTrustedRoot } from '../../../src/registry/verify.js';
import { envelopeBytes, indexPayload, makeKeys, manifestPayload, rootPayload, sign, type TestKey } from './fixtures.js';

async function pinned(name: string, version: string, bytes: Uint8Array): Promise<Index> {
  const entry = {
    manifest: { path: `models/${name}/${version}/manifest.json`, length: bytes.length, sha256: await sha256Hex(bytes) },
    publishedAt: '2024-01-01T00:00:00.000Z',
  };
  return indexPayload(1, { [name]: { versions: { [version]: entry }, channels: {}, revoked: [] } });
}

describe('manifest verification', () => {
  let targets: TestKey[];
  let other: TestKey[];
  let root: Root;
  beforeAll(async () => {
    const rootKeys = await makeKeys(1);
    [targets, other] = [await makeKeys(1), await makeKeys(1)];
    root = await verifyTrustedRoot(await sign('root', rootPayload(1, rootKeys, targets), rootKeys));
  });

  it('accepts manifest bytes that match the index pin and carry a targets signature', async () => {
    const bytes = envelopeBytes(await sign('manifest', manifestPayload('vad', '1.0.0'), targets));
    const manifest = await verifyManifest(root, await pinned('vad', '1.0.0', bytes), 'vad', '1.0.0', bytes);
    expect(manifest.model.inputs[0]).toEqual({ name: 'x', type: 'float32', dims: [1, 'n'] });
  });

  it('refuses bytes whose length or hash differ from the pin with INTEGRITY_MISMATCH', async () => {
    const bytes = envelopeBytes(await sign('manifest', manifestPayload('vad', '1.0.0'), targets));
    const index = await pinned('vad', '1.0.0', bytes);
    const longer = utf8(new TextDecoder().decode(bytes) + ' ');
    await expect(verifyManifest(root, index, 'vad', '1.0.0', longer)).rejects.toMatchObject({
      code: 'INTEGRITY_MISMATCH',
      details: { name: 'vad', version: '1.0.0', expected: bytes.length, actual: bytes.length + 1 },
    });
    const flipped = bytes.slice();
    flipped[10] = flipped[10]! ^ 1;
    await expect(verifyManifest(root, index, 'vad', '1.0.0', flipped)).rejects.toMatchObject({ code: 'INTEGRITY_MISMATCH' });
  });

  it('refuses a pinned manifest without a targets signature', async () => {
    const bytes = envelopeBytes(await sign('manifest', manifestPayload('vad', '1.0.0'), other));
    await expect(verifyManifest(root, await pinned('vad', '1.0.0', bytes), 'vad', '1.0.0', bytes)).rejects.toMatchObject({
      code: 'SIGNATURE_INVALID',
    });
  });

  it('refuses a manifest of another model or version served under this pin', async () => {
    const bytes = envelopeBytes(await sign('manifest', manifestPayload('vad', '0.9.0'), targets));
    await expect(verifyManifest(root, await pinned('vad', '1.0.0', bytes), 'vad', '1.0.0', bytes)).rejects.toMatchObject({
      code: 'METADATA_INVALID',
      details: { manifestVersion: '0.9.0' },
    });
  });

  it('refuses a manifest naming files outside the registry', async () => {
    const evil = manifestPayload('vad', '1.0.0', {
      files: [{ path: '../../etc/passwd', length: 0, sha256: '0'.repeat(64), chunkSize: 1024, chunks: [] }],
      model: { file: '../../etc/passwd', inputs: [], outputs: [] },
    } as Partial<Manifest>);
    const bytes = envelopeBytes(await sign('manifest', evil, targets));
    await expect(verifyManifest(root, await pinned('vad', '1.0.0', bytes), 'vad', '1.0.0', bytes)).rejects.toMatchObject({
      code: 'METADATA_INVALID',
    });
  });

  it('says MODEL_NOT_FOUND for a version the index does not list', async () => {
    await expect(verifyManifest(root, indexPayload(1), 'vad', '1.0.0', new Uint8Array(1))).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
    });
  });
});

describe('file and chunk integrity', () => {
  const bytes = new Uint8Array(2500).map((_, i) => i % 251);

  it('describes a file with one hash per chunk and checks it back', async () => {
    const file = await describeFile('models/a/1.0.0/model.onnx', bytes, 1024);
    expect(file.chunks).toHaveLength(3);
    expect(chunkRange(file, 2)).toEqual({ start: 2048, end: 2500 });
    await expect(verifyFileBytes(file, bytes)).resolves.toBeUndefined();
    await expect(verifyChunk(file, 1, bytes.subarray(1024, 2048))).resolves.toBeUndefined();
  });

  it('names the chunk that differs', async () => {
    const file = await describeFile('models/a/1.0.0/model.onnx', bytes, 1024);
    const flipped = bytes.slice();
    flipped[1500] = flipped[1500]! ^ 0xff;
    await expect(verifyFileBytes(file, flipped)).rejects.toMatchObject({ code: 'INTEGRITY_MISMATCH', details: { chunk: 1 } });
    await expect(verifyChunk(file, 2, bytes.subarray(2048, 2400))).rejects.toMatchObject({
      code: 'INTEGRITY_MISMATCH',
      details: { chunk: 2, expected: 452, actual: 352 },
    });
    await expect(verifyFileBytes(file, bytes.subarray(0, 2400))).rejects.toMatchObject({ code: 'INTEGRITY_MISMATCH' });
  });

  it('answers a chunk index past the file (a cache of an older layout) with INTEGRITY_MISMATCH, not RangeError', async () => {
    const file = await describeFile('models/a/1.0.0/model.onnx', bytes, 1024);
    for (const chunk of [3, 99, -1, 1.5]) {
      await expect(verifyChunk(file, chunk, bytes.subarray(0, 10))).rejects.toMatchObject({ code: 'INTEGRITY_MISMATCH', details: { chunk } });
    }
  });

  it('catches a whole-file hash that disagrees with correct chunks', async () => {
    const file = { ...(await describeFile('a.onnx', bytes, 1024)), sha256: 'b'.repeat(64) };
    await expect(verifyFileBytes(file, bytes)).rejects.toMatchObject({ code: 'INTEGRITY_MISMATCH', details: { expected: 'b'.repeat(64) } });
  });
});
