import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestSchema, sampleInputsSchema } from '../../../src/registry/schema.js';
import { editPayload, makeKeys, MODEL, ok, outpost, readPayload, removeTempDirs, tempDir } from './harness.js';

afterAll(removeTempDirs);

describe('outpost publish --sample-inputs', () => {
  let base: string;
  let registry: string;
  let key: string;

  beforeAll(async () => {
    base = await tempDir();
    registry = join(base, 'registry');
    await makeKeys(join(base, 'keys'), 'root', 'targets');
    await ok('init', registry, '--root-key', join(base, 'keys/root.private.json'), '--targets-key', join(base, 'keys/targets.public.json'));
    key = join(base, 'keys/targets.private.json');
  });

  const publish = (version: string, ...flags: string[]) => outpost(['publish', registry, MODEL, '--name', 'vad', '--version', version, '--key', key, ...flags]);

  it.each([
    ['0'], ['-0.5'], ['1.5'], ['abc'], [''], ['NaN'],
  ])('refuses rate %j with a usage error (exit 2) and publishes nothing', async (rate) => {
    const run = await publish('9.0.0', `--sample-inputs=${rate}`);
    expect(run.code).toBe(2);
    expect(run.err).toContain('--sample-inputs must be a number above 0 and at most 1');
    await expect(stat(join(registry, 'models/vad/9.0.0'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.each([
    [['--sample-max-bytes', '4096'], 'need --sample-inputs'],
    [['--sample-inputs', '0.1', '--sample-max-bytes', '0'], '--sample-max-bytes must be an integer from 1 to 262144'],
    [['--sample-inputs', '0.1', '--sample-max-bytes', '300000'], '--sample-max-bytes must be an integer from 1 to 262144'],
    [['--sample-inputs', '0.1', '--sample-window-bytes', '2000000'], '--sample-window-bytes must be an integer from 1 to 1048576'],
    [['--sample-inputs', '0.1', '--sample-max-bytes', '9000', '--sample-window-bytes', '8000'], 'must be at least --sample-max-bytes'],
  ])('refuses %j', async (flags, message) => {
    const run = await publish('9.0.1', ...flags);
    expect(run.code).toBe(2);
    expect(run.err).toContain(message);
  });

  it('signs the opt-in into the manifest, with the default caps', async () => {
    const run = await publish('1.0.0', '--sample-inputs', '0.25');
    expect(run.code).toBe(0);
    expect(run.out).toContain('sampled inputs: 0.25 of runs, at most 8192 bytes a record and 65536 a window');
    const manifest = await readPayload(join(registry, 'models/vad/1.0.0/manifest.json'));
    expect(manifest.sampleInputs).toEqual({ rate: 0.25, maxRecordBytes: 8192, maxWindowBytes: 65536 });
    expect(manifestSchema.parse(manifest).sampleInputs).toEqual(manifest.sampleInputs);
  });

  it('takes explicit caps, and leaves the field out without the flag', async () => {
    expect((await publish('1.1.0', '--sample-inputs', '1', '--sample-max-bytes', '3100', '--sample-window-bytes', '6200')).code).toBe(0);
    expect((await readPayload(join(registry, 'models/vad/1.1.0/manifest.json'))).sampleInputs).toEqual({ rate: 1, maxRecordBytes: 3100, maxWindowBytes: 6200 });
    expect((await publish('1.2.0')).code).toBe(0);
    const plain = await readPayload(join(registry, 'models/vad/1.2.0/manifest.json'));
    expect(plain).not.toHaveProperty('sampleInputs');
    // A manifest without the field stays valid.
    expect(manifestSchema.safeParse(plain).success).toBe(true);
  });

  it('is covered by the signature: raising the rate in storage fails verification', async () => {
    const run = await outpost(['verify', registry, '--root', join(registry, 'root.json')]);
    expect(run.code).toBe(0);
    await editPayload(join(registry, 'models/vad/1.0.0/manifest.json'), (payload) => {
      payload.sampleInputs.rate = 1;
    });
    const tampered = await outpost(['verify', registry, '--root', join(registry, 'root.json')]);
    expect(tampered.code).not.toBe(0);
    expect(tampered.err).toMatch(/SIGNATURE_INVALID|INTEGRITY_MISMATCH/);
  });

  it('the schema refuses rates outside (0, 1] and a window below one record', () => {
    const valid = { rate: 0.5, maxRecordBytes: 100, maxWindowBytes: 100 };
    for (const bad of [{ ...valid, rate: 0 }, { ...valid, rate: 1.01 }, { ...valid, maxWindowBytes: 99 }, { ...valid, maxRecordBytes: 300_000, maxWindowBytes: 300_000 }]) {
      expect(sampleInputsValid(bad), JSON.stringify(bad)).toBe(false);
    }
    expect(sampleInputsValid(valid)).toBe(true);
  });
});

function sampleInputsValid(value: unknown): boolean {
  return sampleInputsSchema.safeParse(value).success;
}
