import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyFiles } from '../../registry/keys.js';
import { CliError, HELP_OPTION, parseCommand, required, UsageError } from '../args.js';
import type { CliContext } from '../context.js';
import { writeAtomic } from '../files.js';

export const summary = 'create an Ed25519 key pair';

export const help = `Usage: outpost keygen --out <dir> --name <keyname>

Writes <dir>/<keyname>.private.json (mode 0600: keep it secret, never publish it)
and <dir>/<keyname>.public.json. Refuses to overwrite existing key files.

Options:
  --out <dir>       folder for the two key files (created if missing)
  --name <keyname>  file name stem: letters, digits, '.', '_' or '-'
  -h, --help        show this help`;

const OPTIONS = { out: { type: 'string' }, name: { type: 'string' }, ...HELP_OPTION } as const;

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export async function run(argv: string[], ctx: CliContext): Promise<number> {
  const { values, help: wantsHelp } = parseCommand(argv, OPTIONS, []);
  if (wantsHelp) return ctx.out(help), 0;
  const out = required(values.out, '--out');
  const name = required(values.name, '--name');
  if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/.test(name)) throw new UsageError(`--name must be a plain file name stem, got '${name}'`);

  const privatePath = join(out, `${name}.private.json`);
  const publicPath = join(out, `${name}.public.json`);
  for (const path of [privatePath, publicPath]) {
    if (await exists(path)) throw new CliError('EEXIST', `${path} already exists; refusing to overwrite a key`);
  }
  const { publicFile, privateFile } = await generateKeyFiles();
  await writeAtomic(privatePath, `${JSON.stringify(privateFile, null, 2)}\n`, 0o600);
  await writeAtomic(publicPath, `${JSON.stringify(publicFile, null, 2)}\n`);
  ctx.out(`key ${publicFile.keyid}`);
  ctx.out(`  private: ${privatePath} (keep secret)`);
  ctx.out(`  public:  ${publicPath}`);
  return 0;
}
