import { join } from 'node:path';
import { OutpostError } from '../../errors.js';
import { INDEX_PATH, MAX_INDEX_BYTES, TIMESTAMP_PATH } from '../../registry/layout.js';
import { parseEnvelopeBytes } from '../../registry/parse.js';
import { hasTimestampRole } from '../../registry/timestamp.js';
import { checkExpiry, verifyIndex } from '../../registry/verify.js';
import { sha256Hex } from '../../registry/encoding.js';
import { CliError, daysFlag, HELP_OPTION, parseCommand, required } from '../args.js';
import type { CliContext } from '../context.js';
import { readCapped } from '../files.js';
import { OVERRIDE_FLAG } from '../index-record.js';
import { loadPrivateKeys, roleSigners } from '../keyfiles.js';
import { loadRoot } from '../store.js';
import { DEFAULT_TIMESTAMP_DAYS, loadTimestamp, writeTimestamp } from '../timestamp-write.js';
import { assertPinnable, recordedTimestamp, timestampRecordPath } from '../timestamp-record.js';

export const summary = 'refresh timestamp.json (freshness) with the timestamp key alone';

export const help = `Usage: outpost timestamp <registryDir> --key <timestamp private.json>... [--expires <days>] [--record <file>]

When the root has a timestamp role (outpost init/rotate-root --timestamp-key), clients
take the registry's freshness from timestamp.json: a short-lived document, signed by
the timestamp keys, that pins index.json by version, length and SHA-256. This writes
its next version pinning the index in storage. Run it more often than its lifetime
(e.g. hourly from a scheduler); it needs no targets key, which can stay offline.
The index must verify under the current targets keys and be unexpired, and may not
be older than the index the current timestamp.json pins, nor than the one this host
last pinned by its own record (an index copied back into storage is refused with
ROLLBACK_DETECTED).

Options:
  --key <file>      a timestamp private key file; repeat up to its threshold
  --expires <days>  timestamp lifetime; default ${DEFAULT_TIMESTAMP_DAYS}
  --record <file>   this host's record of the last timestamp signed (default:
                    timestamp-record.json beside the first --key); kept off the registry
  ${OVERRIDE_FLAG}
                    pin the index in storage even though it is older than the one
                    timestamp.json pins now
  -h, --help        show this help`;

const OPTIONS = {
  key: { type: 'string', multiple: true },
  expires: { type: 'string' },
  'accept-registry-index': { type: 'boolean' },
  record: { type: 'string' },
  ...HELP_OPTION,
} as const;

export async function run(argv: string[], ctx: CliContext): Promise<number> {
  const { values, positionals, help: wantsHelp } = parseCommand(argv, OPTIONS, ['registryDir']);
  if (wantsHelp) return ctx.out(help), 0;
  const dir = positionals[0] as string;
  const keyPaths = required(values.key, '--key');
  const days = daysFlag(values.expires, '--expires', DEFAULT_TIMESTAMP_DAYS);

  const now = ctx.now();
  const root = await loadRoot(dir);
  if (!hasTimestampRole(root)) {
    throw new CliError('ENOROLE', `root version ${root.version} has no timestamp role; add one with 'outpost rotate-root --timestamp-key <public.json>'`);
  }
  const signers = roleSigners(root, 'timestamp', await loadPrivateKeys(keyPaths));
  const bytes = await readCapped(join(dir, INDEX_PATH), MAX_INDEX_BYTES, INDEX_PATH);
  if (bytes === undefined) throw new CliError('ENOENT', `${join(dir, INDEX_PATH)} does not exist; publish a model first`);
  // The same checks a client makes: pinning an index clients refuse would only break them.
  const index = await verifyIndex(root, parseEnvelopeBytes(bytes, MAX_INDEX_BYTES, INDEX_PATH), { now, allowExpired: true });
  checkExpiry(index, now, `${INDEX_PATH} (run 'outpost resign' with the targets key)`);
  const record = timestampRecordPath(values.record, keyPaths);
  const override = values['accept-registry-index'] === true;
  assertPinnable(await recordedTimestamp(record, dir), { version: index.version, sha256: await sha256Hex(bytes) }, record, override);
  const current = await loadTimestamp(dir, root, now);
  const pinned = current?.index;
  if (pinned !== undefined && !override) {
    const older = index.version < pinned.version;
    if (older || (index.version === pinned.version && (await sha256Hex(bytes)) !== pinned.sha256)) {
      const why = older ? `is version ${index.version}, older than` : `version ${index.version} is not the index of`;
      throw new OutpostError('ROLLBACK_DETECTED', `${INDEX_PATH} ${why} version ${pinned.version} that ${TIMESTAMP_PATH} pins; refusing to pin it (${OVERRIDE_FLAG} pins anyway)`, {
        details: { what: INDEX_PATH, version: index.version, pinnedVersion: pinned.version },
      });
    }
  }
  const timestamp = await writeTimestamp(dir, root, index.version, bytes, { signers, record }, now, days);
  ctx.out(`${TIMESTAMP_PATH} version ${timestamp.version} pins index version ${index.version}, expires ${timestamp.expires}`);
  return 0;
}
