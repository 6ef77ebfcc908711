import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERATED_MODELS } from '../../../scripts/models.js';
import { computeReference } from '../../../src/registry/reference.js';
import { makeKeys, ok, outpost, removeTempDirs, tempDir } from '../cli/harness.js';

async function readPayload(path: string): Promise<Record<string, any>> {
  const envelope = JSON.parse(await readFile(path, 'utf8'));
  return JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
}

const softmaxTop = (row: number[]) => {
  const max = Math.max(...row);
  return 1 / row.reduce((sum, v) => sum + Math.exp(v - max), 0);
};

describe('publish --reference-inputs on tiny_affine (y = 2x + 1)', () => {
  let base: string;
  let registry: string;
  let keys: string;
  let model: string;

  beforeAll(async () => {
    base = await tempDir();
    keys = join(base, 'keys');
    registry = join(base, 'registry');
    model = join(base, 'tiny_affine.onnx');
    const affine = GENERATED_MODELS.find((m) => m.file === 'tiny_affine.onnx');
    if (!affine) throw new Error('tiny_affine.onnx is not among the generated models');
    await writeFile(model, affine.build());
    await makeKeys(keys, 'root', 'targets');
    await ok('init', registry, '--root-key', join(keys, 'root.private.json'), '--targets-key', join(keys, 'targets.public.json'));
  });
  afterAll(removeTempDirs);

  it('signs the features of the inputs and of the outputs into the manifest', async () => {
    const inputs = join(base, 'feeds.jsonl');
    await writeFile(
      inputs,
      [
        JSON.stringify({ x: { type: 'float32', dims: [1, 4], data: [0, 1, 2, 3] } }),
        '',
        JSON.stringify({ x: { type: 'float32', dims: [1, 4], data: [1, 1, 1, 1] } }),
      ].join('\n'),
    );
    await ok('publish', registry, model, '--name', 'affine', '--version', '1.0.0', '--key', join(keys, 'targets.private.json'), '--reference-inputs', inputs);
    const manifest = await readPayload(join(registry, 'models/affine/1.0.0/manifest.json'));

    // By hand: y = [1, 3, 5, 7] and [3, 3, 3, 3]; y [1, 4] is one row of 4 class scores.
    const expected = computeReference({
      features: {
        'input.x.value': [0, 1, 2, 3, 1, 1, 1, 1],
        'input.x.mean': [1.5, 1],
        'input.x.std': [Math.sqrt(1.25), 0],
        'output.y.value': [1, 3, 5, 7, 3, 3, 3, 3],
        'output.y.mean': [4, 3],
        'output.y.std': [Math.sqrt(5), 0],
        'output.y.top_class': [3, 0],
        'output.y.top_prob': [softmaxTop([1, 3, 5, 7]), 0.25],
      },
    });
    expect(manifest.reference.features.map((f: { name: string }) => f.name)).toEqual(expected.features.map((f) => f.name));
    for (const [i, feature] of manifest.reference.features.entries()) {
      const want = expected.features[i]!;
      expect(feature.counts).toEqual(want.counts);
      expect(feature.edges).toHaveLength(want.edges.length);
      feature.edges.forEach((edge: number, j: number) => expect(edge).toBeCloseTo(want.edges[j]!, 5));
    }
    // Ten quantile bins over two means [1, 1.5]: edges at both, one run in each of the first two buckets.
    expect(manifest.reference.features.find((f: { name: string }) => f.name === 'input.x.mean')).toEqual({ name: 'input.x.mean', edges: [1, 1.5], counts: [1, 1, 0] });
  });

  it('refuses a line that does not match the model feed format, naming the line', async () => {
    const inputs = join(base, 'bad.jsonl');
    await writeFile(inputs, `${JSON.stringify({ x: { type: 'float32', dims: [1, 4], data: [0, 1, 2] } })}\n`);
    const run = await outpost(['publish', registry, model, '--name', 'affine', '--version', '1.0.1', '--key', join(keys, 'targets.private.json'), '--reference-inputs', inputs]);
    expect(run.code).not.toBe(0);
    expect(run.err).toMatch(/bad\.jsonl:1: x has 3 values/);
  });
});
