// Run benchmark: what outpost's worker adds to each inference call, against
// onnxruntime-web run in the page (both of its entries), onnxruntime-web's own proxy
// worker, and a bare worker that is the floor for any worker design, in one page.
//
//   npx tsx bench/run.ts [--runs 500] [--det-runs 100] [--block 20] [--json out.json] [--ref HEAD | --no-build]
import { callPage, openBenchPage, type BenchPage } from './lib/browser.js';
import {
  benchArgs, COMMON_USAGE, environmentLine, intFlag, loadLine, sampleLoad, median, ms, progress, quantile, ratio, turnOrder, table, verdictLine, writeJson, type Verdict,
} from './lib/report.js';
import { describeSource, ensureModels, makeWorkDir, preparePackage, startSite } from './lib/site.js';

const USAGE = `Usage: npx tsx bench/run.ts [options]
  --runs <n>            measured calls per variant on Silero VAD (default 500)
  --det-runs <n>        measured calls per variant on PP-OCR det 1x3x320x320 (default 100)
  --block <n>           calls per interleaved block on VAD (default 20; det switches variant every call)
  --warmup <n>          unmeasured calls per variant first on VAD (default 50; det: a tenth, at least 3)
${COMMON_USAGE}`;

const VARIANTS = ['inpage', 'inpage-wasm', 'proxy', 'bare', 'outpost', 'outpost-nospin'] as const;
type Variant = (typeof VARIANTS)[number];
const LABELS: Record<Variant, string> = {
  inpage: "(i) in page, 'onnxruntime-web'",
  'inpage-wasm': "(i') in page, 'onnxruntime-web/wasm'",
  proxy: '(ii) onnxruntime-web proxy worker',
  bare: '(iv) bare worker (floor)',
  outpost: '(iii) outpost model.run',
  'outpost-nospin': "(iii') outpost, worker never spins",
};

interface FeedSpec {
  name: string;
  type: 'float32' | 'int64';
  dims: number[];
  fill: number | 'noise';
}
interface ModelCase {
  name: string;
  label: string;
  file: string;
  feeds: FeedSpec[];
  runs: number;
  block: number;
  warmup: number;
  /** The target: outpost's median may exceed the in-page median by at most this. */
  target: { kind: 'added-ms'; max: number } | { kind: 'ratio'; max: number };
}

const args = benchArgs(USAGE, {
  runs: { type: 'string' },
  'det-runs': { type: 'string' },
  block: { type: 'string' },
  warmup: { type: 'string' },
});
const blockSize = intFlag(args.block, 'block', 20);
const warmup = intFlag(args.warmup, 'warmup', 50);
const CASES: ModelCase[] = [
  {
    name: 'silero_vad', label: 'Silero VAD', file: 'models/silero_vad_v5.onnx',
    feeds: [
      { name: 'input', type: 'float32', dims: [1, 512], fill: 'noise' },
      { name: 'state', type: 'float32', dims: [2, 1, 128], fill: 0 },
      { name: 'sr', type: 'int64', dims: [], fill: 16000 },
    ],
    runs: intFlag(args.runs, 'runs', 500), block: blockSize, warmup,
    target: { kind: 'added-ms', max: 0.1 },
  },
  {
    name: 'ppocr_det', label: 'PP-OCR det 320²', file: 'models/ppocr_det.onnx',
    feeds: [{ name: 'x', type: 'float32', dims: [1, 3, 320, 320], fill: 'noise' }],
    runs: intFlag(args['det-runs'], 'det-runs', 100), block: 1, warmup: Math.max(3, Math.round(warmup / 10)),
    target: { kind: 'ratio', max: 1.02 },
  },
];

await ensureModels(CASES.map((c) => c.file));
const workDir = await makeWorkDir();
const source = await describeSource(args);
const distDir = await preparePackage(args, workDir);
const site = await startSite({ distDir, workDir });
const loadBefore = sampleLoad();
let opened: BenchPage | undefined;
try {
  const bench = await openBenchPage(`${site.origin}/bench/pages/run.html`);
  opened = bench;
  const env = await callPage<{ userAgent: string; hardwareConcurrency: number; crossOriginIsolated: boolean }>(bench, 'environment');
  await callPage(bench, 'init');
  const results: Array<{ model: ModelCase; setup: SetupResult; samples: Record<Variant, number[]>; blockMedians: Record<Variant, number[]> }> = [];
  for (const model of CASES) {
    progress(`${model.label}: creating sessions …`);
    const setup = await callPage<SetupResult>(bench, 'setup', { name: model.name, url: `/${model.file}`, feeds: model.feeds });
    for (const variant of VARIANTS) await callPage(bench, 'block', model.name, variant, model.warmup);
    const samples = Object.fromEntries(VARIANTS.map((v) => [v, [] as number[]])) as Record<Variant, number[]>;
    /** Per block, each variant's median: blocks ran back to back, so they pair up. */
    const blockMedians = Object.fromEntries(VARIANTS.map((v) => [v, [] as number[]])) as Record<Variant, number[]>;
    const blocks = Math.ceil(model.runs / model.block);
    for (let b = 0; b < blocks; b++) {
      if (b % 5 === 0) progress(`${model.label}: block ${b + 1}/${blocks}`);
      const count = Math.min(model.block, model.runs - b * model.block);
      for (const variant of turnOrder(VARIANTS, b)) {
        const times = await callPage<number[]>(bench, 'block', model.name, variant, count);
        samples[variant].push(...times);
        blockMedians[variant].push(median(times));
      }
    }
    results.push({ model, setup, samples, blockMedians });
  }

  // Two models used in turn (a pipeline: VAD then something else, frame by frame) must
  // cost what one does: the worker's wait for one model's next call must not hold up
  // the other's. Same worker, same feeds; blocks of one model and of the two in turn.
  progress('two models in turn …');
  await callPage(bench, 'setupPair', `/${CASES[0]!.file}`, CASES[0]!.feeds);
  const pair = { one: [] as number[], turns: [] as number[] };
  const pairBlocks = Math.ceil(CASES[0]!.runs / CASES[0]!.block);
  for (let b = 0; b < pairBlocks; b++) {
    for (const mode of turnOrder(['one', 'turns'] as const, b)) {
      pair[mode].push(...(await callPage<number[]>(bench, 'pairBlock', mode, CASES[0]!.block)));
    }
  }

  // ─── report ───────────────────────────────────────────────────────────────
  const verdicts: Verdict[] = [];
  const floors: string[] = [];
  const rows: string[][] = [];
  for (const { model, setup, samples, blockMedians } of results) {
    const base = median(samples.inpage);
    // Robust to a neighbour's burst: each block against the in-page block beside it.
    const paired = (variant: Variant) => median(blockMedians[variant].map((value, b) => value / blockMedians.inpage[b]!));
    for (const variant of VARIANTS) {
      const value = median(samples[variant]);
      rows.push([
        variant === 'inpage' ? `${model.label} (${samples.inpage.length} runs)` : '',
        LABELS[variant], ms(value), ms(quantile(samples[variant], 0.1)), ms(quantile(samples[variant], 0.9)),
        variant === 'inpage' ? 'baseline' : signed(value - base),
        variant === 'inpage' ? 'baseline' : ratio(value / base),
        variant === 'inpage' ? '' : ratio(paired(variant)),
        setup.maxDiff[variant]!.toExponential(1),
      ]);
    }
    const outpost = median(samples.outpost);
    for (const baseline of ['inpage', 'inpage-wasm'] as const) {
      const against = median(samples[baseline]);
      const what = `${model.label}: model.run over ${LABELS[baseline].replace(/^\S+ /, '')}`;
      verdicts.push(
        model.target.kind === 'added-ms'
          ? { target: `${what} adds ≤ ${model.target.max} ms median`, measured: `${signed(outpost - against)} ms`, met: outpost - against <= model.target.max }
          : { target: `${what} adds ≤ ${((model.target.max - 1) * 100).toFixed(0)}% median`, measured: `${((outpost / against - 1) * 100).toFixed(1)}% (${ratio(outpost / against)})`, met: outpost / against <= model.target.max },
      );
    }
    floors.push(`${model.label}: a bare worker costs ${signed(median(samples.bare) - median(samples['inpage-wasm']))} ms over the same build in page; outpost costs ${signed(outpost - median(samples.bare))} ms over the bare worker`);
  }

  console.log(`\nRun benchmark — ${environmentLine(env)}`);
  const loadAfter = sampleLoad();
  console.log(`package: ${source}`);
  console.log(loadLine(loadBefore, loadAfter));
  const threads = results[0]?.setup.numThreads;
  console.log(`backend wasm everywhere; numThreads left to onnxruntime's default (in page: ${threads?.inpage}, proxy: ${threads?.proxy}; the workers use the same default)`);
  console.log("builds: (i) and (ii) the default entry (JSEP, which also does WebGPU); (i'), (iv) and outpost's 'wasm' sessions the WASM-only entry");
  console.log(`per-call times after warm-up, variants interleaved in blocks (VAD ${CASES[0]!.block}, det ${CASES[1]!.block} calls); feeds built per call in every variant;`);
  console.log('(iv) is the floor for a worker design: the same build in a bare worker, fixed offsets in shared memory, Atomics, nothing else;');
  console.log("it spins up to 0.25 ms for the next call before sleeping, as outpost's worker does by default; (iii') turns that spin off.");
  console.log('"paired ratio" = median over blocks of (block median / in-page block median): steadier when the machine is busy.\n');
  console.log(table(['model', 'variant', 'median ms', 'p10 ms', 'p90 ms', 'added ms', 'ratio', 'paired ratio', 'max |Δ| out'], rows));
  console.log('');
  for (const verdict of verdicts) console.log(verdictLine(verdict));
  for (const line of floors) console.log(`floor    ${line}`);
  const pairRatio = median(pair.turns) / median(pair.one);
  console.log(
    verdictLine({
      target: `${CASES[0]!.label}: two models called in turn cost ≤ 1.10× one model called repeatedly (same worker)`,
      measured: `${ms(median(pair.turns))} vs ${ms(median(pair.one))} ms median (${ratio(pairRatio)})`,
      met: pairRatio <= 1.1,
    }),
  );

  await writeJson(args.json, {
    bench: 'run', source, load: { before: loadBefore, after: loadAfter }, environment: env,
    results: results.map(({ model, setup, samples }) => ({
      model: model.name, feeds: model.feeds, setup,
      medians: Object.fromEntries(VARIANTS.map((v) => [v, median(samples[v])])),
      p90: Object.fromEntries(VARIANTS.map((v) => [v, quantile(samples[v], 0.9)])),
      samples,
    })),
    verdicts,
    pair: { medians: { one: median(pair.one), turns: median(pair.turns) }, samples: pair },
  });
} finally {
  await opened?.close();
  await site.close();
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${ms(value)}`;
}

interface SetupResult {
  bytes: number;
  numThreads: { inpage: number; proxy: number };
  maxDiff: Record<string, number>;
}

