// A signed registry built with the project's CLI, exactly as an operator would.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../../scripts/run-cli.js';

export interface BenchRegistry {
  dir: string;
  rootText: string;
  /** The targets key that signs the index, for benches that re-sign it. */
  targetsKey: string;
}

const outpost = (argv: string[]) => runCli(...argv);

/** keygen, init, then publish and release each model on `stable` with default chunking. */
export async function buildBenchRegistry(
  workDir: string,
  models: Array<{ name: string; version: string; file: string }>,
): Promise<BenchRegistry> {
  const keys = join(workDir, 'keys');
  const dir = join(workDir, 'registry');
  await mkdir(keys, { recursive: true });
  await outpost(['keygen', '--out', keys, '--name', 'root']);
  await outpost(['keygen', '--out', keys, '--name', 'targets']);
  await outpost(['init', dir, '--root-key', join(keys, 'root.private.json'), '--targets-key', join(keys, 'targets.public.json')]);
  const sign = ['--key', join(keys, 'targets.private.json')];
  for (const model of models) {
    await outpost(['publish', dir, model.file, '--name', model.name, '--version', model.version, ...sign]);
    await outpost(['release', dir, '--name', model.name, '--version', model.version, ...sign]);
  }
  return { dir, rootText: await readFile(join(dir, 'root.json'), 'utf8'), targetsKey: join(keys, 'targets.private.json') };
}
