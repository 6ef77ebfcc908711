import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_INDEX_BYTES } from '../../../src/registry/layout.js';
import { parseEnvelopeBytes } from '../../../src/registry/parse.js';
import type { Root } from '../../../src/registry/schema.js';
import { isExpired, verifyIndex, verifyTrustedRoot } from '../../../src/registry/verify.js';
import { envelopeBytes, indexPayload, makeKeys, PAST, rootPayload, sign, thrown, type TestKey } from './fixtures.js';

const entry = {
  manifest: { path: 'models/vad/1.0.0/manifest.json', length: 100, sha256: 'a'.repeat(64) },
  publishedAt: '2024-01-01T00:00:00.000Z',
};

describe('index verification', () => {
  let rootKeys: TestKey[];
  let targets: TestKey[];
  let root: Root;
  beforeAll(async () => {
    [rootKeys, targets] = [await makeKeys(1), await makeKeys(3)];
    const payload = rootPayload(1, rootKeys, targets, 1);
    payload.roles.targets.threshold = 2;
    root = await verifyTrustedRoot(await sign('root', payload, rootKeys));
  });

  it('accepts an index signed by a threshold of the targets keys', async () => {
    const models = { vad: { versions: { '1.0.0': entry }, channels: { stable: { version: '1.0.0', rollout: 100 } }, revoked: [] } };
    const index = await verifyIndex(root, await sign('index', indexPayload(5, models), targets.slice(1)), { now: Date.now() });
    expect(index.version).toBe(5);
    expect(index.models.vad?.channels.stable?.version).toBe('1.0.0');
  });

  it('refuses an index below the targets threshold or signed by the root key', async () => {
    await expect(verifyIndex(root, await sign('index', indexPayload(1), targets.slice(0, 1)), { now: Date.now() })).rejects.toMatchObject({
      code: 'SIGNATURE_INVALID',
      details: { role: 'targets', valid: 1, threshold: 2 },
    });
    await expect(verifyIndex(root, await sign('index', indexPayload(1), rootKeys), { now: Date.now() })).rejects.toMatchObject({
      code: 'SIGNATURE_INVALID',
      details: { valid: 0 },
    });
  });

  it('detects a rollback below the highest trusted version and allows the same version', async () => {
    const envelope = await sign('index', indexPayload(3), targets);
    await expect(verifyIndex(root, envelope, { now: Date.now(), highestTrustedVersion: 4 })).rejects.toMatchObject({
      code: 'ROLLBACK_DETECTED',
      details: { version: 3, highestTrustedVersion: 4 },
    });
    expect((await verifyIndex(root, envelope, { now: Date.now(), highestTrustedVersion: 3 })).version).toBe(3);
  });

  it('refuses an expired index unless the caller allows it, and says so separately', async () => {
    const envelope = await sign('index', indexPayload(2, {}, PAST), targets);
    await expect(verifyIndex(root, envelope, { now: Date.now() })).rejects.toMatchObject({
      code: 'METADATA_EXPIRED',
      details: { version: 2, expires: PAST },
    });
    const index = await verifyIndex(root, envelope, { now: Date.now(), allowExpired: true });
    expect(isExpired(index, Date.now())).toBe(true);
    expect(isExpired(index, Date.parse(PAST) - 1)).toBe(false);
  });

  it('checks signatures before rollback and expiry', async () => {
    const envelope = await sign('index', indexPayload(1, {}, PAST), targets.slice(0, 1));
    await expect(verifyIndex(root, envelope, { now: Date.now(), highestTrustedVersion: 9 })).rejects.toMatchObject({
      code: 'SIGNATURE_INVALID',
    });
  });

  it('refuses signed indexes that break the schema', async () => {
    const cases = [
      { vad: { versions: { '1.0.0': entry }, channels: { stable: { version: '2.0.0', rollout: 100 } }, revoked: [] } },
      { vad: { versions: { v1: entry }, channels: {}, revoked: [] } },
      { 'Bad Name': { versions: {}, channels: {}, revoked: [] } },
      { vad: { versions: { '1.0.0': { ...entry, manifest: { ...entry.manifest, path: '../x' } } }, channels: {}, revoked: [] } },
      { vad: { versions: { '1.0.0': entry }, channels: { stable: { version: '1.0.0', rollout: 101 } }, revoked: [] } },
    ];
    for (const models of cases) {
      const envelope = await sign('index', indexPayload(1, models as never), targets);
      await expect(verifyIndex(root, envelope, { now: Date.now() })).rejects.toMatchObject({ code: 'METADATA_INVALID' });
    }
  });

  it('refuses oversized or malformed index bytes before parsing', async () => {
    const big = new Uint8Array(MAX_INDEX_BYTES + 1).fill(0x20);
    expect(thrown(() => parseEnvelopeBytes(big, MAX_INDEX_BYTES, 'index.json'))).toMatchObject({
      code: 'METADATA_INVALID',
      details: { bytes: MAX_INDEX_BYTES + 1, maxBytes: MAX_INDEX_BYTES },
    });
    expect(thrown(() => parseEnvelopeBytes(new Uint8Array([0xff]), MAX_INDEX_BYTES, 'index.json'))).toMatchObject({
      code: 'METADATA_INVALID',
    });
    const ok = envelopeBytes(await sign('index', indexPayload(1), targets));
    expect(parseEnvelopeBytes(ok, MAX_INDEX_BYTES, 'index.json').signatures).toHaveLength(3);
  });
});
