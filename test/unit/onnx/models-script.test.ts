import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COPIED_MODELS,
  GENERATED_MODELS,
  MissingModelSourceError,
  syncModels,
  type ModelIndexEntry,
} from '../../../scripts/models.js';

describe('npm run models (syncModels)', () => {
  let outDir: string;
  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'outpost-models-'));
  });
  afterAll(() => rm(outDir, { recursive: true, force: true }));

  it('copies and generates every model, then finds them up to date', async () => {
    const first = await syncModels({ outDir });
    expect(first.entries.map((e) => [e.file, e.action])).toEqual([
      ...COPIED_MODELS.map((m) => [m.file, 'copied']),
      ...GENERATED_MODELS.map((m) => [m.file, 'generated']),
    ]);
    expect(first.indexWritten).toBe(true);

    const mtimes = await Promise.all(first.entries.map((e) => stat(join(outDir, e.file)).then((s) => s.mtimeMs)));
    const second = await syncModels({ outDir });
    expect(second.entries.every((e) => e.action === 'up to date')).toBe(true);
    expect(second.indexWritten).toBe(false);
    const after = await Promise.all(second.entries.map((e) => stat(join(outDir, e.file)).then((s) => s.mtimeMs)));
    expect(after).toEqual(mtimes);
  });

  it('indexes each file with its real hash, size and interface', async () => {
    const index = JSON.parse(await readFile(join(outDir, 'models.json'), 'utf8')) as { models: ModelIndexEntry[] };
    expect(index.models.map((m) => m.file)).toEqual([
      'silero_vad_v5.onnx',
      'ppocr_det.onnx',
      'tiny_affine.onnx',
      'tiny_multi.onnx',
      'tiny_cpu_only.onnx',
    ]);
    for (const entry of index.models) {
      const bytes = await readFile(join(outDir, entry.file));
      expect(entry.bytes).toBe(bytes.length);
      expect(entry.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    const silero = index.models[0];
    expect(silero?.source).toMatchObject({ kind: 'npm', package: '@ricky0123/vad-web', license: 'ISC' });
    expect(silero?.inputs.map((i) => i.name)).toEqual(['input', 'state', 'sr']);
    const affine = index.models.find((m) => m.file === 'tiny_affine.onnx');
    expect(affine?.source).toMatchObject({ kind: 'generated', description: expect.stringContaining('x * 2 + 1') });
    expect(affine?.inputs).toEqual([{ name: 'x', type: 'float32', dims: ['batch', 4] }]);
  });

  it('regenerates a generated model that was tampered with', async () => {
    await writeFile(join(outDir, 'tiny_affine.onnx'), 'not a model');
    const result = await syncModels({ outDir });
    expect(result.entries.find((e) => e.file === 'tiny_affine.onnx')?.action).toBe('generated');
    expect(result.indexWritten).toBe(false); // same bytes as before, so the same index
  });

  it('fails with the package names, and writes nothing, when a source package is missing', async () => {
    const emptyOut = await mkdtemp(join(tmpdir(), 'outpost-models-missing-'));
    const nowhere = await mkdtemp(join(tmpdir(), 'outpost-no-packages-'));
    try {
      const attempt = syncModels({ outDir: emptyOut, packageRoot: nowhere });
      await expect(attempt).rejects.toBeInstanceOf(MissingModelSourceError);
      await expect(attempt).rejects.toThrow(/@ricky0123\/vad-web[\s\S]*@gutenye\/ocr-models[\s\S]*npm install/);
      expect(await readdir(emptyOut)).toEqual([]);
    } finally {
      await rm(emptyOut, { recursive: true, force: true });
      await rm(nowhere, { recursive: true, force: true });
    }
  });
});
