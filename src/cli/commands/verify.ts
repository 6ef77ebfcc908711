import { CliError, HELP_OPTION, parseCommand, required } from '../args.js';
import { auditRegistry } from '../audit.js';
import type { CliContext } from '../context.js';
import { readOptional } from '../files.js';
import { recordedIndex, recordMismatch, storedIndex } from '../index-record.js';

export const summary = 'check the whole registry as a client holding the given root would';

export const help = `Usage: outpost verify <registryDir> --root <root.json> [--record <index-record.json>]

Checks, as a client shipping <root.json> would: the root chain from it to the
registry's latest root (each step signed by the old and the new root keys), the
index (targets signatures, expiry), every manifest (index pin, signatures, name and
version) and every file (length, SHA-256, chunk hashes). Prints each problem with
its error code. Exits 0 only if there is none. Given the operator's record of the
last index signed (see 'outpost resign --help'), an index in storage that is not that
one (older, or the same version with other bytes) is a ROLLBACK_DETECTED problem.

Options:
  --root <file>    the root the app ships (e.g. a saved copy of root.json)
  --record <file>  the operator's index record (index-record.json beside the keys)
  -h, --help     show this help`;

const OPTIONS = { root: { type: 'string' }, record: { type: 'string' }, ...HELP_OPTION } as const;

export async function run(argv: string[], ctx: CliContext): Promise<number> {
  const { values, positionals, help: wantsHelp } = parseCommand(argv, OPTIONS, ['registryDir']);
  if (wantsHelp) return ctx.out(help), 0;
  const dir = positionals[0] as string;
  const rootPath = required(values.root, '--root');
  const trusted = await readOptional(rootPath);
  if (trusted === undefined) throw new CliError('ENOENT', `root file ${rootPath} does not exist`);

  const result = await auditRegistry(dir, trusted, ctx.now());
  if (values.record !== undefined) {
    const recorded = await recordedIndex(values.record, dir);
    const mismatch = recordMismatch(recorded, await storedIndex(dir, result.index?.version));
    if (recorded === undefined) result.notes.push(`the record ${values.record} has no entry for this registry`);
    else if (mismatch !== undefined) result.problems.push({ code: 'ROLLBACK_DETECTED', message: `${mismatch} (record ${values.record})` });
  }
  for (const problem of result.problems) ctx.err(`${problem.code}: ${problem.message}`);
  for (const note of result.notes) ctx.out(note);
  const scope = `root version ${result.root?.version ?? '?'}, index version ${result.index?.version ?? '-'}, ${result.versions} version(s), ${result.files} file(s)`;
  if (result.problems.length > 0) {
    ctx.err(`${dir}: ${result.problems.length} problem(s) (${scope})`);
    return 1;
  }
  ctx.out(`${dir}: verified (${scope})`);
  return 0;
}
