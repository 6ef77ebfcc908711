// The demo's registry: keys and a signed registry made with the CLI, as an operator
// would, holding the models `npm run models` prepared. Rebuilt when missing, re-signed
// when its index is about to expire.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runCli as cli } from './run-cli.js';

export const DEMO_DIR = join('demo', 'registry');
const KEYS_DIR = join('.cache', 'demo-keys');

const DEMO_MODELS = [
  { name: 'silero-vad', file: join('models', 'silero_vad_v5.onnx') },
  { name: 'ppocr-det', file: join('models', 'ppocr_det.onnx') },
  { name: 'tiny-affine', file: join('models', 'tiny_affine.onnx') },
];

function indexExpiresSoon(): boolean {
  const envelope = JSON.parse(readFileSync(join(DEMO_DIR, 'index.json'), 'utf8')) as { payload: string };
  const index = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as { expires: string };
  return Date.parse(index.expires) - Date.now() < 24 * 3600 * 1000;
}

export async function ensureDemoRegistry(): Promise<void> {
  const targetsKey = join(KEYS_DIR, 'targets.private.json');
  const complete = existsSync(join(DEMO_DIR, 'index.json')) && existsSync(targetsKey);
  if (complete) {
    if (indexExpiresSoon()) await cli('resign', DEMO_DIR, '--key', targetsKey);
    return;
  }
  rmSync(DEMO_DIR, { recursive: true, force: true });
  rmSync(KEYS_DIR, { recursive: true, force: true });
  await cli('keygen', '--out', KEYS_DIR, '--name', 'root');
  await cli('keygen', '--out', KEYS_DIR, '--name', 'targets');
  await cli('init', DEMO_DIR, '--root-key', join(KEYS_DIR, 'root.private.json'), '--targets-key', join(KEYS_DIR, 'targets.public.json'));
  for (const model of DEMO_MODELS) {
    await cli('publish', DEMO_DIR, model.file, '--name', model.name, '--version', '1.0.0', '--key', targetsKey);
    await cli('release', DEMO_DIR, '--name', model.name, '--version', '1.0.0', '--key', targetsKey);
  }
  await cli('verify', DEMO_DIR, '--root', join(DEMO_DIR, 'root.json'));
  console.log(`demo registry signed in ${DEMO_DIR} (keys in ${KEYS_DIR})`);
}
