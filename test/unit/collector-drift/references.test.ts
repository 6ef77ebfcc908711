import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReferenceBook } from '../../../src/collector/drift/references.js';
import { registryReader } from '../../../src/collector/drift/registry-source.js';
import { editPayload, makeKeys, MODEL, ok, removeTempDirs, tempDir } from '../cli/harness.js';

afterAll(removeTempDirs);

describe('ReferenceBook', () => {
  let registry: string;
  let targetsKey: string;
  let root: Uint8Array;

  beforeAll(async () => {
    const base = await tempDir();
    const keys = join(base, 'keys');
    registry = join(base, 'registry');
    await makeKeys(keys, 'root', 'targets');
    targetsKey = join(keys, 'targets.private.json');
    await ok('init', registry, '--root-key', join(keys, 'root.private.json'), '--targets-key', join(keys, 'targets.public.json'));
    root = await readFile(join(registry, 'root.json'));
    const samples = join(base, 'samples.json');
    await writeFile(samples, JSON.stringify({ features: { 'input.input.mean': Array.from({ length: 40 }, (_, i) => i / 40) } }));
    await ok('publish', registry, MODEL, '--name', 'vad', '--version', '1.0.0', '--key', targetsKey, '--reference', samples);
    await ok('publish', registry, MODEL, '--name', 'vad', '--version', '1.1.0', '--key', targetsKey);
  });

  it('reads verified references, and tells a version without one from an unknown one', async () => {
    const book = new ReferenceBook(registryReader(registry), root);
    const report = await book.refresh();
    expect(report).toMatchObject({ versions: 2, withReference: 1, problems: [] });
    const found = book.lookup('vad', '1.0.0');
    expect(found.state).toBe('reference');
    if (found.state === 'reference') expect(found.reference.features[0]?.name).toBe('input.input.mean');
    expect(book.lookup('vad', '1.1.0')).toEqual({ state: 'no-reference' });
    expect(book.lookup('vad', '9.9.9')).toEqual({ state: 'unknown-version' });
  });

  it('picks up a new version when the registry changes', async () => {
    const book = new ReferenceBook(registryReader(registry), root);
    await book.refresh();
    await ok('publish', registry, MODEL, '--name', 'vad', '--version', '1.2.0', '--key', targetsKey);
    expect((await book.refresh()).versions).toBe(3);
    expect(book.lookup('vad', '1.2.0')).toEqual({ state: 'no-reference' });
  });

  it('serves the same references over HTTP', async () => {
    const server = createServer(async (req, res) => {
      try {
        res.end(await readFile(join(registry, decodeURIComponent(new URL(req.url!, 'http://x').pathname))));
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const book = new ReferenceBook(registryReader(url), root);
      expect((await book.refresh()).problems).toEqual([]);
      expect(book.lookup('vad', '1.0.0').state).toBe('reference');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('refuses a tampered manifest and reports it with its code', async () => {
    const book = new ReferenceBook(registryReader(registry), root);
    await editPayload(join(registry, 'models/vad/1.0.0/manifest.json'), (payload) => {
      payload.reference.features[0].counts[0] += 1;
    });
    const report = await book.refresh();
    expect(report.problems.join('\n')).toMatch(/vad@1\.0\.0: INTEGRITY_MISMATCH/);
    expect(book.lookup('vad', '1.0.0')).toEqual({ state: 'unknown-version' });
  });

  it('refuses a registry signed under another root', async () => {
    const other = await tempDir();
    await makeKeys(other, 'root');
    await ok('init', join(other, 'reg'), '--root-key', join(other, 'root.private.json'), '--targets-key', join(other, 'root.public.json'));
    const book = new ReferenceBook(registryReader(registry), await readFile(join(other, 'reg', 'root.json')));
    const report = await book.refresh();
    expect(report.problems.join('\n')).toMatch(/SIGNATURE_INVALID/);
    expect(book.versions()).toEqual([]);
  });
});
