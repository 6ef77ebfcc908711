import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isOutpostError, OutpostError } from '../../errors.js';
import { inspectOnnx } from '../../onnx/inspect.js';
import { sha256Hex } from '../../registry/encoding.js';
import { describeFile } from '../../registry/integrity.js';
import { copyAtomic } from '../file-hash.js';
import { DEFAULT_CHUNK_SIZE, manifestPath, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE, modelFilePath } from '../../registry/layout.js';
import { parseJsonBytes } from '../../registry/parse.js';
import { computeReference } from '../../registry/reference.js';
import type { Manifest, Reference } from '../../registry/schema.js';
import { SAMPLE_INPUTS_HELP, sampleInputsFlags } from '../sample-inputs.js';
import { CliError, daysFlag, HELP_OPTION, integerFlag, nameFlag, parseCommand, required, versionFlag } from '../args.js';
import type { CliContext } from '../context.js';
import { indexGuard, RECORD_HELP, RECORD_OPTIONS } from '../index-record.js';
import { readExternalData } from '../external-data.js';
import { readOptional, writeAtomic } from '../files.js';
import { referenceInputSamples } from '../reference-inputs.js';
import { addVersion, assertUnpublished } from '../index-edit.js';
import { loadPrivateKeys } from '../keyfiles.js';
import { DEFAULT_TIMESTAMP_DAYS, defaultIndexDays, indexSigners, stampIndex, TIMESTAMP_HELP, TIMESTAMP_OPTIONS } from '../timestamp-write.js';
import { DEFAULT_INDEX_DAYS, loadIndex, loadRoot, nextIndex, writeIndex, writeSigned } from '../store.js';

export const summary = 'add a model version: copy the model, sign its manifest, add it to the index';

export const help = `Usage: outpost publish <registryDir> <model.onnx> --name <n> --version <semver> --key <private.json>...
                      [--reference <file>] [--reference-inputs <file.jsonl>] [--expires <days>] [--chunk-size <bytes>]
                      [--sample-inputs <rate> [--sample-max-bytes <bytes>] [--sample-window-bytes <bytes>]]

Copies the model to models/<n>/<version>/model.onnx, and every external data file
it names (found beside the model; a missing one is refused) next to it, writes its
signed manifest (length, SHA-256 and per-chunk SHA-256 of each file; inputs and outputs read from
the ONNX file; the drift reference), then adds the version to the index, bumps the
index version and re-signs it. A published version is never overwritten. Publishing
does not release: clients load it only by exact version until 'outpost release'.

Options:
  --name <n>           model name: /^[a-z0-9][a-z0-9._-]{0,63}$/
  --version <semver>   strict semver, e.g. 1.2.0 or 1.3.0-rc.1
  --key <file>         a targets (or timestamp) private key file; repeat up to the threshold
  --reference <file>   JSON { "features": { "<name>": [numbers...] } }: drift reference samples
  --reference-inputs <file.jsonl>
                       one example per line, { "<input>": { "type", "dims", "data" } }: the drift
                       reference is computed from these inputs and the model's outputs on them
                       (needs onnxruntime-node); features as in docs/telemetry.md
${SAMPLE_INPUTS_HELP}
  --expires <days>     index lifetime; default ${DEFAULT_INDEX_DAYS} (365 with a timestamp role)
  --chunk-size <bytes> chunk size for hashing and resumable download; default ${DEFAULT_CHUNK_SIZE}
${RECORD_HELP}
${TIMESTAMP_HELP}
  -h, --help           show this help`;

const OPTIONS = {
  name: { type: 'string' },
  version: { type: 'string' },
  key: { type: 'string', multiple: true },
  reference: { type: 'string' },
  'reference-inputs': { type: 'string' },
  expires: { type: 'string' },
  'chunk-size': { type: 'string' },
  'sample-inputs': { type: 'string' },
  'sample-max-bytes': { type: 'string' },
  'sample-window-bytes': { type: 'string' },
  ...RECORD_OPTIONS,
  ...TIMESTAMP_OPTIONS,
  ...HELP_OPTION,
} as const;

async function readRequired(path: string, what: string): Promise<Uint8Array> {
  const bytes = await readOptional(path);
  if (bytes === undefined) throw new CliError('ENOENT', `${what} ${path} does not exist`);
  return bytes;
}

function inspectModel(bytes: Uint8Array, path: string): Pick<Manifest['model'], 'inputs' | 'outputs' | 'opsetVersion' | 'opTypes'> {
  try {
    const info = inspectOnnx(bytes);
    return {
      inputs: info.inputs,
      outputs: info.outputs,
      ...(info.opsetVersion === undefined ? {} : { opsetVersion: info.opsetVersion }),
      opTypes: info.opTypes,
    };
  } catch (cause) {
    const reason = isOutpostError(cause) ? `: ${cause.message}` : '';
    throw new OutpostError('METADATA_INVALID', `${path} is not a readable ONNX model${reason}`, { cause, details: { path } });
  }
}

async function readReference(samplesPath: string | undefined, inputsPath: string | undefined, model: Uint8Array): Promise<Reference | undefined> {
  if (samplesPath === undefined && inputsPath === undefined) return undefined;
  const features: Record<string, unknown> = {};
  if (samplesPath !== undefined) {
    const bytes = await readRequired(samplesPath, 'reference file');
    const samples = parseJsonBytes(bytes, 256 * 1024 * 1024, `reference file ${samplesPath}`) as { features?: Record<string, unknown> };
    if (inputsPath === undefined) return computeReference(samples, undefined, `reference file ${samplesPath}`);
    Object.assign(features, samples?.features);
  }
  if (inputsPath !== undefined) {
    const text = new TextDecoder().decode(await readRequired(inputsPath, 'reference inputs file'));
    // Computed features win over hand-made samples of the same name: they are what the worker measures.
    Object.assign(features, (await referenceInputSamples(model, text, inputsPath)).features);
  }
  return computeReference({ features }, undefined, 'reference samples');
}

export async function run(argv: string[], ctx: CliContext): Promise<number> {
  const { values, positionals, help: wantsHelp } = parseCommand(argv, OPTIONS, ['registryDir', 'model.onnx']);
  if (wantsHelp) return ctx.out(help), 0;
  const [dir, modelPath] = positionals as [string, string];
  const name = nameFlag(values.name, '--name');
  const version = versionFlag(values.version, '--version');
  const keyPaths = required(values.key, '--key');
  const stampDays = daysFlag(values['timestamp-expires'], '--timestamp-expires', DEFAULT_TIMESTAMP_DAYS);
  const chunkSize = integerFlag(values['chunk-size'], '--chunk-size', MIN_CHUNK_SIZE, MAX_CHUNK_SIZE, DEFAULT_CHUNK_SIZE);
  const sampleInputs = sampleInputsFlags(values['sample-inputs'], values['sample-max-bytes'], values['sample-window-bytes']);

  const now = ctx.now();
  const root = await loadRoot(dir);
  const days = daysFlag(values.expires, '--expires', defaultIndexDays(root));
  const { targets: signers, timestamp: stampers } = indexSigners(root, await loadPrivateKeys(keyPaths));
  const guard = indexGuard(dir, values, keyPaths);
  const stored = await loadIndex(dir, root, now);
  // Before anything is written: storage may hold an older index copied back.
  await guard.check(stored?.version);
  const index = nextIndex(stored, now, days);
  // Checked before any file is written, so a refused publish leaves the registry as it was.
  assertUnpublished(index, name, version);

  const bytes = await readRequired(modelPath, 'model');
  const model = inspectModel(bytes, modelPath);
  const reference = await readReference(values.reference, values['reference-inputs'], bytes);
  const file = await describeFile(modelFilePath(name, version), bytes, chunkSize);
  const externals = await readExternalData(modelPath, bytes, name, version, chunkSize);
  const manifest: Manifest = {
    _type: 'manifest',
    spec: 1,
    name,
    version,
    createdAt: now.toISOString(),
    files: [file, ...externals.map((external) => external.entry)],
    model: {
      file: file.path,
      ...model,
      ...(externals.length === 0 ? {} : { externalData: externals.map(({ entry, location }) => ({ path: entry.path, location })) }),
    },
    ...(reference === undefined ? {} : { reference }),
    ...(sampleInputs === undefined ? {} : { sampleInputs }),
  };

  // Files first, index last: the index is the commit point, so a client never sees
  // a version whose manifest or model is not there yet.
  for (const external of externals) await copyAtomic(external.source, join(dir, external.entry.path));
  await writeAtomic(join(dir, file.path), bytes);
  const manifestBytes = await writeSigned(dir, manifestPath(name, version), 'manifest', manifest, signers);
  addVersion(index, name, version, {
    manifest: { path: manifestPath(name, version), length: manifestBytes.length, sha256: await sha256Hex(manifestBytes) },
    publishedAt: now.toISOString(),
  });
  const indexBytes = await writeIndex(dir, index, signers);
  await guard.save(index.version, indexBytes, now);
  await stampIndex(ctx, dir, root, index, indexBytes, stampers, now, stampDays);

  ctx.out(`published ${name}@${version}: ${file.path} (${file.length} bytes, ${file.chunks.length} chunk(s) of ${chunkSize})`);
  for (const { entry, location } of externals) ctx.out(`  external data: ${location} (${entry.length} bytes, ${entry.chunks.length} chunk(s))`);
  ctx.out(`  inputs: ${model.inputs.map((t) => `${t.name} ${t.type}[${t.dims.join(',')}]`).join(', ') || 'none'}`);
  if (reference !== undefined) ctx.out(`  drift reference: ${reference.features.length} feature(s)`);
  if (sampleInputs !== undefined) {
    ctx.out(`  sampled inputs: ${sampleInputs.rate} of runs, at most ${sampleInputs.maxRecordBytes} bytes a record and ${sampleInputs.maxWindowBytes} a window`);
  }
  ctx.out(`index version ${index.version}, expires ${index.expires}`);
  ctx.out(`release it with: outpost release ${dir} --name ${name} --version ${version} --key ...`);
  return 0;
}
