import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resign, signer } from '../../browser/support/resign.js';
import { makeKeys, MODEL, ok, outpost, readPayload, removeTempDirs, tempDir } from './harness.js';

afterAll(removeTempDirs);

const DAY = 86_400_000;

/** A registry whose root has a timestamp role; vad@1.0.0 published and released with both keys. */
async function timestamped() {
  const base = await tempDir();
  const keys = join(base, 'keys');
  const dir = join(base, 'registry');
  await makeKeys(keys, 'root', 'targets', 'timestamp');
  const k = (name: string) => join(keys, `${name}.private.json`);
  await ok('init', dir, '--root-key', k('root'), '--targets-key', join(keys, 'targets.public.json'), '--timestamp-key', join(keys, 'timestamp.public.json'));
  const shipped = join(base, 'shipped-root.json');
  await copyFile(join(dir, 'root.json'), shipped);
  await ok('publish', dir, MODEL, '--name', 'vad', '--version', '1.0.0', '--key', k('targets'), '--key', k('timestamp'));
  await ok('release', dir, '--name', 'vad', '--version', '1.0.0', '--key', k('targets'), '--key', k('timestamp'));
  return { base, keys, dir, shipped, k };
}

async function verify(r: { dir: string; shipped: string }, now?: Date) {
  return outpost(['verify', r.dir, '--root', r.shipped], now);
}

describe('the timestamp role (TUF timestamp): freshness without the targets key', () => {
  it('init puts the role in the root; index verbs write timestamp.json pinning the index; the index lives long', async () => {
    const r = await timestamped();
    const root = await readPayload(join(r.dir, 'root.json'));
    expect(root.roles.timestamp).toEqual({ keyids: [expect.stringMatching(/^[0-9a-f]{64}$/)], threshold: 1 });
    const index = await readPayload(join(r.dir, 'index.json'));
    const timestamp = await readPayload(join(r.dir, 'timestamp.json'));
    const indexBytes = await readFile(join(r.dir, 'index.json'));
    const { createHash } = await import('node:crypto');
    expect(timestamp).toMatchObject({
      _type: 'timestamp',
      version: 2,
      index: { version: index.version, length: indexBytes.length, sha256: createHash('sha256').update(indexBytes).digest('hex') },
    });
    expect(Date.parse(timestamp.expires) - Date.now()).toBeLessThanOrEqual(DAY);
    expect(Date.parse(index.expires) - Date.now()).toBeGreaterThan(300 * DAY);
    expect((await verify(r)).code).toBe(0);
  });

  it('outpost timestamp refreshes freshness with the timestamp key alone; a targets key cannot sign it', async () => {
    const r = await timestamped();
    await rm(r.k('targets'));
    const run = await ok('timestamp', r.dir, '--key', r.k('timestamp'), '--expires', '0.25');
    expect(run.out).toMatch(/timestamp\.json version 3 pins index version 2, expires/);
    expect((await verify(r)).code).toBe(0);
    // Days later the index (365 days) is still fresh; only timestamp.json expired.
    const later = await verify(r, new Date(Date.now() + 2 * DAY));
    expect(later.code).toBe(1);
    expect(later.err).toMatch(/METADATA_EXPIRED: timestamp\.json version 3 expired/);
    expect(later.err).not.toContain('index.json version');
    const wrongKey = await outpost(['timestamp', r.dir, '--key', join(r.keys, 'root.private.json')]);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.err).toContain('SIGNATURE_INVALID');
  });

  it('verify refuses a forged, a mismatching and a missing timestamp.json', async () => {
    const r = await timestamped();
    const path = join(r.dir, 'timestamp.json');
    const good = await readFile(path);

    // Forged: a later expiry signed by the targets key (not a timestamp key).
    await writeFile(path, await resign(good, (t) => (t.expires = new Date(Date.now() + 90 * DAY).toISOString()), [await signer(r.k('targets'))]));
    let run = await verify(r);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/SIGNATURE_INVALID: timestamp\.json has 0 valid timestamp signature\(s\), needs 1/);

    // Pinning other bytes, validly signed by the timestamp key.
    await writeFile(path, await resign(good, (t) => (t.index.sha256 = '0'.repeat(64)), [await signer(r.k('timestamp'))]));
    run = await verify(r);
    expect(run.code).toBe(1);
    expect(run.err).toContain('INTEGRITY_MISMATCH: index.json does not match the SHA-256 timestamp.json pins');

    await rm(path);
    run = await verify(r);
    expect(run.code).toBe(1);
    expect(run.err).toContain("METADATA_INVALID: timestamp.json is missing, but root version 1 has a timestamp role; run 'outpost timestamp'");
  });

  it('an index verb without a timestamp key warns; verify fails until outpost timestamp pins the new index', async () => {
    const r = await timestamped();
    const run = await ok('revoke', r.dir, '--name', 'vad', '--version', '1.0.0', '--key', r.k('targets'));
    expect(run.err).toMatch(/warning: timestamp\.json still pins the previous index: clients refuse index version 3 \(INTEGRITY_MISMATCH\)/);
    const stale = await verify(r);
    expect(stale.code).toBe(1);
    expect(stale.err).toContain('INTEGRITY_MISMATCH: index.json is');
    await ok('timestamp', r.dir, '--key', r.k('timestamp'));
    expect((await verify(r)).code).toBe(0);
  });

  it('outpost timestamp refuses to pin an older index copied back into storage', async () => {
    const r = await timestamped();
    const released = join(r.base, 'released.json');
    await copyFile(join(r.dir, 'index.json'), released);
    await ok('revoke', r.dir, '--name', 'vad', '--version', '1.0.0', '--key', r.k('targets'), '--key', r.k('timestamp'));
    await copyFile(released, join(r.dir, 'index.json'));
    const run = await outpost(['timestamp', r.dir, '--key', r.k('timestamp')]);
    expect(run.code).toBe(1);
    expect(run.err).toContain('ROLLBACK_DETECTED: index.json is version 2, older than version 3 that timestamp.json pinned at');
    // Even from a host without the record: the timestamp.json in storage pins version 3.
    const fresh = await outpost(['timestamp', r.dir, '--key', r.k('timestamp'), '--record', join(r.base, 'other-record.json')]);
    expect(fresh.code).toBe(1);
    expect(fresh.err).toContain('ROLLBACK_DETECTED: index.json is version 2, older than version 3 that timestamp.json pins;');
  });

  it("the timestamp host's own record refuses an older index and timestamp copied back together, and keeps versions rising", async () => {
    const r = await timestamped();
    const saved = { index: join(r.base, 'index-2.json'), timestamp: join(r.base, 'timestamp-2.json') };
    await copyFile(join(r.dir, 'index.json'), saved.index);
    await copyFile(join(r.dir, 'timestamp.json'), saved.timestamp);
    await ok('revoke', r.dir, '--name', 'vad', '--version', '1.0.0', '--key', r.k('targets'), '--key', r.k('timestamp'));
    const record = JSON.parse(await readFile(join(r.keys, 'timestamp-record.json'), 'utf8'));
    expect(Object.values(record.registries)).toMatchObject([{ timestamp: 3, index: { version: 3 } }]);

    // Storage alone is rolled back: both files of the release come back, consistent with each other.
    await copyFile(saved.index, join(r.dir, 'index.json'));
    await copyFile(saved.timestamp, join(r.dir, 'timestamp.json'));
    const run = await outpost(['timestamp', r.dir, '--key', r.k('timestamp')]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/ROLLBACK_DETECTED: index\.json is version 2, older than version 3 that timestamp\.json pinned at .*--accept-registry-index pins anyway/);

    // Pinned on purpose, the new timestamp still follows the record (4), not storage (2 + 1).
    const forced = await ok('timestamp', r.dir, '--key', r.k('timestamp'), '--accept-registry-index');
    expect(forced.out).toContain('timestamp.json version 4 pins index version 2');
  });

  it('a registry made without the role verifies as before; rotate-root adds the role (the migration)', async () => {
    const base = await tempDir();
    const keys = join(base, 'keys');
    const dir = join(base, 'registry');
    await makeKeys(keys, 'root', 'targets', 'timestamp');
    const k = (name: string) => join(keys, `${name}.private.json`);
    await ok('init', dir, '--root-key', k('root'), '--targets-key', join(keys, 'targets.public.json'));
    const shipped = join(base, 'shipped-root.json');
    await copyFile(join(dir, 'root.json'), shipped);
    await ok('publish', dir, MODEL, '--name', 'vad', '--version', '1.0.0', '--key', k('targets'));
    expect(Date.parse((await readPayload(join(dir, 'index.json'))).expires) - Date.now()).toBeLessThanOrEqual(7 * DAY);
    await expect(readFile(join(dir, 'timestamp.json'))).rejects.toThrow();
    expect((await outpost(['verify', dir, '--root', shipped])).code).toBe(0);
    // A timestamp key is not a key of this root.
    const noRole = await outpost(['timestamp', dir, '--key', k('timestamp')]);
    expect(noRole.err).toContain('has no timestamp role');

    const rotated = await ok('rotate-root', dir, '--key', k('root'), '--new-root-key', k('root'), '--timestamp-key', join(keys, 'timestamp.public.json'));
    expect(rotated.out).toContain("timestamp role changed: run 'outpost timestamp");
    expect((await readPayload(join(dir, 'root.json'))).roles.timestamp.threshold).toBe(1);
    const pending = await outpost(['verify', dir, '--root', shipped]);
    expect(pending.err).toContain('timestamp.json is missing');
    await ok('timestamp', dir, '--key', k('timestamp'));
    expect((await outpost(['verify', dir, '--root', shipped])).code).toBe(0);
    // The role stays across a rotation that does not name it, and can be removed.
    await ok('rotate-root', dir, '--key', k('root'), '--new-root-key', k('root'));
    expect((await readPayload(join(dir, 'root.json'))).roles.timestamp).toBeDefined();
    await ok('rotate-root', dir, '--key', k('root'), '--new-root-key', k('root'), '--remove-timestamp-role');
    expect((await readPayload(join(dir, 'root.json'))).roles.timestamp).toBeUndefined();
    expect((await outpost(['verify', dir, '--root', shipped])).code).toBe(0);
  });
});
