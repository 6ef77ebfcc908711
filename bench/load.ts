// Load benchmark: what signed delivery adds to getting a model running, against a
// plain fetch (cold) and against bytes already in memory (warm), in one page.
//
//   npx tsx bench/load.ts [--repeats 7] [--warmup 1] [--digest-repeats 21] [--json out.json] [--ref HEAD | --no-build]
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { modelFilePath } from '../src/registry/layout.js';
import { callPage, openBenchPage, type BenchPage } from './lib/browser.js';
import { buildBenchRegistry } from './lib/registry.js';
import {
  benchArgs, COMMON_USAGE, environmentLine, intFlag, loadLine, sampleLoad, median, ms, progress, quantile, ratio, ratioInterval, turnOrder, table, verdictLine, writeJson, type Verdict,
} from './lib/report.js';
import { describeSource, ensureModels, makeWorkDir, preparePackage, REPO_ROOT, startSite } from './lib/site.js';

const USAGE = `Usage: npx tsx bench/load.ts [options]
  --repeats <n>         measured rounds, each variant once per model per round (default 7)
  --warmup <n>          rounds run first and discarded (default 1)
  --digest-repeats <n>  SHA-256 throughput samples per model, spread over the rounds (default 21)
${COMMON_USAGE}`;

const CHUNK_SIZE = 4 * 1024 * 1024;
const MODELS = [
  { name: 'ppocr_det', version: '1.0.0', file: 'models/ppocr_det.onnx', label: 'PP-OCR det' },
  { name: 'silero_vad', version: '1.0.0', file: 'models/silero_vad_v5.onnx', label: 'Silero VAD' },
];
/** A few-hundred-byte model: loading it is the fixed cost every variant pays (worker + onnxruntime start). */
const TINY = { name: 'tiny', file: 'models/tiny_affine.onnx' };

type Variant = 'fetch' | 'cold' | 'warm' | 'memory';
/** One variant once: total ms, and the part from "bytes ready" to a usable model (worker start included). */
interface Timing {
  total: number;
  create: number;
  /** Runtime loads only: ms from the start to the end of each metadata step. */
  steps?: { root?: number; index?: number; manifest?: number };
}
const LABELS: Record<Variant, string> = {
  fetch: '(a) fetch → loadBytes',
  cold: '(b) outpost cold load',
  warm: '(c) outpost warm load',
  memory: '(d) bytes in memory → loadBytes',
};
const BASELINE: Record<Variant, Variant> = { fetch: 'fetch', cold: 'fetch', warm: 'memory', memory: 'memory' };

const args = benchArgs(USAGE, {
  repeats: { type: 'string' },
  warmup: { type: 'string' },
  'digest-repeats': { type: 'string' },
});
const repeats = intFlag(args.repeats, 'repeats', 7);
const warmup = args.warmup === '0' ? 0 : intFlag(args.warmup, 'warmup', 1);
const digestRepeats = intFlag(args['digest-repeats'], 'digest-repeats', 21);

await ensureModels([...MODELS.map((m) => m.file), TINY.file]);
const workDir = await makeWorkDir();
const source = await describeSource(args);
const distDir = await preparePackage(args, workDir);
progress('building a signed registry with the CLI …');
const registry = await buildBenchRegistry(
  workDir,
  MODELS.map(({ name, version, file }) => ({ name, version, file: join(REPO_ROOT, file) })),
);
const site = await startSite({ distDir, registryDir: registry.dir, workDir });
const loadBefore = sampleLoad();
let opened: BenchPage | undefined;
try {
  const bench = await openBenchPage(`${site.origin}/bench/pages/load.html`);
  opened = bench;
  const env = await callPage<{ userAgent: string; hardwareConcurrency: number; crossOriginIsolated: boolean }>(bench, 'environment');
  const urls = new Map(MODELS.map((m) => [m.name, `/registry/${modelFilePath(m.name, m.version)}`]));
  await callPage(bench, 'prepare', [...MODELS.map((m) => ({ name: m.name, url: urls.get(m.name) })), { name: TINY.name, url: `/${TINY.file}` }]);

  /** `${model}:${variant}` → per-round { total, create } in ms. */
  const samples = new Map<string, Timing[]>();
  const record = (key: string, value: Timing) => samples.set(key, [...(samples.get(key) ?? []), value]);
  const run = (kind: Variant, name: string, dbName = '') =>
    callPage<Timing>(bench, 'variant', kind, { name, url: urls.get(name), dbName, rootText: registry.rootText });

  interface Digest { chunks: number; bytes: number; sequential: number[]; parallel: number[] }
  const digests = new Map(MODELS.map((m) => [m.name, { chunks: 0, bytes: 0, sequential: [] as number[], parallel: [] as number[] }]));
  const digestsPerRound = Math.ceil(digestRepeats / repeats);

  // Units, not variants, are rotated: (c) must follow the (b) that filled its database.
  // SHA-256 throughput is sampled a few times per round too, so it sees the same machine.
  const units = ['fetch', 'cold+warm', 'memory', 'start', 'digest'] as const;
  for (let round = 0; round < warmup + repeats; round++) {
    const measured = round >= warmup;
    progress(`${measured ? 'round' : 'warm-up round'} ${measured ? round - warmup + 1 : round + 1}/${measured ? repeats : warmup}`);
    const filled: string[] = [];
    for (const model of turnOrder(MODELS, round)) {
      for (const unit of turnOrder(units, round)) {
        const keep = (kind: Variant | 'start', value: Timing) => measured && record(`${model.name}:${kind}`, value);
        if (unit === 'cold+warm') {
          const dbName = `outpost-bench-${model.name}-${round}-${Date.now()}`;
          keep('cold', await run('cold', model.name, dbName));
          keep('warm', await run('warm', model.name, dbName));
          filled.push(dbName);
        } else if (unit === 'start') {
          keep('start', await run('memory', TINY.name));
        } else if (unit === 'digest') {
          const d = await callPage<Digest>(bench, 'digest', model.name, CHUNK_SIZE, digestsPerRound);
          const into = digests.get(model.name)!;
          Object.assign(into, { chunks: d.chunks, bytes: d.bytes });
          if (measured) {
            into.sequential.push(...d.sequential);
            into.parallel.push(...d.parallel);
          }
        } else {
          keep(unit, await run(unit, model.name));
        }
      }
    }
    // Dropped between rounds, not right after (c): deleting stored blobs is work the next variant would pay for.
    for (const dbName of filled) await callPage(bench, 'dropDatabase', dbName);
  }

  const digestRows = MODELS.map((m) => ({ model: m.name, label: m.label, ...digests.get(m.name)! }));

  // ─── report ───────────────────────────────────────────────────────────────
  const totals = (key: string) => (samples.get(key) ?? []).map((t) => t.total);
  const fixed = median(MODELS.flatMap((m) => totals(`${m.name}:start`)));
  const rows: string[][] = [];
  const summary: Record<string, Record<string, number>> = {};
  const verdicts: Verdict[] = [];
  for (const model of MODELS) {
    const own = (kind: Variant) => samples.get(`${model.name}:${kind}`) ?? [];
    const med = (kind: Variant) => median(own(kind).map((t) => t.total));
    const entry: Record<string, number> = {};
    const strict = (kind: Variant) => (med(kind) - fixed) / (med(BASELINE[kind]) - fixed);
    const size = (await stat(join(REPO_ROOT, model.file))).size;
    for (const kind of ['fetch', 'cold', 'memory', 'warm'] as const) {
      const value = med(kind);
      const base = med(BASELINE[kind]);
      const isBase = BASELINE[kind] === kind;
      entry[kind] = value;
      rows.push([
        kind === 'fetch' ? `${model.label} (${(size / 1e6).toFixed(1)} MB)` : '',
        LABELS[kind], ms(value), ms(quantile(totals(`${model.name}:${kind}`), 0.9)),
        isBase ? 'baseline' : ratio(value / base),
        isBase ? '' : ratio(strict(kind)),
        ms(median(own(kind).map((t) => t.total - t.create))),
        ms(median(own(kind).map((t) => t.create))),
      ]);
    }
    summary[model.name] = entry;
    // Round by round, (b) and (a), (c) and (d) ran next to each other: resampled as pairs.
    const spread = (kind: Variant) => {
      const { low, high } = ratioInterval(totals(`${model.name}:${kind}`), totals(`${model.name}:${BASELINE[kind]}`));
      return `90 % interval ${ratio(low)}–${ratio(high)}`;
    };
    verdicts.push(
      {
        target: `${model.label}: cold load / fetch+create (b/a) ≤ 1.25`,
        measured: `${ratio(entry.cold! / entry.fetch!)} (${spread('cold')}; w/o start ${ratio(strict('cold'))})`,
        met: entry.cold! / entry.fetch! <= 1.25,
      },
      {
        target: `${model.label}: warm load / in-memory create (c/d) ≤ 1.10`,
        measured: `${ratio(entry.warm! / entry.memory!)} (${spread('warm')}; w/o start ${ratio(strict('warm'))})`,
        met: entry.warm! / entry.memory! <= 1.1,
      },
    );
  }
  const slowestDigest = Math.min(...digestRows.map((d) => median(d.sequential)));
  verdicts.push({ target: 'WebCrypto SHA-256 per 4 MiB chunk, sequential ≥ 600 MB/s', measured: `${slowestDigest.toFixed(0)} MB/s (slowest model)`, met: slowestDigest >= 600 });

  console.log(`\nLoad benchmark — ${environmentLine(env)}`);
  const loadAfter = sampleLoad();
  console.log(`package: ${source}`);
  console.log(loadLine(loadBefore, loadAfter));
  console.log(`backend wasm; medians of ${repeats} interleaved rounds (+${warmup} warm-up); ${CHUNK_SIZE / 2 ** 20} MiB chunks; registry files no-store`);
  console.log('Worker start is INCLUDED in every variant: each one uses a fresh engine (a, d) or runtime (b, c), so each');
  console.log(`pays worker spawn + onnxruntime .wasm compile, as a page's first load does. That fixed cost alone (fresh engine,`);
  console.log(`tiny model) is ${ms(fixed)} ms median; "w/o start" subtracts it from both sides of the ratio.`);
  console.log('"bytes ready" = until the verified bytes are in hand; "create" = from then to a usable model (worker start included).');
  console.log('Every timed variant starts after gc() and a 500 ms pause; test databases are dropped between rounds.\n');
  console.log(table(['model', 'variant', 'median ms', 'p90 ms', 'ratio', 'w/o start', 'bytes ready', 'create'], rows));
  // Where "bytes ready" goes in the runtime's loads: medians of each step's own duration.
  const stepRows: string[][] = [];
  for (const model of MODELS) {
    for (const kind of ['cold', 'warm'] as const) {
      const own = samples.get(`${model.name}:${kind}`) ?? [];
      const part = (pick: (t: Timing) => number | undefined) => ms(median(own.map(pick).filter((v): v is number => v !== undefined)));
      stepRows.push([
        kind === 'cold' ? model.label : '',
        LABELS[kind],
        part((t) => t.steps?.root),
        part((t) => (t.steps?.index ?? NaN) - (t.steps?.root ?? NaN)),
        part((t) => (t.steps?.manifest ?? NaN) - (t.steps?.index ?? NaN)),
        part((t) => t.total - t.create - (t.steps?.manifest ?? NaN)),
      ]);
    }
  }
  console.log(`\n${table(['"bytes ready", step by step', 'variant', 'root', 'index + version', 'manifest', 'files'], stepRows)}`);
  console.log('(medians in ms: root = trusted root ready, next root probed; index = signed index fetched and verified, version chosen;');
  console.log(' manifest = pinned manifest verified; files = chunks downloaded or read from IndexedDB, hashed and stored)');
  console.log(`\n${table(
    ['SHA-256 (WebCrypto, in page)', 'chunks', 'MB', 'sequential MB/s', 'parallel MB/s'],
    digestRows.map((d) => [d.label, String(d.chunks), (d.bytes / 1e6).toFixed(2), median(d.sequential).toFixed(0), median(d.parallel).toFixed(0)]),
  )}`);
  console.log(`(medians of ${digestsPerRound * repeats}, sampled through the rounds; 1 MB = 10^6 bytes; sequential = one chunk after another, as while downloading)\n`);
  for (const verdict of verdicts) console.log(verdictLine(verdict));

  await writeJson(args.json, {
    bench: 'load', source, load: { before: loadBefore, after: loadAfter }, environment: env, repeats, warmup, chunkSize: CHUNK_SIZE, workerStartIncluded: true,
    fixedStartMedianMs: fixed, samples: Object.fromEntries(samples), medians: summary, digests: digestRows, verdicts,
  });
} finally {
  await opened?.close();
  await site.close();
}
