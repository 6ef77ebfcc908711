// Telemetry overhead: model.run with telemetry and drift recording on (latency histogram
// plus every default drift feature binned into a reference) against the same model with
// it off, in the same page and by default the same worker, variants interleaved in blocks.
//
//   npx tsx bench/telemetry.ts [--runs 400] [--det-runs 60] [--block 20] [--two-workers] [--aa | --latency-only] [--json out.json] [--ref HEAD | --no-build]
import { callPage, openBenchPage, type BenchPage } from './lib/browser.js';
import {
  benchArgs, COMMON_USAGE, intFlag, loadLine, median, ms, progress, quantile, ratio, sampleLoad, table, turnOrder, verdictLine, writeJson, type Verdict,
} from './lib/report.js';
import { describeSource, ensureModels, makeWorkDir, preparePackage, startSite } from './lib/site.js';

const USAGE = `Usage: npx tsx bench/telemetry.ts [options]
  --runs <n>            measured calls per variant on Silero VAD (default 400)
  --det-runs <n>        measured calls per variant on PP-OCR det 1x3x320x320 (default 60)
  --block <n>           calls per interleaved block on VAD (default 20; det alternates every call)
  --aa                  A/A check: the "on" session records nothing either, so the ratio shows
                        what two identical sessions differ by on this machine
  --latency-only        "on" records latency but no drift (what drift adds is the difference)
  --two-workers         each variant in its own worker (the spread between two workers then
                        adds to what is measured; with --aa it shows how large that spread is)
${COMMON_USAGE}`;

const args = benchArgs(USAGE, { runs: { type: 'string' }, 'det-runs': { type: 'string' }, block: { type: 'string' }, aa: { type: 'boolean', default: false }, 'two-workers': { type: 'boolean', default: false }, 'latency-only': { type: 'boolean', default: false } });
const CASES = [
  {
    name: 'silero_vad', label: 'Silero VAD', file: 'models/silero_vad_v5.onnx',
    feeds: [
      { name: 'input', type: 'float32', dims: [1, 512], fill: 'noise' },
      { name: 'state', type: 'float32', dims: [2, 1, 128], fill: 0 },
      { name: 'sr', type: 'int64', dims: [], fill: 16000 },
    ],
    runs: intFlag(args.runs, 'runs', 400), block: intFlag(args.block, 'block', 20), warmup: 50,
  },
  {
    name: 'ppocr_det', label: 'PP-OCR det 320²', file: 'models/ppocr_det.onnx',
    feeds: [{ name: 'x', type: 'float32', dims: [1, 3, 320, 320], fill: 'noise' }],
    runs: intFlag(args['det-runs'], 'det-runs', 60), block: 1, warmup: 5,
  },
];
const VARIANTS = ['off', 'on'] as const;
const MAX_RATIO = 1.02;

await ensureModels(CASES.map((c) => c.file));
const workDir = await makeWorkDir();
const source = await describeSource(args);
const distDir = await preparePackage(args, workDir);
const site = await startSite({ distDir, workDir });
const loadBefore = sampleLoad();
let opened: BenchPage | undefined;
try {
  const bench = await openBenchPage(`${site.origin}/bench/pages/telemetry.html`);
  opened = bench;
  await callPage(bench, 'init', { twoWorkers: args['two-workers'] === true, latencyOnly: args['latency-only'] === true });
  const rows: string[][] = [];
  const verdicts: Verdict[] = [];
  const json: unknown[] = [];
  const costs: string[][] = [];
  for (const model of CASES) {
    progress(`${model.label}: creating sessions …`);
    const setup = await callPage<{ features: number }>(bench, 'setup', { name: model.name, url: `/${model.file}`, feeds: model.feeds, aa: args.aa === true });
    for (const variant of VARIANTS) await callPage(bench, 'block', model.name, variant, model.warmup);
    const samples = { off: [] as number[], on: [] as number[] };
    const pairs: number[] = [];
    const totalPairs: number[] = [];
    const blocks = Math.ceil(model.runs / model.block);
    for (let b = 0; b < blocks; b++) {
      if (b % 10 === 0) progress(`${model.label}: block ${b + 1}/${blocks}`);
      const count = Math.min(model.block, model.runs - b * model.block);
      const medians: Record<string, number> = {};
      const totals: Record<string, number> = {};
      for (const variant of turnOrder(VARIANTS, b)) {
        const { times, total } = await callPage<{ times: number[]; total: number }>(bench, 'block', model.name, variant, count);
        samples[variant].push(...times);
        medians[variant] = median(times);
        totals[variant] = total;
      }
      pairs.push((medians.on as number) / (medians.off as number));
      totalPairs.push((totals.on as number) / (totals.off as number));
    }
    const cost = await callPage<{ copyUs: number; binUs: number }>(bench, 'driftCost', model.name, model.block === 1 ? 100 : 200, model.block === 1 ? 1 : 32);
    costs.push([model.label, cost.copyUs.toFixed(1), cost.binUs.toFixed(1), `${(((cost.copyUs + cost.binUs) / 1000 / groupedMedian(samples.off)) * 100).toFixed(1)}%`]);
    const recorded = await callPage<Array<{ metric: string; count: number }>>(bench, 'recorded');
    const drift = recorded.filter((p) => p.metric === 'outpost.drift.feature').length;
    // Medians interpolated inside the timer's step: a cross-origin isolated page reads
    // time in 5 µs steps, 1.5 % of a VAD call, so plain medians of two variants a step
    // apart could not tell 0.5 % from 1.5 %.
    const off = groupedMedian(samples.off);
    const on = groupedMedian(samples.on);
    const blockRatio = median(totalPairs);
    for (const variant of VARIANTS) {
      const value = groupedMedian(samples[variant]);
      rows.push([
        variant === 'off' ? `${model.label} (${samples.off.length} runs)` : '',
        variant === 'off' ? 'telemetry off' : `telemetry on (${setup.features} drift features, ${drift} sent)`,
        ms(value), ms(quantile(samples[variant], 0.1)), ms(quantile(samples[variant], 0.9)),
        variant === 'off' ? 'baseline' : ratio(value / off),
        variant === 'off' ? '' : ratio(median(pairs)),
        variant === 'off' ? '' : ratio(blockRatio),
      ]);
    }
    verdicts.push({
      target: `${model.label}: telemetry and drift on add ≤ ${((MAX_RATIO - 1) * 100).toFixed(0)}% to the per-call median`,
      measured: `${((on / off - 1) * 100).toFixed(1)}% (${ratio(on / off)}; paired ${ratio(median(pairs))}; block time ${ratio(blockRatio)})`,
      met: on / off <= MAX_RATIO,
    });
    json.push({ model: model.name, medians: { off, on }, pairedRatio: median(pairs), blockTimeRatio: blockRatio, samples });
  }
  console.log(`\nTelemetry benchmark — package: ${source}${args.aa ? ' — A/A CHECK: "on" records nothing' : ''}`);
  console.log(loadLine(loadBefore, sampleLoad()));
  console.log(`two sessions of each model in ${args['two-workers'] ? 'two workers' : 'one worker'} of one page, both wasm; "on" records latency and bins every default drift feature of every run;`);
  console.log('medians are interpolated within the timer step; "paired ratio" = median over blocks of (on block median / off block median);');
  console.log('"block time" = median over blocks of (on block time / off block time), a mean per call read with two timer reads per block.\n');
  console.log(table(['model', 'variant', 'median ms', 'p10 ms', 'p90 ms', 'ratio', 'paired ratio', 'block time'], rows));
  console.log('\nThe worker\'s drift work per run, the same code timed on the page thread (median over batches of 32 VAD runs, or of 1 det run):');
  console.log('"copy" is on the reply path; "binning" waits until the worker is idle (in VAD calls sent back to back, every 33rd call does it for 32).\n');
  console.log(table(['model', 'copy µs', 'binning µs', 'both / off median'], costs));
  console.log('');
  for (const verdict of verdicts) console.log(verdictLine(verdict));
  await writeJson(args.json, { bench: 'telemetry', source, results: json, verdicts });
} finally {
  await opened?.close();
  await site.close();
}

/**
 * The median of samples read off a clock with a fixed step, interpolated inside the step
 * that holds it (the grouped-data median): L + (n/2 − below) / within × step.
 */
function groupedMedian(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const step = timerStep(sorted);
  const mid = median(sorted);
  if (step === 0) return mid;
  const low = mid - step / 2;
  const high = mid + step / 2;
  const below = sorted.filter((x) => x < low).length;
  const within = sorted.filter((x) => x >= low && x < high).length;
  return within === 0 ? mid : low + ((sorted.length / 2 - below) / within) * step;
}

/** The smallest gap between distinct readings, when they sit on a grid (else 0). */
function timerStep(sorted: readonly number[]): number {
  let step = Infinity;
  for (let i = 1; i < sorted.length; i++) {
    const gap = (sorted[i] as number) - (sorted[i - 1] as number);
    if (gap > 1e-9 && gap < step) step = gap;
  }
  if (!Number.isFinite(step) || step < 0.001) return 0;
  return sorted.every((x) => Math.abs(x / step - Math.round(x / step)) < 0.01) ? step : 0;
}
