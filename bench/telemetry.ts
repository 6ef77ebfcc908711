// Telemetry overhead: model.run with telemetry and drift recording on (latency histogram
// plus every default drift feature binned into a reference) against the same model with
// it off, in the same page, variants interleaved in blocks.
//
//   npx tsx bench/telemetry.ts [--runs 400] [--det-runs 60] [--block 20] [--json out.json] [--ref HEAD | --no-build]
import { callPage, openBenchPage, type BenchPage } from './lib/browser.js';
import {
  benchArgs, COMMON_USAGE, intFlag, loadLine, median, ms, progress, quantile, ratio, sampleLoad, table, turnOrder, verdictLine, writeJson, type Verdict,
} from './lib/report.js';
import { describeSource, ensureModels, makeWorkDir, preparePackage, startSite } from './lib/site.js';

const USAGE = `Usage: npx tsx bench/telemetry.ts [options]
  --runs <n>            measured calls per variant on Silero VAD (default 400)
  --det-runs <n>        measured calls per variant on PP-OCR det 1x3x320x320 (default 60)
  --block <n>           calls per interleaved block on VAD (default 20; det alternates every call)
  --aa                  A/A check: the "on" worker records nothing either, so the ratio shows
                        what two identical workers differ by on this machine
${COMMON_USAGE}`;

const args = benchArgs(USAGE, { runs: { type: 'string' }, 'det-runs': { type: 'string' }, block: { type: 'string' }, aa: { type: 'boolean', default: false } });
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
  await callPage(bench, 'init');
  const rows: string[][] = [];
  const verdicts: Verdict[] = [];
  const json: unknown[] = [];
  for (const model of CASES) {
    progress(`${model.label}: creating sessions …`);
    const setup = await callPage<{ features: number }>(bench, 'setup', { name: model.name, url: `/${model.file}`, feeds: model.feeds, aa: args.aa === true });
    for (const variant of VARIANTS) await callPage(bench, 'block', model.name, variant, model.warmup);
    const samples = { off: [] as number[], on: [] as number[] };
    const pairs: number[] = [];
    const blocks = Math.ceil(model.runs / model.block);
    for (let b = 0; b < blocks; b++) {
      if (b % 10 === 0) progress(`${model.label}: block ${b + 1}/${blocks}`);
      const count = Math.min(model.block, model.runs - b * model.block);
      const medians: Record<string, number> = {};
      for (const variant of turnOrder(VARIANTS, b)) {
        const times = await callPage<number[]>(bench, 'block', model.name, variant, count);
        samples[variant].push(...times);
        medians[variant] = median(times);
      }
      pairs.push((medians.on as number) / (medians.off as number));
    }
    const recorded = await callPage<Array<{ metric: string; count: number }>>(bench, 'recorded');
    const drift = recorded.filter((p) => p.metric === 'outpost.drift.feature').length;
    const off = median(samples.off);
    const on = median(samples.on);
    for (const variant of VARIANTS) {
      const value = median(samples[variant]);
      rows.push([
        variant === 'off' ? `${model.label} (${samples.off.length} runs)` : '',
        variant === 'off' ? 'telemetry off' : `telemetry on (${setup.features} drift features, ${drift} sent)`,
        ms(value), ms(quantile(samples[variant], 0.1)), ms(quantile(samples[variant], 0.9)),
        variant === 'off' ? 'baseline' : ratio(value / off),
        variant === 'off' ? '' : ratio(median(pairs)),
      ]);
    }
    verdicts.push({
      target: `${model.label}: telemetry and drift on add ≤ ${((MAX_RATIO - 1) * 100).toFixed(0)}% to the per-call median`,
      measured: `${((on / off - 1) * 100).toFixed(1)}% (${ratio(on / off)}; paired ${ratio(median(pairs))})`,
      met: on / off <= MAX_RATIO,
    });
    json.push({ model: model.name, medians: { off, on }, pairedRatio: median(pairs), samples });
  }
  console.log(`\nTelemetry benchmark — package: ${source}${args.aa ? ' — A/A CHECK: "on" records nothing' : ''}`);
  console.log(loadLine(loadBefore, sampleLoad()));
  console.log('two workers in one page, both wasm; "on" records latency and bins every default drift feature of every run;');
  console.log('"paired ratio" = median over blocks of (on block median / off block median).\n');
  console.log(table(['model', 'variant', 'median ms', 'p10 ms', 'p90 ms', 'ratio', 'paired ratio'], rows));
  console.log('');
  for (const verdict of verdicts) console.log(verdictLine(verdict));
  await writeJson(args.json, { bench: 'telemetry', source, results: json, verdicts });
} finally {
  await opened?.close();
  await site.close();
}
