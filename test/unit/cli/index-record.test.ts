import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeKeys, MODEL, ok, outpost, readPayload, removeTempDirs, tempDir } from './harness.js';

afterAll(removeTempDirs);

/** vad@1.0.0 and 1.1.0 published, 1.1.0 released and then revoked; the index of the release saved. */
async function revokedRegistry() {
  const base = await tempDir();
  const keys = join(base, 'keys');
  const dir = join(base, 'registry');
  await makeKeys(keys, 'root', 'targets');
  const key = join(keys, 'targets.private.json');
  await ok('init', dir, '--root-key', join(keys, 'root.private.json'), '--targets-key', join(keys, 'targets.public.json'));
  const shipped = join(base, 'shipped-root.json');
  await copyFile(join(dir, 'root.json'), shipped);
  await ok('publish', dir, MODEL, '--name', 'vad', '--version', '1.0.0', '--key', key);
  await ok('publish', dir, MODEL, '--name', 'vad', '--version', '1.1.0', '--key', key);
  await ok('release', dir, '--name', 'vad', '--version', '1.1.0', '--key', key);
  const released = join(base, 'released-index.json');
  await copyFile(join(dir, 'index.json'), released);
  await ok('revoke', dir, '--name', 'vad', '--version', '1.1.0', '--key', key);
  return { base, keys, dir, key, shipped, released, record: join(keys, 'index-record.json') };
}

describe('the CLI keeps its own record of the last index it signed', () => {
  it('refuses to re-sign an older index copied back into storage (a revoked version would return)', async () => {
    const r = await revokedRegistry();
    const record = JSON.parse(await readFile(r.record, 'utf8'));
    expect(Object.values(record.registries)).toMatchObject([{ version: 4 }]);

    // The attacker writes storage only: the index of the release (version 3) comes back.
    await copyFile(r.released, join(r.dir, 'index.json'));
    for (const argv of [
      ['resign', r.dir, '--key', r.key],
      ['release', r.dir, '--name', 'vad', '--version', '1.0.0', '--key', r.key],
      ['publish', r.dir, MODEL, '--name', 'vad', '--version', '1.2.0', '--key', r.key],
      ['revoke', r.dir, '--name', 'vad', '--version', '1.0.0', '--key', r.key],
    ]) {
      const run = await outpost(argv);
      expect(run.code, argv[0]).toBe(1);
      expect(run.err).toMatch(/ROLLBACK_DETECTED: index\.json has version 3, but version 4 was signed at .*--accept-registry-index signs anyway/);
    }
    expect(await readFile(join(r.dir, 'index.json'))).toEqual(await readFile(r.released));
    expect(existsVersion(await readPayload(join(r.dir, 'index.json')), '1.2.0')).toBe(false);

    // Without the record a client sees a valid index; with it, verify names the rollback.
    expect((await outpost(['verify', r.dir, '--root', r.shipped])).code).toBe(0);
    const verify = await outpost(['verify', r.dir, '--root', r.shipped, '--record', r.record]);
    expect(verify.code).toBe(1);
    expect(verify.err).toContain('ROLLBACK_DETECTED: index.json has version 3, but version 4 was signed');
  });

  it('refuses an index of the recorded version with other bytes, and the override signs on top on purpose', async () => {
    const r = await revokedRegistry();
    // Same version 4, other content (version 3 re-signed with a scratch record): what a
    // second operator host or a stolen key would leave in storage.
    await copyFile(r.released, join(r.dir, 'index.json'));
    await ok('resign', r.dir, '--key', r.key, '--accept-registry-index', '--record', join(r.base, 'scratch-record.json'));
    const run = await outpost(['resign', r.dir, '--key', r.key]);
    expect(run.code).toBe(1);
    expect(run.err).toContain('ROLLBACK_DETECTED: index.json version 4 is not the index of that version signed at');

    const override = await ok('resign', r.dir, '--key', r.key, '--accept-registry-index');
    expect(override.out).toContain('index version 5');
    const verify = await outpost(['verify', r.dir, '--root', r.shipped, '--record', r.record]);
    expect(verify.code).toBe(0);
  });

  it('keeps the record where --record says, and verify notes a registry the record does not know', async () => {
    const r = await revokedRegistry();
    const elsewhere = join(r.base, 'ops', 'record.json');
    await ok('resign', r.dir, '--key', r.key, '--record', elsewhere);
    expect(Object.values(JSON.parse(await readFile(elsewhere, 'utf8')).registries)).toMatchObject([{ version: 5 }]);
    // The default record still says 4: storage now holds 5, signed with another record.
    const stale = await outpost(['resign', r.dir, '--key', r.key]);
    expect(stale.code).toBe(1);
    expect(stale.err).toContain('newer than version 4');
    const unknown = await outpost(['verify', r.dir, '--root', r.shipped, '--record', join(r.base, 'none.json')]);
    expect(unknown.code).toBe(0);
    expect(unknown.out).toContain('has no entry for this registry');
  });
});

function existsVersion(index: Record<string, any>, version: string): boolean {
  return index.models.vad.versions[version] !== undefined;
}
