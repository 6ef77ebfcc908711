// Builds real registries with the CLI, as an operator would, for the delivery specs.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli as cli } from '../../../scripts/run-cli.js';

export interface RegistryFixture {
  dir: string;
  keysDir: string;
  rootText: string;
  cli(...argv: string[]): Promise<void>;
  read(path: string): Promise<Uint8Array>;
}

/**
 * A registry with `targets` threshold `threshold`, keys `root1..threshold`, `targets1..n`, and the
 * given models published and released on `stable`.
 */
export async function buildRegistry(options: {
  threshold?: number;
  targets?: number;
  chunkSize?: number;
  /** Give the root a timestamp role (key `timestamp`); every index verb then signs timestamp.json too. */
  timestamp?: boolean;
  /** `flags`: more `outpost publish` flags for that version (e.g. `--sample-inputs 1`). */
  models: Array<{ name: string; version: string; file: string; release?: boolean | number; flags?: string[] }>;
}): Promise<RegistryFixture> {
  const base = await mkdtemp(join(tmpdir(), 'outpost-registry-'));
  const keysDir = join(base, 'keys');
  const dir = join(base, 'registry');
  const targets = options.targets ?? 1;
  // As many root keys as the threshold, since init applies it to both roles.
  const rootArgs: string[] = [];
  for (let i = 1; i <= (options.threshold ?? 1); i++) {
    await cli('keygen', '--out', keysDir, '--name', `root${i}`);
    rootArgs.push('--root-key', join(keysDir, `root${i}.private.json`));
  }
  const targetArgs: string[] = [];
  const signArgs: string[] = [];
  for (let i = 1; i <= targets; i++) {
    await cli('keygen', '--out', keysDir, '--name', `targets${i}`);
    targetArgs.push('--targets-key', join(keysDir, `targets${i}.public.json`));
    if (i <= (options.threshold ?? 1)) signArgs.push('--key', join(keysDir, `targets${i}.private.json`));
  }
  const timestampArgs: string[] = [];
  if (options.timestamp === true) {
    await cli('keygen', '--out', keysDir, '--name', 'timestamp');
    timestampArgs.push('--timestamp-key', join(keysDir, 'timestamp.public.json'), '--timestamp-threshold', '1');
    signArgs.push('--key', join(keysDir, 'timestamp.private.json'));
  }
  await cli('init', dir, ...rootArgs, ...targetArgs, ...timestampArgs, '--threshold', String(options.threshold ?? 1));
  for (const model of options.models) {
    await cli(
      'publish', dir, model.file, '--name', model.name, '--version', model.version, ...signArgs,
      ...(options.chunkSize ? ['--chunk-size', String(options.chunkSize)] : []),
      ...(model.flags ?? []),
    );
    if (model.release !== false) {
      const rollout = typeof model.release === 'number' ? ['--rollout', String(model.release)] : [];
      await cli('release', dir, '--name', model.name, '--version', model.version, ...rollout, ...signArgs);
    }
  }
  return {
    dir,
    keysDir,
    rootText: await readFile(join(dir, 'root.json'), 'utf8'),
    cli,
    read: async (path) => new Uint8Array(await readFile(join(dir, path))),
  };
}
