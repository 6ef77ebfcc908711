import { cp, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editEnvelope, editPayload, makeKeys, MODEL, ok, outpost, readPayload, removeTempDirs, tempDir } from './harness.js';

afterAll(removeTempDirs);

describe('outpost CLI end to end', () => {
  let base: string;
  let keys: string;
  let registry: string;
  let shippedRoot: string;

  beforeAll(async () => {
    base = await tempDir();
    keys = join(base, 'keys');
    registry = join(base, 'registry');
    await makeKeys(keys, 'root', 'targets');
    await ok('init', registry, '--root-key', join(keys, 'root.private.json'), '--targets-key', join(keys, 'targets.public.json'));
    shippedRoot = join(base, 'shipped-root.json');
    await cp(join(registry, 'root.json'), shippedRoot);
    const samples = join(base, 'samples.json');
    await writeFile(samples, JSON.stringify({ features: { energy: Array.from({ length: 200 }, (_, i) => i / 10) } }));
    await ok(
      'publish', registry, MODEL, '--name', 'vad', '--version', '1.0.0', '--key', join(keys, 'targets.private.json'),
      '--chunk-size', '500000', '--reference', samples,
    );
    await ok('release', registry, '--name', 'vad', '--version', '1.0.0', '--key', join(keys, 'targets.private.json'));
  });

  it('writes private keys readable by the owner only', async () => {
    expect((await stat(join(keys, 'root.private.json'))).mode & 0o777).toBe(0o600);
  });

  it('lays out the registry and verifies it with exit 0', async () => {
    const manifest = await readPayload(join(registry, 'models/vad/1.0.0/manifest.json'));
    expect(manifest.files[0]).toMatchObject({ path: 'models/vad/1.0.0/model.onnx', chunkSize: 500000 });
    expect(manifest.files[0].chunks).toHaveLength(5);
    expect(manifest.model.inputs.map((t: { name: string }) => t.name)).toEqual(['input', 'state', 'sr']);
    expect(manifest.reference.features[0]).toMatchObject({ name: 'energy' });
    const index = await readPayload(join(registry, 'index.json'));
    expect(index.version).toBe(2);
    expect(index.models.vad.channels.stable).toEqual({ version: '1.0.0', rollout: 100 });
    const run = await outpost(['verify', registry, '--root', shippedRoot]);
    expect(run.code).toBe(0);
    expect(run.out).toContain('verified');
  });

  async function tampered(change: (dir: string) => Promise<void>) {
    const dir = join(await tempDir(), 'registry');
    await cp(registry, dir, { recursive: true });
    await change(dir);
    return outpost(['verify', dir, '--root', shippedRoot]);
  }

  it.each([
    ['a flipped model byte', 'INTEGRITY_MISMATCH', async (dir: string) => {
      const path = join(dir, 'models/vad/1.0.0/model.onnx');
      const bytes = await readFile(path);
      bytes.writeUInt8(bytes.readUInt8(1_234_567) ^ 0x01, 1_234_567);
      await writeFile(path, bytes);
    }],
    ['a truncated model', 'INTEGRITY_MISMATCH', async (dir: string) => {
      const path = join(dir, 'models/vad/1.0.0/model.onnx');
      await writeFile(path, (await readFile(path)).subarray(0, 1000));
    }],
    ['an edited manifest', 'INTEGRITY_MISMATCH', (dir: string) =>
      editPayload(join(dir, 'models/vad/1.0.0/manifest.json'), (m) => {
        m.model.inputs[0].dims = [1, 512];
      })],
    ['an edited chunk hash', 'INTEGRITY_MISMATCH', (dir: string) =>
      editPayload(join(dir, 'models/vad/1.0.0/manifest.json'), (m) => {
        m.files[0].chunks[2] = '0'.repeat(64);
      })],
    ['an edited index', 'SIGNATURE_INVALID', (dir: string) =>
      editPayload(join(dir, 'index.json'), (i) => {
        i.models.vad.channels.stable.rollout = 50;
      })],
    ['a removed index signature', 'SIGNATURE_INVALID', (dir: string) =>
      editEnvelope(join(dir, 'index.json'), (e) => {
        e.signatures = [];
      })],
    // The index pin catches it before the signature check; re-pinning would break the index signature.
    ['a removed manifest signature', 'INTEGRITY_MISMATCH', (dir: string) =>
      editEnvelope(join(dir, 'models/vad/1.0.0/manifest.json'), (e) => {
        e.signatures = [];
      })],
    ['an edited root.json', 'SIGNATURE_INVALID', (dir: string) =>
      editPayload(join(dir, 'root.json'), (r) => {
        r.expires = '2999-01-01T00:00:00.000Z';
      })],
    ['a deleted model file', 'INTEGRITY_MISMATCH', async (dir: string) => {
      await writeFile(join(dir, 'models/vad/1.0.0/model.onnx'), '');
    }],
  ])('exits 1 and names the problem for %s', async (_what, code, change) => {
    const run = await tampered(change);
    expect(run.code).toBe(1);
    expect(run.err).toContain(`${code}:`);
    expect(run.err).not.toMatch(/\n\s+at /);
  });

  it('refuses a registry whose root does not chain to the shipped root', async () => {
    const other = join(await tempDir(), 'keys');
    await makeKeys(other, 'root');
    const run = await tampered(async (dir) => {
      await cp(join(keys, 'targets.public.json'), join(other, 'targets.public.json'));
      const fresh = join(await tempDir(), 'r');
      await ok('init', fresh, '--root-key', join(other, 'root.private.json'), '--targets-key', join(other, 'targets.public.json'));
      await cp(join(fresh, 'root.json'), join(dir, 'root.json'));
    });
    expect(run.code).toBe(1);
    expect(run.err).toContain('METADATA_INVALID:');
  });
});
