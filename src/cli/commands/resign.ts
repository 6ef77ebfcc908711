import { join } from 'node:path';
import { OutpostError, isOutpostError } from '../../errors.js';
import { sha256Hex } from '../../registry/encoding.js';
import { envelopePayload, signEnvelope, verifyEnvelope } from '../../registry/envelope.js';
import type { SigningKey, TrustedRole } from '../../registry/keys.js';
import { importRole } from '../../registry/keys.js';
import { MAX_MANIFEST_BYTES, PAYLOAD_TYPES } from '../../registry/layout.js';
import { parseEnvelopeBytes } from '../../registry/parse.js';
import type { Index, VersionEntry } from '../../registry/schema.js';
import { daysFlag, HELP_OPTION, parseCommand, required } from '../args.js';
import type { CliContext } from '../context.js';
import { indexGuard, RECORD_HELP, RECORD_OPTIONS } from '../index-record.js';
import { readCapped, writeAtomic } from '../files.js';
import { loadPrivateKeys, roleSigners } from '../keyfiles.js';
import { DEFAULT_INDEX_DAYS, envelopeFileBytes, loadRoot, nextIndex, requireIndex, writeIndex } from '../store.js';

export const summary = 'refresh the index (new version and expiry); re-sign manifests after a targets key change';

export const help = `Usage: outpost resign <registryDir> --key <private.json>... [--expires <days>]

Writes the next index version with a fresh expiry: run it more often than the index
lifetime (e.g. daily from a scheduler), or clients refuse updates as expired.
Manifests whose signatures no longer meet the current root's targets threshold
(after 'outpost rotate-root' changed the targets keys) are re-signed over the same
payload bytes and re-pinned in the index. To extend the root's own expiry, run
'outpost rotate-root' with the same keys.

Options:
  --key <file>       a targets private key file; repeat up to the threshold
  --expires <days>   index lifetime; default ${DEFAULT_INDEX_DAYS}
${RECORD_HELP}
  -h, --help         show this help`;

const OPTIONS = { key: { type: 'string', multiple: true }, expires: { type: 'string' }, ...RECORD_OPTIONS, ...HELP_OPTION } as const;

/** Re-signs one manifest if the current targets keys do not already cover it; returns its new pin. */
async function refreshManifest(dir: string, entry: VersionEntry, targets: TrustedRole, signers: readonly SigningKey[]) {
  const path = entry.manifest.path;
  const bytes = await readCapped(join(dir, path), MAX_MANIFEST_BYTES, path);
  if (bytes === undefined || bytes.length !== entry.manifest.length || (await sha256Hex(bytes)) !== entry.manifest.sha256) {
    throw new OutpostError('INTEGRITY_MISMATCH', `${path} is missing or does not match its index pin; run 'outpost verify'`, {
      details: { path },
    });
  }
  const envelope = parseEnvelopeBytes(bytes, MAX_MANIFEST_BYTES, path);
  try {
    await verifyEnvelope(envelope, targets, PAYLOAD_TYPES.manifest, path);
    return undefined;
  } catch (error) {
    if (!isOutpostError(error, 'SIGNATURE_INVALID')) throw error;
  }
  const resigned = envelopeFileBytes(await signEnvelope(envelopePayload(envelope, path), PAYLOAD_TYPES.manifest, signers));
  await writeAtomic(join(dir, path), resigned);
  return { path, length: resigned.length, sha256: await sha256Hex(resigned) };
}

async function refreshManifests(dir: string, index: Index, targets: TrustedRole, signers: readonly SigningKey[]): Promise<string[]> {
  const refreshed: string[] = [];
  for (const [name, model] of Object.entries(index.models)) {
    for (const [version, entry] of Object.entries(model.versions)) {
      const pin = await refreshManifest(dir, entry, targets, signers);
      if (pin === undefined) continue;
      entry.manifest = pin;
      refreshed.push(`${name}@${version}`);
    }
  }
  return refreshed;
}

export async function run(argv: string[], ctx: CliContext): Promise<number> {
  const { values, positionals, help: wantsHelp } = parseCommand(argv, OPTIONS, ['registryDir']);
  if (wantsHelp) return ctx.out(help), 0;
  const dir = positionals[0] as string;
  const keyPaths = required(values.key, '--key');
  const days = daysFlag(values.expires, '--expires', DEFAULT_INDEX_DAYS);

  const now = ctx.now();
  const root = await loadRoot(dir);
  const signers = roleSigners(root, 'targets', await loadPrivateKeys(keyPaths));
  const guard = indexGuard(dir, values, keyPaths);
  const stored = await requireIndex(dir, root, now, true);
  // Before anything is written: storage may hold an older index copied back.
  await guard.check(stored?.version);
  // The index may still carry the signatures of targets keys a root rotation retired.
  const index = nextIndex(stored, now, days);
  const refreshed = await refreshManifests(dir, index, await importRole(root, 'targets'), signers);
  await guard.save(index.version, await writeIndex(dir, index, signers), now);
  ctx.out(`index version ${index.version}, expires ${index.expires}`);
  if (refreshed.length > 0) ctx.out(`  re-signed manifests: ${refreshed.join(', ')}`);
  return 0;
}
