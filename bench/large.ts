// Large-model benchmark: load time and peak memory of Outpost (cold and warm) against
// onnxruntime-web alone (fetch + create in a page), on a generated model whose weights
// live in external data, all from the same server in the same run.
//
//   npm run bench:large -- [--size 1.5GB] [--repeats 3] [--json out.json] [--ref HEAD | --no-build]
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildModelFiles, node, tensor } from '../src/onnx/build.js';
import { chromium } from 'playwright-core';
import { chromiumArgs } from '../playwright.config.js';
import { callPage, type BenchPage } from './lib/browser.js';
import { buildBenchRegistry } from './lib/registry.js';
import { browserRss, RssSampler } from './lib/rss.js';
import { benchArgs, COMMON_USAGE, intFlag, median, ms, progress, ratio, table, writeJson } from './lib/report.js';
import { describeSource, makeWorkDir, preparePackage, REPO_ROOT, startSite } from './lib/site.js';

const USAGE = `Usage: npm run bench:large -- [options]
  --size <n[KB|MB|GB]>  model size, weights in external data (default 1.5GB; 1 GB = 10^9 bytes)
  --repeats <n>         rounds, each variant once per round in a fresh browser (default 3)
${COMMON_USAGE}`;

const args = benchArgs(USAGE, { size: { type: 'string' }, repeats: { type: 'string' } });
const repeats = intFlag(args.repeats, 'repeats', 3);
const size = parseSize(typeof args.size === 'string' ? args.size : '1.5GB');

/** A square MatMul layer's weights: 4 MiB of float32 each. */
const SIDE = 1024;
const NAME = 'large';
/** The generated model lives in an ignored folder, so a rerun of the same size reuses it. */
const MODEL_DIR = join(REPO_ROOT, '.cache', 'bench-large', String(size));

function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(KB|MB|GB|B)?$/i.exec(text.trim());
  if (!match) throw new Error(`--size ${text}: expected e.g. 100MB or 1.5GB`);
  const unit = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9 }[(match[2] ?? 'B').toUpperCase() as 'B'];
  return Math.round(Number(match[1]) * unit);
}

/** y = x · W0 · W1 · … with `layers` SIDE×SIDE weights, all in `<name>.weights`. */
async function generateModel(): Promise<{ model: string; location: string }> {
  const location = `${NAME}.weights`;
  const model = join(MODEL_DIR, `${NAME}.onnx`);
  if (await readFile(model).then(() => true, () => false)) return { model, location };
  const layers = Math.max(1, Math.round(size / (SIDE * SIDE * 4)));
  progress(`generating a ${(layers * SIDE * SIDE * 4 / 1e6).toFixed(0)} MB model (${layers} layers) …`);
  // One values array shared by every layer: the generator never holds more than one in JS numbers.
  const values = Array.from({ length: SIDE * SIDE }, (_, i) => ((i % 13) - 6) / (SIDE * 8));
  const initializers = Array.from({ length: layers }, (_, k) => tensor(`W${k}`, 'float32', [SIDE, SIDE], values));
  const nodes = initializers.map((_, k) => node('MatMul', [k === 0 ? 'x' : `h${k}`, `W${k}`], [k === layers - 1 ? 'y' : `h${k + 1}`]));
  const files = buildModelFiles({
    graphName: NAME,
    inputs: [{ name: 'x', type: 'float32', dims: [1, SIDE] }],
    outputs: [{ name: 'y', type: 'float32', dims: [1, SIDE] }],
    nodes,
    initializers,
    externalData: location,
  });
  await mkdir(MODEL_DIR, { recursive: true });
  await writeFile(join(MODEL_DIR, location), files.external!.bytes);
  await writeFile(model, files.model);
  return { model, location };
}

/**
 * Chromium with an on-disk profile, as a user's browser is: a default (incognito-like)
 * context keeps IndexedDB in memory, which would count the cache itself as the
 * page's memory and cap it at an in-memory quota.
 */
async function openProfilePage(url: string, profile: string): Promise<BenchPage> {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.OUTPOST_CHROMIUM ?? '/usr/bin/chromium',
    args: [...chromiumArgs, '--js-flags=--expose-gc'],
  });
  const problems: string[] = [];
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { benchReady?: boolean }).benchReady === true, undefined, { timeout: 60_000 });
  const browser = context.browser();
  return { page, browser: browser as NonNullable<typeof browser>, problems, close: () => context.close() };
}

interface Sample { ms: number; peak: number; settled: number; collected: number }
type Variant = 'ort' | 'cold' | 'warm';
const LABELS: Record<Variant, string> = { ort: 'onnxruntime-web alone (fetch + create)', cold: 'Outpost cold load', warm: 'Outpost warm load' };

/** Runs `work` while sampling the browser's summed RSS; peak and settled are above the RSS just before. */
async function measured(bench: BenchPage, work: () => Promise<number>): Promise<Sample> {
  await new Promise((done) => setTimeout(done, 1000));
  const before = await browserRss();
  const sampler = new RssSampler(50);
  const time = await work();
  await new Promise((done) => setTimeout(done, 2000));
  const peak = await sampler.stop();
  const settled = await browserRss();
  // What is left once the page's own garbage is gone: tells garbage from memory held.
  await callPage(bench, 'collect');
  const collected = await browserRss();
  return { ms: time, peak: peak - before, settled: settled - before, collected: collected - before };
}

interface LoadState { phase: string; loaded: number; total: number; ms: number }
/** A load that reports no progress for this long is stuck: the run stops and says where. */
const STALL_MS = 300_000;

/**
 * Waits for an Outpost load, printing where it stands every 30 s (on stderr, with the
 * other progress lines), and fails it with its last progress event if that stops
 * changing for {@link STALL_MS}: a stuck load names its phase instead of hanging the run.
 */
async function watched(bench: BenchPage, load: Promise<number>): Promise<number> {
  let last = '';
  let since = Date.now();
  let timer: ReturnType<typeof setInterval> | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      void callPage<LoadState | undefined>(bench, 'state').then((state) => {
        const where = state ? `${state.phase} ${state.loaded}/${state.total}` : 'no progress yet';
        if (where !== last) {
          last = where;
          since = Date.now();
        }
        progress(`  … loading: ${where}${state ? ` (last event at ${ms(state.ms)} ms)` : ''}`);
        if (Date.now() - since > STALL_MS) reject(new Error(`the Outpost load made no progress for ${STALL_MS / 1000} s; last: ${where}`));
      }, () => undefined);
    }, 30_000);
  });
  try {
    return await Promise.race([load, stalled]);
  } finally {
    clearInterval(timer);
  }
}

const { model, location } = await generateModel();
const modelBytes = (await stat(model)).size;
const weightBytes = (await stat(join(MODEL_DIR, location))).size;
const workDir = await makeWorkDir();
const source = await describeSource(args);
const distDir = await preparePackage(args, workDir);
progress('publishing it into a temporary registry with the CLI …');
const registry = await buildBenchRegistry(workDir, [{ name: NAME, version: '1.0.0', file: model }]);
const site = await startSite({ distDir, registryDir: registry.dir, workDir });
const versionDir = `/registry/models/${NAME}/1.0.0`;
const samples: Record<Variant, Sample[]> = { ort: [], cold: [], warm: [] };
try {
  for (let round = 0; round < repeats; round++) {
    progress(`round ${round + 1}/${repeats}: onnxruntime-web alone`);
    let bench = await openProfilePage(`${site.origin}/bench/pages/large.html`, join(workDir, `profile-ort-${round}`));
    try {
      samples.ort.push(await measured(bench, () => callPage<number>(bench, 'ortAlone', { modelUrl: `${versionDir}/model.onnx`, external: [{ url: `${versionDir}/${location}`, location }] })));
    } finally {
      await bench.close();
    }
    progress(`round ${round + 1}/${repeats}: Outpost cold, then warm`);
    bench = await openProfilePage(`${site.origin}/bench/pages/large.html`, join(workDir, `profile-outpost-${round}`));
    try {
      const load = () => watched(bench, callPage<number>(bench, 'outpost', { name: NAME, rootText: registry.rootText, dbName: 'bench-large' }));
      samples.cold.push(await measured(bench, load));
      await callPage(bench, 'release');
      // A fresh page, same profile: the cache stays, the cold load's heap does not.
      await bench.page.reload();
      await bench.page.waitForFunction(() => (window as unknown as { benchReady?: boolean }).benchReady === true);
      samples.warm.push(await measured(bench, load));
    } finally {
      await bench.close();
    }
  }
} finally {
  await site.close();
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(0);
const med = (kind: Variant, field: keyof Sample) => median(samples[kind].map((s) => s[field]));
const rows = (['ort', 'cold', 'warm'] as const).map((kind) => [
  LABELS[kind],
  ms(med(kind, 'ms')),
  kind === 'ort' ? 'baseline' : ratio(med(kind, 'ms') / med('ort', 'ms')),
  mb(med(kind, 'peak')),
  kind === 'ort' ? 'baseline' : ratio(med(kind, 'peak') / med('ort', 'peak')),
  mb(med(kind, 'settled')),
  kind === 'ort' ? 'baseline' : ratio(med(kind, 'settled') / med('ort', 'settled')),
  mb(med(kind, 'collected')),
  kind === 'ort' ? 'baseline' : ratio(med(kind, 'collected') / med('ort', 'collected')),
]);
console.log(`\nLarge-model benchmark — model ${mb(modelBytes + weightBytes)} MB (${mb(weightBytes)} MB external data), backend wasm`);
console.log(`package: ${source}; medians of ${repeats} rounds, each variant in a fresh headless Chromium, same server`);
console.log('each browser has an on-disk profile, so IndexedDB lives on disk as in a user\'s browser;');
console.log('memory = summed RSS of the browser\'s processes above the RSS just before the load (MB = 10^6 bytes);');
console.log('peak sampled every 50 ms until 2 s after the load; settled = 2 s after the load, the model still held;');
console.log('after gc = settled, then the page\'s garbage collected (gc(); the worker\'s heap is not collected by it).\n');
console.log(table(['variant', 'load ms', 'ratio', 'peak MB', 'ratio', 'settled MB', 'ratio', 'after gc MB', 'ratio'], rows));
await writeJson(args.json, { bench: 'large', source, size, modelBytes, weightBytes, repeats, samples });
await rm(workDir, { recursive: true, force: true });
