import { describe, expect, it } from 'vitest';
import { resolveRelease, rolloutBucket } from '../../../src/registry/resolve.js';
import type { Index } from '../../../src/registry/schema.js';
import { indexPayload, thrown } from './fixtures.js';

function entry(version: string) {
  return {
    manifest: { path: `models/vad/${version}/manifest.json`, length: 10, sha256: 'a'.repeat(64) },
    publishedAt: '2024-01-01T00:00:00.000Z',
  };
}

function index(model: Partial<Index['models'][string]>): Index {
  return indexPayload(7, {
    vad: {
      versions: { '1.0.0': entry('1.0.0'), '1.1.0': entry('1.1.0'), '2.0.0': entry('2.0.0') },
      channels: {},
      revoked: [],
      ...model,
    },
  });
}

describe('resolveRelease', () => {
  it('resolves an explicit version regardless of channels', () => {
    const release = resolveRelease(index({}), 'vad', { version: '1.1.0', bucket: 0 });
    expect(release.version).toBe('1.1.0');
    expect(release.entry.manifest.path).toBe('models/vad/1.1.0/manifest.json');
    expect(thrown(() => resolveRelease(index({}), 'vad', { version: '9.9.9', bucket: 0 }))).toMatchObject({
      code: 'MODEL_NOT_FOUND',
      details: { name: 'vad', version: '9.9.9' },
    });
  });

  it('resolves the stable channel by default and names missing models and channels', () => {
    const idx = index({ channels: { stable: { version: '1.1.0', rollout: 100 } } });
    expect(resolveRelease(idx, 'vad', { bucket: 99 })).toMatchObject({ version: '1.1.0', channel: 'stable', inRollout: true });
    expect(thrown(() => resolveRelease(idx, 'nope', { bucket: 0 }))).toMatchObject({ code: 'MODEL_NOT_FOUND', details: { name: 'nope' } });
    expect(thrown(() => resolveRelease(idx, 'vad', { channel: 'beta', bucket: 0 }))).toMatchObject({
      code: 'MODEL_NOT_FOUND',
      details: { channel: 'beta' },
    });
  });

  it('stages a rollout: buckets below it get the new version, the rest the previous one', () => {
    const idx = index({ channels: { stable: { version: '2.0.0', rollout: 25, previous: '1.1.0' } } });
    expect(resolveRelease(idx, 'vad', { bucket: 0 }).version).toBe('2.0.0');
    expect(resolveRelease(idx, 'vad', { bucket: 24 }).version).toBe('2.0.0');
    expect(resolveRelease(idx, 'vad', { bucket: 25 })).toMatchObject({ version: '1.1.0', inRollout: false });
    expect(resolveRelease(idx, 'vad', { bucket: 99 }).version).toBe('1.1.0');
  });

  it('says MODEL_NOT_FOUND outside a rollout with no previous release', () => {
    const idx = index({ channels: { stable: { version: '2.0.0', rollout: 10 } } });
    expect(thrown(() => resolveRelease(idx, 'vad', { bucket: 50 }))).toMatchObject({
      code: 'MODEL_NOT_FOUND',
      details: { channel: 'stable', rollout: 10, bucket: 50 },
    });
    expect(thrown(() => resolveRelease(index({ channels: { stable: { version: '2.0.0', rollout: 0 } } }), 'vad', { bucket: 0 }))).toMatchObject({
      code: 'MODEL_NOT_FOUND',
    });
  });

  it('refuses revoked versions, explicit or through a channel', () => {
    const idx = index({ channels: { stable: { version: '2.0.0', rollout: 50, previous: '1.0.0' } }, revoked: ['1.0.0'] });
    expect(thrown(() => resolveRelease(idx, 'vad', { version: '1.0.0', bucket: 0 }))).toMatchObject({
      code: 'VERSION_REVOKED',
      details: { name: 'vad', version: '1.0.0' },
    });
    expect(thrown(() => resolveRelease(idx, 'vad', { bucket: 80 }))).toMatchObject({
      code: 'VERSION_REVOKED',
      details: { channel: 'stable' },
    });
    expect(resolveRelease(idx, 'vad', { bucket: 10 }).version).toBe('2.0.0');
  });
});

describe('rolloutBucket', () => {
  it('is stable per install and model, and differs across models', async () => {
    expect(await rolloutBucket('install-1', 'vad')).toBe(await rolloutBucket('install-1', 'vad'));
    const perModel = await Promise.all(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((m) => rolloutBucket('install-1', m)));
    expect(new Set(perModel).size).toBeGreaterThan(1);
  });

  it('matches the documented hash: first 4 bytes of SHA-256(installId \\n name), big-endian, mod 100', async () => {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode('abc\nvad')));
    expect(await rolloutBucket('abc', 'vad')).toBe(new DataView(digest.buffer).getUint32(0) % 100);
  });

  it('spreads installs evenly over 0..99', async () => {
    const counts = new Array<number>(10).fill(0);
    const n = 5000;
    for (let i = 0; i < n; i++) {
      const bucket = await rolloutBucket(`install-${i}`, 'vad');
      expect(bucket).toBeGreaterThanOrEqual(0);
      expect(bucket).toBeLessThan(100);
      counts[Math.floor(bucket / 10)]! += 1;
    }
    for (const count of counts) expect(Math.abs(count - n / 10)).toBeLessThan(n / 10 * 0.2);
  });
});
