/** Runs the CLI in-process against temp folders, capturing its output. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.js';

export const MODEL = 'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx';

export interface Run {
  code: number;
  out: string;
  err: string;
}

export async function outpost(argv: string[], now?: Date): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    ...(now === undefined ? {} : { now: () => now }),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Runs the CLI and fails the test unless it exits 0. */
export async function ok(...argv: string[]): Promise<Run> {
  const run = await outpost(argv);
  if (run.code !== 0) throw new Error(`outpost ${argv.join(' ')} exited ${run.code}: ${run.err}`);
  return run;
}

const tempDirs: string[] = [];

export async function tempDir(prefix = 'outpost-cli-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Removes every folder {@link tempDir} made (call from afterAll). */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export async function makeKeys(dir: string, ...names: string[]): Promise<void> {
  for (const name of names) await ok('keygen', '--out', dir, '--name', name);
}

/** Decodes an envelope file, lets `edit` change its payload object, re-encodes it (signatures left as they were). */
export async function editPayload(path: string, edit: (payload: Record<string, any>) => void): Promise<void> {
  const envelope = JSON.parse(await readFile(path, 'utf8'));
  const payload = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
  edit(payload);
  envelope.payload = Buffer.from(JSON.stringify(payload)).toString('base64');
  await writeFile(path, JSON.stringify(envelope, null, 2));
}

export async function editEnvelope(path: string, edit: (envelope: Record<string, any>) => void): Promise<void> {
  const envelope = JSON.parse(await readFile(path, 'utf8'));
  edit(envelope);
  await writeFile(path, JSON.stringify(envelope, null, 2));
}

export async function readPayload(path: string): Promise<Record<string, any>> {
  const envelope = JSON.parse(await readFile(path, 'utf8'));
  return JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
}
