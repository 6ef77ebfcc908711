import { cp, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { makeKeys, MODEL, ok, outpost, readPayload, removeTempDirs, tempDir } from './harness.js';

afterAll(removeTempDirs);

/** A registry with 2-of-2 thresholds and vad@1.0.0 published (not released). */
async function setup() {
  const base = await tempDir();
  const keys = join(base, 'keys');
  const dir = join(base, 'registry');
  await makeKeys(keys, 'r1', 'r2', 't1', 't2', 't3');
  const k = (name: string) => join(keys, `${name}.private.json`);
  const pub = (name: string) => join(keys, `${name}.public.json`);
  await ok('init', dir, '--root-key', k('r1'), '--root-key', k('r2'), '--targets-key', pub('t1'), '--targets-key', pub('t2'), '--targets-key', pub('t3'), '--threshold', '2');
  const shipped = join(base, 'shipped-root.json');
  await cp(join(dir, 'root.json'), shipped);
  const sign = ['--key', k('t1'), '--key', k('t2')];
  await ok('publish', dir, MODEL, '--name', 'vad', '--version', '1.0.0', ...sign);
  return { base, keys, dir, shipped, sign, k, pub };
}

describe('outpost CLI lifecycle', () => {
  let r: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    r = await setup();
  });

  const index = () => readPayload(join(r.dir, 'index.json'));
  const publishCopy = (version: string) => ok('publish', r.dir, join(r.dir, 'models/vad/1.0.0/model.onnx'), '--name', 'vad', '--version', version, ...r.sign);

  it('does not write the index at init, and writes version 1 at the first publish', async () => {
    const fresh = join(await tempDir(), 'reg');
    await ok('init', fresh, '--root-key', r.k('r1'), '--targets-key', r.pub('t1'));
    expect((await readdir(fresh)).sort()).toEqual(['root.json', 'roots']);
    const run = await outpost(['verify', fresh, '--root', join(fresh, 'root.json')]);
    expect(run).toMatchObject({ code: 0 });
    expect(run.out).toContain('nothing is published');
    expect((await index()).version).toBe(1);
  });

  it('refuses keys below the threshold or outside the role, and changes nothing', async () => {
    const before = await readFile(join(r.dir, 'index.json'));
    const one = await outpost(['release', r.dir, '--name', 'vad', '--version', '1.0.0', '--key', r.k('t1')]);
    expect(one.code).toBe(1);
    expect(one.err).toMatch(/^outpost release: SIGNATURE_INVALID: 1 targets key\(s\) given, root version 1 needs 2$/);
    const wrongRole = await outpost(['release', r.dir, '--name', 'vad', '--version', '1.0.0', '--key', r.k('t1'), '--key', r.k('r1')]);
    expect(wrongRole.code).toBe(1);
    expect(wrongRole.err).toContain('SIGNATURE_INVALID: key');
    expect(await readFile(join(r.dir, 'index.json'))).toEqual(before);
  });

  it('refuses to publish a version twice', async () => {
    const run = await outpost(['publish', r.dir, MODEL, '--name', 'vad', '--version', '1.0.0', ...r.sign]);
    expect(run.code).toBe(1);
    expect(run.err).toContain('EEXIST: vad@1.0.0 is already published');
  });

  it('answers usage mistakes with exit 2 and a pointer to --help, and --help with exit 0', async () => {
    for (const argv of [
      [],
      ['frobnicate'],
      ['publish', r.dir, '--name', 'vad'],
      ['publish', r.dir, MODEL, '--name', 'Bad Name', '--version', '1.0.0', ...r.sign],
      ['publish', r.dir, MODEL, '--name', 'vad', '--version', 'v1.0', ...r.sign],
      ['release', r.dir, '--name', 'vad', '--version', '1.0.0', '--rollout', '150', ...r.sign],
      ['release', r.dir, '--name', 'vad', '--version', '1.0.0', '--unknown', ...r.sign],
      ['keygen', '--out', r.keys],
    ]) {
      const run = await outpost(argv);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.err).not.toMatch(/\n\s+at /);
    }
    for (const verb of ['keygen', 'init', 'publish', 'release', 'revoke', 'verify', 'rotate-root', 'resign']) {
      const run = await outpost([verb, '--help']);
      expect(run.code).toBe(0);
      expect(run.out).toContain(`Usage: outpost ${verb}`);
    }
  });

  it('turns a bad model file into a one-line METADATA_INVALID', async () => {
    const run = await outpost(['publish', r.dir, join(r.dir, 'root.json'), '--name', 'vad', '--version', '2.0.0', ...r.sign]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^outpost publish: METADATA_INVALID: .*root\.json is not a readable ONNX model/);
    expect(run.err.split('\n')).toHaveLength(1);
  });

  it('stages a rollout with the previous release kept for the rest', async () => {
    await ok('release', r.dir, '--name', 'vad', '--version', '1.0.0', ...r.sign);
    await publishCopy('1.1.0');
    const run = await ok('release', r.dir, '--name', 'vad', '--version', '1.1.0', '--rollout', '10', ...r.sign);
    expect(run.out).toContain('stay on 1.0.0');
    expect((await index()).models.vad.channels.stable).toEqual({ version: '1.1.0', rollout: 10, previous: '1.0.0' });
    await ok('release', r.dir, '--name', 'vad', '--version', '1.1.0', '--rollout', '100', ...r.sign);
    expect((await index()).models.vad.channels.stable).toEqual({ version: '1.1.0', rollout: 100, previous: '1.0.0' });
    await ok('release', r.dir, '--name', 'vad', '--version', '1.0.0', '--channel', 'beta', ...r.sign);
    const models = (await index()).models.vad;
    expect(models.channels.beta).toEqual({ version: '1.0.0', rollout: 100 });
    expect((await index()).version).toBe(6);
    expect((await outpost(['verify', r.dir, '--root', r.shipped])).code).toBe(0);
  });

  it('revokes: channels fall back to an unrevoked previous release or disappear', async () => {
    await ok('release', r.dir, '--name', 'vad', '--version', '1.0.0', ...r.sign);
    await publishCopy('1.1.0');
    await ok('release', r.dir, '--name', 'vad', '--version', '1.1.0', ...r.sign);
    await ok('release', r.dir, '--name', 'vad', '--version', '1.1.0', '--channel', 'beta', ...r.sign);
    const run = await ok('revoke', r.dir, '--name', 'vad', '--version', '1.1.0', ...r.sign);
    expect(run.out).toContain('channel stable falls back to 1.0.0');
    expect(run.out).toContain('channel beta removed');
    const vad = (await index()).models.vad;
    expect(vad.revoked).toEqual(['1.1.0']);
    expect(vad.channels).toEqual({ stable: { version: '1.0.0', rollout: 100 } });
    const again = await ok('revoke', r.dir, '--name', 'vad', '--version', '1.1.0', ...r.sign);
    expect(again.out).toContain('already revoked');
    const release = await outpost(['release', r.dir, '--name', 'vad', '--version', '1.1.0', ...r.sign]);
    expect(release.code).toBe(1);
    expect(release.err).toContain('VERSION_REVOKED');
    const verify = await outpost(['verify', r.dir, '--root', r.shipped]);
    expect(verify.code).toBe(0);
    expect(verify.out).toContain('vad@1.1.0 is revoked');
  });

  it('reports an expired index (and root) with METADATA_EXPIRED, and resign refreshes the index', async () => {
    const later = new Date(Date.now() + 30 * 86_400_000);
    const run = await outpost(['verify', r.dir, '--root', r.shipped], later);
    expect(run.code).toBe(1);
    expect(run.err).toContain('METADATA_EXPIRED: index.json');
    expect(run.err).not.toContain('METADATA_EXPIRED: root');
    await ok('resign', r.dir, ...r.sign, '--expires', '60');
    expect((await outpost(['verify', r.dir, '--root', r.shipped], later)).code).toBe(0);
    const muchLater = new Date(Date.now() + 400 * 86_400_000);
    expect((await outpost(['verify', r.dir, '--root', r.shipped], muchLater)).err).toContain('METADATA_EXPIRED: root version 1');
  });

  it('rotates the root: clients holding the old root follow the chain', async () => {
    await makeKeys(r.keys, 'r3', 'r4');
    const run = await ok('rotate-root', r.dir, '--key', r.k('r1'), '--key', r.k('r2'), '--new-root-key', r.k('r3'), '--new-root-key', r.k('r4'));
    expect(run.out).toContain('root version 2');
    expect((await readPayload(join(r.dir, 'roots/2.root.json'))).roles.root.threshold).toBe(2);
    expect(await readFile(join(r.dir, 'root.json'))).toEqual(await readFile(join(r.dir, 'roots/2.root.json')));
    expect((await outpost(['verify', r.dir, '--root', r.shipped])).code).toBe(0);
    const tooFew = await outpost(['rotate-root', r.dir, '--key', r.k('r3'), '--new-root-key', r.k('r1'), '--new-root-key', r.k('r2')]);
    expect(tooFew.code).toBe(1);
    expect(tooFew.err).toContain('SIGNATURE_INVALID');
    const oldKeys = await outpost(['rotate-root', r.dir, '--key', r.k('r1'), '--key', r.k('r2'), '--new-root-key', r.k('r1'), '--new-root-key', r.k('r2')]);
    expect(oldKeys.err).toContain('SIGNATURE_INVALID: key');
  });

  it('after a targets key rotation, resign re-signs manifests so the registry verifies again', async () => {
    await makeKeys(r.keys, 'n1');
    await ok(
      'rotate-root', r.dir, '--key', r.k('r1'), '--key', r.k('r2'), '--new-root-key', r.k('r1'), '--new-root-key', r.k('r2'),
      '--targets-key', r.pub('n1'), '--threshold', '1',
    );
    const broken = await outpost(['verify', r.dir, '--root', r.shipped]);
    expect(broken.code).toBe(1);
    expect(broken.err).toContain('SIGNATURE_INVALID');
    const run = await ok('resign', r.dir, '--key', r.k('n1'), '--resign-all-manifests');
    expect(run.out).toContain('re-signed manifests: vad@1.0.0');
    expect((await outpost(['verify', r.dir, '--root', r.shipped])).code).toBe(0);
  });

  it('after a targets key is stolen, resign lists the manifests to re-sign and re-signs only those named', async () => {
    // The attacker, with the stolen targets keys, publishes vad@6.6.6.
    await publishCopy('6.6.6');
    await makeKeys(r.keys, 'n1');
    await ok(
      'rotate-root', r.dir, '--key', r.k('r1'), '--key', r.k('r2'), '--new-root-key', r.k('r1'), '--new-root-key', r.k('r2'),
      '--targets-key', r.pub('n1'), '--threshold', '1',
    );
    const before = await readFile(join(r.dir, 'index.json'));
    const listed = await outpost(['resign', r.dir, '--key', r.k('n1')]);
    expect(listed.code).toBe(1);
    expect(listed.out).toMatch(/vad@1\.0\.0 \(signed by [0-9a-f]{12}, [0-9a-f]{12}, created \d{4}-/);
    expect(listed.out).toContain('vad@6.6.6 (signed by');
    expect(listed.err).toContain('ESELECT: 2 manifest(s) need re-signing');
    expect(await readFile(join(r.dir, 'index.json'))).toEqual(before);
    const unknown = await outpost(['resign', r.dir, '--key', r.k('n1'), '--manifest', 'vad@9.9.9']);
    expect(unknown.code).toBe(1);

    const run = await ok('resign', r.dir, '--key', r.k('n1'), '--manifest', 'vad@1.0.0');
    expect(run.out).toContain('re-signed manifests: vad@1.0.0');
    expect(run.out).toContain('not re-signed (clients refuse them; revoke them): vad@6.6.6');
    const verify = await outpost(['verify', r.dir, '--root', r.shipped]);
    expect(verify.code).toBe(1);
    expect(verify.err).toContain('SIGNATURE_INVALID: models/vad/6.6.6/manifest.json');
    expect(verify.err).not.toContain('models/vad/1.0.0/manifest.json');
  });

  it('resign does not trust an index vouched for by a planted earlier root', async () => {
    await makeKeys(r.keys, 'n1', 'evil-root', 'evil-targets');
    await ok(
      'rotate-root', r.dir, '--key', r.k('r1'), '--key', r.k('r2'), '--new-root-key', r.k('r1'), '--new-root-key', r.k('r2'),
      '--targets-key', r.pub('n1'), '--threshold', '1',
    );
    const evil = join(await tempDir(), 'evil');
    await ok('init', evil, '--root-key', r.k('evil-root'), '--targets-key', r.pub('evil-targets'));
    await ok('publish', evil, MODEL, '--name', 'vad', '--version', '6.6.6', '--key', r.k('evil-targets'));
    await cp(join(evil, 'roots/1.root.json'), join(r.dir, 'roots/1.root.json'));
    await cp(join(evil, 'index.json'), join(r.dir, 'index.json'));
    const run = await outpost(['resign', r.dir, '--key', r.k('n1')]);
    expect(run.code).toBe(1);
    expect(run.err).toContain('SIGNATURE_INVALID: roots/2.root.json');
  });
});
