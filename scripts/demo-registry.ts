// The demo's registry: dev keys and a signed registry made with the CLI, as an operator
// would, holding the models `npm run models` prepared. Rebuilt when missing (or when the
// CLI has learnt to sign drift references it lacks), re-signed when its index is about
// to expire. Keys live in the ignored data folder and are never committed.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli as cli } from './run-cli.js';

export const DATA_DIR = '.cache';
export const DEMO_DIR = join('demo', 'registry');
export const KEYS_DIR = join(DATA_DIR, 'demo-keys');
const BUILD_NOTE = join(DEMO_DIR, 'demo-build.json');

const DEMO_MODELS = [
  { name: 'silero-vad', file: join('models', 'silero_vad_v5.onnx') },
  { name: 'ppocr-det', file: join('models', 'ppocr_det.onnx') },
  { name: 'tiny-affine', file: join('models', 'tiny_affine.onnx') },
];

export interface DemoRegistryOptions {
  /** Per model name, a JSON Lines file of example feeds for `publish --reference-inputs`. */
  referenceInputs?: Record<string, string>;
}

export interface DemoRegistry {
  dir: string;
  root: string;
  action: 'reused' | 'resigned' | 'built';
}

function indexExpiresSoon(): boolean {
  const envelope = JSON.parse(readFileSync(join(DEMO_DIR, 'index.json'), 'utf8')) as { payload: string };
  const index = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as { expires: string };
  return Date.parse(index.expires) - Date.now() < 24 * 3600 * 1000;
}

function builtWithReferences(): boolean {
  if (!existsSync(BUILD_NOTE)) return false;
  return (JSON.parse(readFileSync(BUILD_NOTE, 'utf8')) as { referenceInputs?: boolean }).referenceInputs === true;
}

export async function ensureDemoRegistry(options: DemoRegistryOptions = {}): Promise<DemoRegistry> {
  const targetsKey = join(KEYS_DIR, 'targets.private.json');
  const wantsReferences = options.referenceInputs !== undefined;
  const result = (action: DemoRegistry['action']): DemoRegistry => ({ dir: DEMO_DIR, root: join(DEMO_DIR, 'root.json'), action });
  const complete = existsSync(join(DEMO_DIR, 'index.json')) && existsSync(targetsKey);
  if (complete && (!wantsReferences || builtWithReferences())) {
    if (!indexExpiresSoon()) return result('reused');
    await cli('resign', DEMO_DIR, '--key', targetsKey);
    return result('resigned');
  }
  rmSync(DEMO_DIR, { recursive: true, force: true });
  if (!existsSync(targetsKey)) {
    rmSync(KEYS_DIR, { recursive: true, force: true });
    await cli('keygen', '--out', KEYS_DIR, '--name', 'root');
    await cli('keygen', '--out', KEYS_DIR, '--name', 'targets');
  }
  await cli('init', DEMO_DIR, '--root-key', join(KEYS_DIR, 'root.private.json'), '--targets-key', join(KEYS_DIR, 'targets.public.json'));
  for (const model of DEMO_MODELS) {
    const reference = options.referenceInputs?.[model.name];
    const extra = reference === undefined ? [] : ['--reference-inputs', reference];
    await cli('publish', DEMO_DIR, model.file, '--name', model.name, '--version', '1.0.0', '--key', targetsKey, ...extra);
    await cli('release', DEMO_DIR, '--name', model.name, '--version', '1.0.0', '--key', targetsKey);
  }
  await cli('verify', DEMO_DIR, '--root', join(DEMO_DIR, 'root.json'));
  writeFileSync(BUILD_NOTE, `${JSON.stringify({ referenceInputs: wantsReferences })}\n`);
  return result('built');
}
