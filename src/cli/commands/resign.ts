import { join } from 'node:path';
import { OutpostError, isOutpostError } from '../../errors.js';
import { fromUtf8, sha256Hex } from '../../registry/encoding.js';
import { envelopePayload, signEnvelope, verifyEnvelope } from '../../registry/envelope.js';
import type { SigningKey, TrustedRole } from '../../registry/keys.js';
import { importRole } from '../../registry/keys.js';
import { MAX_MANIFEST_BYTES, PAYLOAD_TYPES } from '../../registry/layout.js';
import { parseEnvelopeBytes } from '../../registry/parse.js';
import type { Index, VersionEntry } from '../../registry/schema.js';
import { CliError, daysFlag, HELP_OPTION, parseCommand, required } from '../args.js';
import type { CliContext } from '../context.js';
import { indexGuard, RECORD_HELP, RECORD_OPTIONS } from '../index-record.js';
import { readCapped, writeAtomic } from '../files.js';
import { loadPrivateKeys } from '../keyfiles.js';
import { DEFAULT_TIMESTAMP_DAYS, defaultIndexDays, indexSigners, stampIndex, TIMESTAMP_HELP, TIMESTAMP_OPTIONS } from '../timestamp-write.js';
import { DEFAULT_INDEX_DAYS, envelopeFileBytes, loadRoot, nextIndex, requireIndex, writeIndex } from '../store.js';

export const summary = 'refresh the index (new version and expiry); re-sign manifests after a targets key change';

export const help = `Usage: outpost resign <registryDir> --key <private.json>... [--expires <days>]
                     [--manifest <name@version>... | --resign-all-manifests]

Writes the next index version with a fresh expiry: run it more often than the index
lifetime (e.g. daily from a scheduler), or clients refuse updates as expired.
With a timestamp role in the root, the index lives long and 'outpost timestamp'
keeps the registry fresh instead; pass a timestamp key too to pin the new index.
After 'outpost rotate-root' changed the targets keys, manifests whose signatures no
longer meet the targets threshold are listed with the keys that signed them and
when; a stolen old key may have signed some of them. Only those named with
--manifest (or all, with --resign-all-manifests) are re-signed over the same payload
bytes and re-pinned; without either nothing is written. Those left out stay
unloadable (SIGNATURE_INVALID); revoke them. To extend the root's own expiry, run
'outpost rotate-root' with the same keys.

Options:
  --key <file>       a targets (or timestamp) private key file; repeat up to the threshold
  --expires <days>   index lifetime; default ${DEFAULT_INDEX_DAYS} (365 with a timestamp role)
  --manifest <name@version>
                     re-sign this manifest; repeat
  --resign-all-manifests
                     re-sign every manifest the current keys do not cover
${RECORD_HELP}
${TIMESTAMP_HELP}
  -h, --help         show this help`;

const OPTIONS = {
  key: { type: 'string', multiple: true },
  expires: { type: 'string' },
  manifest: { type: 'string', multiple: true },
  'resign-all-manifests': { type: 'boolean' },
  ...RECORD_OPTIONS,
  ...TIMESTAMP_OPTIONS,
  ...HELP_OPTION,
} as const;

/** A manifest the current targets keys do not cover, and who signed it when. */
interface Uncovered {
  id: string;
  entry: VersionEntry;
  bytes: Uint8Array;
  signers: string[];
  createdAt: string;
}

/** The manifest of `entry`, checked against its pin, if the current targets keys do not cover it. */
async function uncoveredManifest(dir: string, id: string, entry: VersionEntry, targets: TrustedRole): Promise<Uncovered | undefined> {
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
  const payload = JSON.parse(fromUtf8(envelopePayload(envelope, path))) as { createdAt?: unknown };
  return {
    id,
    entry,
    bytes,
    signers: envelope.signatures.map((signature) => signature.keyid.slice(0, 12)),
    createdAt: typeof payload.createdAt === 'string' ? payload.createdAt : entry.publishedAt,
  };
}

async function uncoveredManifests(dir: string, index: Index, targets: TrustedRole): Promise<Uncovered[]> {
  const found: Uncovered[] = [];
  for (const [name, model] of Object.entries(index.models)) {
    for (const [version, entry] of Object.entries(model.versions)) {
      const uncovered = await uncoveredManifest(dir, `${name}@${version}`, entry, targets);
      if (uncovered !== undefined) found.push(uncovered);
    }
  }
  return found;
}

/** Re-signs the manifest over the same payload bytes and re-pins it in the index entry. */
async function resignManifest(dir: string, manifest: Uncovered, signers: readonly SigningKey[]): Promise<void> {
  const path = manifest.entry.manifest.path;
  const envelope = parseEnvelopeBytes(manifest.bytes, MAX_MANIFEST_BYTES, path);
  const resigned = envelopeFileBytes(await signEnvelope(envelopePayload(envelope, path), PAYLOAD_TYPES.manifest, signers));
  await writeAtomic(join(dir, path), resigned);
  manifest.entry.manifest = { path, length: resigned.length, sha256: await sha256Hex(resigned) };
}

export async function run(argv: string[], ctx: CliContext): Promise<number> {
  const { values, positionals, help: wantsHelp } = parseCommand(argv, OPTIONS, ['registryDir']);
  if (wantsHelp) return ctx.out(help), 0;
  const dir = positionals[0] as string;
  const keyPaths = required(values.key, '--key');
  const stampDays = daysFlag(values['timestamp-expires'], '--timestamp-expires', DEFAULT_TIMESTAMP_DAYS);

  const now = ctx.now();
  const root = await loadRoot(dir);
  const days = daysFlag(values.expires, '--expires', defaultIndexDays(root));
  const { targets: signers, timestamp: stampers } = indexSigners(root, await loadPrivateKeys(keyPaths));
  const guard = indexGuard(dir, values, keyPaths);
  const stored = await requireIndex(dir, root, now, true);
  // Before anything is written: storage may hold an older index copied back.
  await guard.check(stored?.version);
  // The index may still carry the signatures of targets keys a root rotation retired.
  const index = nextIndex(stored, now, days);
  const uncovered = await uncoveredManifests(dir, index, await importRole(root, 'targets'));
  const named = new Set(values.manifest ?? []);
  for (const id of named) {
    if (!uncovered.some((manifest) => manifest.id === id)) {
      throw new CliError('ENOENT', `--manifest ${id} is not a published manifest that the current targets keys do not cover`);
    }
  }
  const all = values['resign-all-manifests'] === true;
  const describe = (manifest: Uncovered) => `${manifest.id} (signed by ${manifest.signers.join(', ')}, created ${manifest.createdAt})`;
  if (uncovered.length > 0 && named.size === 0 && !all) {
    ctx.out('manifests the current targets keys do not cover (re-sign only those you published):');
    for (const manifest of uncovered) ctx.out(`  ${describe(manifest)}`);
    throw new CliError('ESELECT', `${uncovered.length} manifest(s) need re-signing; name them with --manifest <name@version>, or pass --resign-all-manifests; nothing was written`);
  }
  const chosen = uncovered.filter((manifest) => all || named.has(manifest.id));
  // Files first, index last, as in publish: the index is the commit point.
  for (const manifest of chosen) await resignManifest(dir, manifest, signers);
  const indexBytes = await writeIndex(dir, index, signers);
  await guard.save(index.version, indexBytes, now);
  await stampIndex(ctx, dir, root, index, indexBytes, stampers, now, stampDays);
  ctx.out(`index version ${index.version}, expires ${index.expires}`);
  if (chosen.length > 0) ctx.out(`  re-signed manifests: ${chosen.map(describe).join(', ')}`);
  const left = uncovered.filter((manifest) => !chosen.includes(manifest));
  if (left.length > 0) ctx.out(`  not re-signed (clients refuse them; revoke them): ${left.map(describe).join(', ')}`);
  return 0;
}
