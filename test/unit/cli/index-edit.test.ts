import { describe, expect, it } from 'vitest';
import { addVersion, releaseVersion, revokeVersion } from '../../../src/cli/index-edit.js';
import type { Index } from '../../../src/registry/schema.js';

function entry(version: string) {
  return { manifest: { path: `models/m/${version}/manifest.json`, length: 1, sha256: 'a'.repeat(64) }, publishedAt: '2024-01-01T00:00:00.000Z' };
}

function index(...versions: string[]): Index {
  const idx: Index = { _type: 'index', spec: 1, version: 1, expires: '2099-01-01T00:00:00.000Z', models: {} };
  for (const v of versions) addVersion(idx, 'm', v, entry(v));
  return idx;
}

describe('index edits', () => {
  it('keeps the mid-rollout previous release when a newer version is released', () => {
    const idx = index('1.0.0', '1.1.0', '1.2.0');
    releaseVersion(idx, 'm', '1.0.0', 'stable', 100);
    releaseVersion(idx, 'm', '1.1.0', 'stable', 10);
    releaseVersion(idx, 'm', '1.2.0', 'stable', 10);
    // 90% were on 1.0.0 and stay there; 1.1.0 never reached them.
    expect(idx.models.m?.channels.stable).toEqual({ version: '1.2.0', rollout: 10, previous: '1.0.0' });
  });

  it('rolling back to the previous version drops it as previous', () => {
    const idx = index('1.0.0', '1.1.0');
    releaseVersion(idx, 'm', '1.0.0', 'stable', 100);
    releaseVersion(idx, 'm', '1.1.0', 'stable', 100);
    releaseVersion(idx, 'm', '1.0.0', 'stable', 100);
    expect(idx.models.m?.channels.stable).toEqual({ version: '1.0.0', rollout: 100, previous: '1.1.0' });
  });

  it('revoking a previous release rolls the channel out to everyone', () => {
    const idx = index('1.0.0', '1.1.0');
    releaseVersion(idx, 'm', '1.0.0', 'stable', 100);
    releaseVersion(idx, 'm', '1.1.0', 'stable', 20);
    expect(revokeVersion(idx, 'm', '1.0.0')).toEqual([expect.stringContaining('now serves 1.1.0 to everyone')]);
    expect(idx.models.m?.channels.stable).toEqual({ version: '1.1.0', rollout: 100 });
  });

  it('names unknown models and versions with MODEL_NOT_FOUND', () => {
    const idx = index('1.0.0');
    expect(() => releaseVersion(idx, 'x', '1.0.0', 'stable', 100)).toThrow(expect.objectContaining({ code: 'MODEL_NOT_FOUND' }));
    expect(() => revokeVersion(idx, 'm', '9.0.0')).toThrow(expect.objectContaining({ code: 'MODEL_NOT_FOUND' }));
  });
});
