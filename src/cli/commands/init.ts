import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT_PATH, rootVersionPath } from '../../registry/layout.js';
import type { Root } from '../../registry/schema.js';
import { CliError, daysFlag, HELP_OPTION, integerFlag, parseCommand, required, UsageError } from '../args.js';
import type { CliContext } from '../context.js';
import { writeAtomic } from '../files.js';
import { loadPrivateKeys, loadPublicKeys } from '../keyfiles.js';
import { DEFAULT_ROOT_DAYS, expiresIn, writeSigned } from '../store.js';

export const summary = 'create a registry: its first root, signed by the root keys';

export const help = `Usage: outpost init <registryDir> --root-key <private.json>... --targets-key <public.json>...
                   [--timestamp-key <public.json>... [--timestamp-threshold N]] [--threshold N] [--expires <days>]

Creates <registryDir>/root.json and roots/1.root.json: root version 1, listing the
root keys (which sign root updates) and the targets keys (which sign the index and
manifests). Every given root key signs it. Ship root.json with your app as its
trustedRoot. The index is written by the first 'outpost publish', which holds
targets private keys (init only needs their public halves).
With --timestamp-key the root also has a timestamp role (TUF's timestamp): its keys
sign timestamp.json, a short-lived document pinning the index, so the index can live
long (365 days by default) and the targets keys stay offline between releases;
refresh it with 'outpost timestamp'.

Options:
  --root-key <file>     a root private key file; repeat for several keys
  --targets-key <file>  a targets public key file; repeat for several keys
  --timestamp-key <file>
                        a timestamp public key file; repeat for several keys
  --threshold N         signatures each role needs (root and targets); default 1
  --timestamp-threshold N
                        signatures the timestamp role needs; default --threshold
  --expires <days>      root lifetime; default ${DEFAULT_ROOT_DAYS}
  -h, --help            show this help`;

const OPTIONS = {
  'root-key': { type: 'string', multiple: true },
  'targets-key': { type: 'string', multiple: true },
  'timestamp-key': { type: 'string', multiple: true },
  'timestamp-threshold': { type: 'string' },
  threshold: { type: 'string' },
  expires: { type: 'string' },
  ...HELP_OPTION,
} as const;

export async function run(argv: string[], ctx: CliContext): Promise<number> {
  const { values, positionals, help: wantsHelp } = parseCommand(argv, OPTIONS, ['registryDir']);
  if (wantsHelp) return ctx.out(help), 0;
  const dir = positionals[0] as string;
  const rootKeys = await loadPrivateKeys(required(values['root-key'], '--root-key'));
  const targetsKeys = await loadPublicKeys(required(values['targets-key'], '--targets-key'));
  const threshold = integerFlag(values.threshold, '--threshold', 1, 32, 1);
  const days = daysFlag(values.expires, '--expires', DEFAULT_ROOT_DAYS);
  if (threshold > rootKeys.length || threshold > targetsKeys.length) {
    throw new UsageError(
      `--threshold ${threshold} needs at least ${threshold} distinct root and targets keys (got ${rootKeys.length} and ${targetsKeys.length})`,
    );
  }
  const timestampKeys = values['timestamp-key'] === undefined ? [] : await loadPublicKeys(values['timestamp-key']);
  const timestampThreshold = integerFlag(values['timestamp-threshold'], '--timestamp-threshold', 1, 32, threshold);
  if (timestampKeys.length > 0 && timestampThreshold > timestampKeys.length) {
    throw new UsageError(`--timestamp-threshold ${timestampThreshold} needs at least ${timestampThreshold} distinct timestamp keys (got ${timestampKeys.length})`);
  }
  if (timestampKeys.length === 0 && values['timestamp-threshold'] !== undefined) throw new UsageError('--timestamp-threshold needs --timestamp-key');
  for (const path of [ROOT_PATH, rootVersionPath(1)]) {
    const taken = await access(join(dir, path)).then(() => true, () => false);
    if (taken) throw new CliError('EEXIST', `${join(dir, path)} already exists; use 'outpost rotate-root' to change keys`);
  }

  const now = ctx.now();
  const keys: Root['keys'] = {};
  for (const key of [...rootKeys.map((k) => k.file), ...targetsKeys, ...timestampKeys]) keys[key.keyid] = { keytype: 'ed25519', public: key.public };
  const root: Root = {
    _type: 'root',
    spec: 1,
    version: 1,
    expires: expiresIn(now, days),
    keys,
    roles: {
      root: { keyids: rootKeys.map((k) => k.file.keyid), threshold },
      targets: { keyids: targetsKeys.map((k) => k.keyid), threshold },
      ...(timestampKeys.length === 0 ? {} : { timestamp: { keyids: timestampKeys.map((k) => k.keyid), threshold: timestampThreshold } }),
    },
  };
  const bytes = await writeSigned(dir, rootVersionPath(1), 'root', root, rootKeys.map((k) => k.signer));
  await writeAtomic(join(dir, ROOT_PATH), bytes);
  ctx.out(`initialised ${dir}: root version 1 (${rootKeys.length} root key(s), ${targetsKeys.length} targets key(s), threshold ${threshold}), expires ${root.expires}`);
  if (timestampKeys.length > 0) {
    ctx.out(`timestamp role: ${timestampKeys.length} key(s), threshold ${timestampThreshold}; pass a timestamp key to publish (--key) or run 'outpost timestamp'`);
  }
  ctx.out(`ship ${join(dir, ROOT_PATH)} with your app as its trustedRoot`);
  return 0;
}
