import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModelFiles, node, tensor } from '../../../src/onnx/build.js';
import { externalModelExpected, externalModelInput, writeExternalModel } from '../../fixtures/external-model.js';
import { loadPrivateKeys, roleSigners } from '../../../src/cli/keyfiles.js';
import { loadIndex, loadRoot, nextIndex, writeIndex, writeSigned } from '../../../src/cli/store.js';
import { sha256Hex } from '../../../src/registry/encoding.js';
import type { Manifest } from '../../../src/registry/schema.js';
import { makeKeys, ok, outpost, readPayload, removeTempDirs, tempDir } from './harness.js';

let keys: string;
let registry: string;
let models: string;

async function freshRegistry(): Promise<string> {
  const dir = join(await tempDir(), 'registry');
  await ok('init', dir, '--root-key', join(keys, 'root.private.json'), '--targets-key', join(keys, 'targets.public.json'));
  return dir;
}

const publish = (dir: string, model: string, version: string) =>
  outpost(['publish', dir, model, '--name', 'wide', '--version', version, '--key', join(keys, 'targets.private.json'), '--chunk-size', '16384']);

beforeAll(async () => {
  keys = await tempDir();
  await makeKeys(keys, 'root', 'targets');
  models = await tempDir();
  await writeExternalModel(models);
  registry = await freshRegistry();
});

afterAll(removeTempDirs);

describe('publish and verify with external data', () => {
  it('signs the external file into the manifest beside the model, and it loads from the registry', async () => {
    const run = await publish(registry, join(models, 'wide.onnx'), '1.0.0');
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain('external data: wide.weights (66560 bytes, 5 chunk(s))');
    const manifest = await readPayload(join(registry, 'models/wide/1.0.0/manifest.json'));
    expect(manifest.files.map((f: { path: string }) => f.path)).toEqual(['models/wide/1.0.0/model.onnx', 'models/wide/1.0.0/wide.weights']);
    expect(manifest.model.externalData).toEqual([{ path: 'models/wide/1.0.0/wide.weights', location: 'wide.weights' }]);
    expect((await ok('verify', registry, '--root', join(registry, 'root.json'))).out).toContain('2 file(s)');

    // The published folder is a loadable model: onnxruntime-node finds the weights beside it.
    const session = await ort.InferenceSession.create(join(registry, 'models/wide/1.0.0/model.onnx'));
    const { y } = await session.run({ x: new ort.Tensor('float32', externalModelInput(), [1, 64]) });
    await session.release();
    const expected = externalModelExpected();
    const got = y!.data as Float32Array;
    expect(Math.max(...got.map((v, i) => Math.abs(v - (expected[i] as number))))).toBeLessThan(1e-4);
  });

  it('verify reports a tampered external file', async () => {
    const path = join(registry, 'models/wide/1.0.0/wide.weights');
    const original = await readFile(path);
    const bad = Buffer.from(original);
    bad[20_000] = (bad[20_000] ?? 0) ^ 1;
    await writeFile(path, bad);
    const run = await outpost(['verify', registry, '--root', join(registry, 'root.json')]);
    await writeFile(path, original);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/INTEGRITY_MISMATCH: models\/wide\/1\.0\.0\/wide\.weights: chunk 1/);
  });

  it('refuses a model whose external file is missing, naming it, and writes nothing', async () => {
    const dir = await tempDir();
    const { data } = await writeExternalModel(dir, 'lonely');
    await rm(data);
    const target = await freshRegistry();
    const run = await publish(target, join(dir, 'lonely.onnx'), '1.0.0');
    expect(run.code).toBe(1);
    expect(run.err).toContain('lonely.weights');
    expect(run.err).toContain('ENOENT');
    await expect(readFile(join(target, 'index.json'))).rejects.toThrow();
  });

  it('refuses external data outside the model folder', async () => {
    const dir = await tempDir();
    const { model } = buildModelFiles({
      inputs: [{ name: 'x', type: 'float32', dims: [1] }],
      outputs: [{ name: 'y', type: 'float32', dims: [1] }],
      nodes: [node('Add', ['x', 'b'], ['y'])],
      initializers: [tensor('b', 'float32', [1], [1])],
      externalData: '../secrets.bin',
    });
    await writeFile(join(dir, 'escape.onnx'), model);
    const run = await publish(await freshRegistry(), join(dir, 'escape.onnx'), '1.0.0');
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/METADATA_INVALID: .*'\.\.\/secrets\.bin'.*inside the model's folder/);
  });

  it('verify reports a registry whose manifest omits the external data the model needs', async () => {
    const dir = await freshRegistry();
    expect((await publish(dir, join(models, 'wide.onnx'), '1.0.0')).code).toBe(0);
    // What a CLI without external data support published: the model alone, properly signed.
    const now = new Date();
    const root = await loadRoot(dir);
    const signers = roleSigners(root, 'targets', await loadPrivateKeys([join(keys, 'targets.private.json')]));
    const path = 'models/wide/1.0.0/manifest.json';
    const manifest = (await readPayload(join(dir, path))) as Manifest;
    delete manifest.model.externalData;
    manifest.files = manifest.files.slice(0, 1);
    const bytes = await writeSigned(dir, path, 'manifest', manifest, signers);
    const index = nextIndex(await loadIndex(dir, root, now), now, 7);
    index.models['wide']!.versions['1.0.0']!.manifest = { path, length: bytes.length, sha256: await sha256Hex(bytes) };
    await writeIndex(dir, index, signers);

    const run = await outpost(['verify', dir, '--root', join(dir, 'root.json')]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/METADATA_INVALID: wide@1\.0\.0: the model stores tensors in wide\.weights, which its manifest does not list/);
  });
});
