import { daysFlag, HELP_OPTION, integerFlag, nameFlag, parseCommand, required, versionFlag } from '../args.js';
import type { CliContext } from '../context.js';
import { indexGuard, RECORD_HELP, RECORD_OPTIONS } from '../index-record.js';
import { releaseVersion } from '../index-edit.js';
import { loadPrivateKeys } from '../keyfiles.js';
import { DEFAULT_TIMESTAMP_DAYS, defaultIndexDays, indexSigners, stampIndex, TIMESTAMP_HELP, TIMESTAMP_OPTIONS } from '../timestamp-write.js';
import { DEFAULT_INDEX_DAYS, loadRoot, nextIndex, requireIndex, writeIndex } from '../store.js';

export const summary = 'point a channel at a published version, optionally for a percentage of installs';

export const help = `Usage: outpost release <registryDir> --name <n> --version <v> [--channel stable] [--rollout <percent>]
                      --key <private.json>... [--expires <days>]

Points the channel at the version for --rollout percent of installs (each install
is in or out by a stable hash of its install id and the model name). The others keep
the channel's previous release. Bumps the index version and re-signs it.

Options:
  --name <n>            model name
  --version <v>         a published, unrevoked version
  --channel <c>         channel name; default stable
  --rollout <percent>   0..100; default 100
  --key <file>          a targets (or timestamp) private key file; repeat up to the threshold
  --expires <days>      index lifetime; default ${DEFAULT_INDEX_DAYS} (365 with a timestamp role)
${RECORD_HELP}
${TIMESTAMP_HELP}
  -h, --help            show this help`;

const OPTIONS = {
  name: { type: 'string' },
  version: { type: 'string' },
  channel: { type: 'string' },
  rollout: { type: 'string' },
  key: { type: 'string', multiple: true },
  expires: { type: 'string' },
  ...RECORD_OPTIONS,
  ...TIMESTAMP_OPTIONS,
  ...HELP_OPTION,
} as const;

export async function run(argv: string[], ctx: CliContext): Promise<number> {
  const { values, positionals, help: wantsHelp } = parseCommand(argv, OPTIONS, ['registryDir']);
  if (wantsHelp) return ctx.out(help), 0;
  const dir = positionals[0] as string;
  const name = nameFlag(values.name, '--name');
  const version = versionFlag(values.version, '--version');
  const channel = nameFlag(values.channel ?? 'stable', '--channel');
  const rollout = integerFlag(values.rollout, '--rollout', 0, 100, 100);
  const keyPaths = required(values.key, '--key');
  const stampDays = daysFlag(values['timestamp-expires'], '--timestamp-expires', DEFAULT_TIMESTAMP_DAYS);

  const now = ctx.now();
  const root = await loadRoot(dir);
  const days = daysFlag(values.expires, '--expires', defaultIndexDays(root));
  const { targets: signers, timestamp: stampers } = indexSigners(root, await loadPrivateKeys(keyPaths));
  const guard = indexGuard(dir, values, keyPaths);
  const stored = await requireIndex(dir, root, now);
  // Before anything is written: storage may hold an older index copied back.
  await guard.check(stored?.version);
  const index = nextIndex(stored, now, days);
  const notes = releaseVersion(index, name, version, channel, rollout);
  const indexBytes = await writeIndex(dir, index, signers);
  await guard.save(index.version, indexBytes, now);
  await stampIndex(ctx, dir, root, index, indexBytes, stampers, now, stampDays);
  ctx.out(`released ${name}@${version} on ${channel} to ${rollout}% of installs; index version ${index.version}`);
  for (const note of notes) ctx.out(`  ${note}`);
  return 0;
}
