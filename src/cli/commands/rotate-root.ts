import { join } from 'node:path';
import { ROOT_PATH, rootVersionPath } from '../../registry/layout.js';
import { parseEnvelopeBytes } from '../../registry/parse.js';
import type { Role, Root } from '../../registry/schema.js';
import { verifyRootUpdate } from '../../registry/verify.js';
import { CliError, daysFlag, HELP_OPTION, integerFlag, parseCommand, required, UsageError } from '../args.js';
import type { CliContext } from '../context.js';
import { readOptional, writeAtomic } from '../files.js';
import { loadPrivateKeys, loadPublicKeys, roleSigners } from '../keyfiles.js';
import { DEFAULT_ROOT_DAYS, expiresIn, loadRoot, signDocument } from '../store.js';

export const summary = 'write root version N+1 (new root keys, targets keys, threshold or expiry)';

export const help = `Usage: outpost rotate-root <registryDir> --key <old root private.json>... --new-root-key <private.json>...
                          [--targets-key <public.json>...] [--threshold N] [--expires <days>]
                          [--timestamp-key <public.json>... [--timestamp-threshold N] | --remove-timestamp-role]

Writes roots/<N+1>.root.json and root.json, signed by a threshold of the current
root keys (--key) and by every new root key (--new-root-key), so clients holding
root N can verify the step. Pass the current root keys as --new-root-key to keep
them (e.g. only to extend the expiry). Without --targets-key the targets keys stay.
If the targets keys change, run 'outpost resign' with the new ones next: until
then clients refuse the index and manifests. --timestamp-key adds or replaces the
timestamp role (without it the role stays as it is): that is how a registry made
without one gains it. Run 'outpost timestamp' with the new timestamp key right after;
clients holding the new root refuse the registry until timestamp.json verifies.

Options:
  --key <file>           a current root private key file; repeat up to its threshold
  --new-root-key <file>  a private key file of the new root role; repeat
  --targets-key <file>   a public key file of the new targets role; repeat
  --threshold N          signatures each role needs; default: the current thresholds
  --timestamp-key <file> a public key file of the new timestamp role; repeat
  --timestamp-threshold N
                         signatures the timestamp role needs; default: the current
                         one, else --threshold, else 1
  --remove-timestamp-role
                         drop the timestamp role (the index's own expiry is freshness again)
  --expires <days>       root lifetime; default ${DEFAULT_ROOT_DAYS}
  -h, --help             show this help`;

const OPTIONS = {
  key: { type: 'string', multiple: true },
  'new-root-key': { type: 'string', multiple: true },
  'targets-key': { type: 'string', multiple: true },
  'timestamp-key': { type: 'string', multiple: true },
  'timestamp-threshold': { type: 'string' },
  'remove-timestamp-role': { type: 'boolean' },
  threshold: { type: 'string' },
  expires: { type: 'string' },
  ...HELP_OPTION,
} as const;

export async function run(argv: string[], ctx: CliContext): Promise<number> {
  const { values, positionals, help: wantsHelp } = parseCommand(argv, OPTIONS, ['registryDir']);
  if (wantsHelp) return ctx.out(help), 0;
  const dir = positionals[0] as string;
  const oldKeyPaths = required(values.key, '--key');
  const newRootKeys = await loadPrivateKeys(required(values['new-root-key'], '--new-root-key'));
  const days = daysFlag(values.expires, '--expires', DEFAULT_ROOT_DAYS);

  const current = await loadRoot(dir);
  const oldSigners = roleSigners(current, 'root', await loadPrivateKeys(oldKeyPaths));
  const targets =
    values['targets-key'] === undefined
      ? current.roles.targets.keyids.map((keyid) => ({ keyid, public: (current.keys[keyid] as { public: string }).public }))
      : await loadPublicKeys(values['targets-key']);
  const threshold = integerFlag(values.threshold, '--threshold', 1, 32, 0);
  const rootThreshold = threshold || current.roles.root.threshold;
  const targetsThreshold = threshold || current.roles.targets.threshold;
  if (rootThreshold > newRootKeys.length || targetsThreshold > targets.length) {
    throw new UsageError(
      `thresholds ${rootThreshold} (root) and ${targetsThreshold} (targets) need as many keys (got ${newRootKeys.length} and ${targets.length}); pass --threshold`,
    );
  }

  const timestamp = await timestampRole(current, values, threshold);
  const keys: Root['keys'] = {};
  for (const key of [...newRootKeys.map((k) => k.file), ...targets, ...(timestamp?.keys ?? [])]) keys[key.keyid] = { keytype: 'ed25519', public: key.public };
  const next: Root = {
    _type: 'root',
    spec: 1,
    version: current.version + 1,
    expires: expiresIn(ctx.now(), days),
    keys,
    roles: {
      root: { keyids: newRootKeys.map((k) => k.file.keyid), threshold: rootThreshold },
      targets: { keyids: targets.map((k) => k.keyid), threshold: targetsThreshold },
      ...(timestamp === undefined ? {} : { timestamp: timestamp.role }),
    },
  };
  const path = rootVersionPath(next.version);
  if (await readOptional(join(dir, path))) {
    // Clients may already hold it: a published root version is never replaced.
    throw new CliError('EEXIST', `${join(dir, path)} exists but ${ROOT_PATH} is version ${current.version}; run 'outpost verify'`);
  }
  const bytes = await signDocument(path, 'root', next, [...oldSigners, ...newRootKeys.map((k) => k.signer)]);
  // The same check a client makes, before anything is written.
  await verifyRootUpdate(current, parseEnvelopeBytes(bytes, bytes.length, path), path);
  await writeAtomic(join(dir, path), bytes);
  await writeAtomic(join(dir, ROOT_PATH), bytes);

  ctx.out(`root version ${next.version} written (${path} and ${ROOT_PATH}), expires ${next.expires}`);
  const targetsChanged = next.roles.targets.keyids.join() !== current.roles.targets.keyids.join() || targetsThreshold !== current.roles.targets.threshold;
  if (targetsChanged) ctx.out(`targets keys changed: run 'outpost resign ${dir} --key <new targets key>...' next`);
  const timestampChanged = JSON.stringify(next.roles.timestamp) !== JSON.stringify(current.roles.timestamp);
  if (timestampChanged && timestamp !== undefined) ctx.out(`timestamp role changed: run 'outpost timestamp ${dir} --key <timestamp key>...' next`);
  if (timestampChanged && timestamp === undefined) ctx.out('timestamp role removed: clients take freshness from the index expiry again');
  return 0;
}

type PublicKey = { keyid: string; public: string };

/** The timestamp role of the next root: given keys, the current role kept, or none. */
async function timestampRole(
  current: Root,
  values: { 'timestamp-key'?: string[]; 'timestamp-threshold'?: string; 'remove-timestamp-role'?: boolean },
  threshold: number,
): Promise<{ keys: PublicKey[]; role: Role } | undefined> {
  if (values['remove-timestamp-role'] === true) {
    if (values['timestamp-key'] !== undefined) throw new UsageError('--remove-timestamp-role and --timestamp-key exclude each other');
    return undefined;
  }
  const role = current.roles.timestamp;
  const keys: PublicKey[] =
    values['timestamp-key'] !== undefined
      ? await loadPublicKeys(values['timestamp-key'])
      : (role?.keyids ?? []).map((keyid) => ({ keyid, public: (current.keys[keyid] as { public: string }).public }));
  if (keys.length === 0) {
    if (values['timestamp-threshold'] !== undefined) throw new UsageError('--timestamp-threshold needs --timestamp-key');
    return undefined;
  }
  const fallback = role?.threshold ?? (threshold || 1);
  const count = integerFlag(values['timestamp-threshold'], '--timestamp-threshold', 1, 32, fallback);
  if (count > keys.length) throw new UsageError(`timestamp threshold ${count} needs as many timestamp keys (got ${keys.length}); pass --timestamp-threshold`);
  return { keys, role: { keyids: keys.map((k) => k.keyid), threshold: count } };
}
