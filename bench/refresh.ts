// Refresh benchmark: what live release control costs a page that keeps a model loaded.
// One page, one runtime at a time; each round measures the same wall-clock window three
// ways, in rotating order: no checks (the baseline), checks that find the index
// unchanged (a 304), and checks that find a newly signed index every time (fetched and
// verified). Main-thread time is Chromium's own count of the page's task time.
//
//   npx tsx bench/refresh.ts [--rounds 3] [--checks 20] [--interval 500] [--json out.json] [--ref HEAD | --no-build]
import { readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { runCli } from '../scripts/run-cli.js';
import { callPage, openBenchPage } from './lib/browser.js';
import { buildBenchRegistry } from './lib/registry.js';
import {
  benchArgs, COMMON_USAGE, environmentLine, intFlag, loadLine, median, ms, progress, sampleLoad, table, turnOrder, writeJson,
} from './lib/report.js';
import { describeSource, ensureModels, makeWorkDir, preparePackage, REPO_ROOT, startSite } from './lib/site.js';

const USAGE = `Usage: npx tsx bench/refresh.ts [options]
  --rounds <n>     rounds, each variant once per round (default 3)
  --checks <n>     index checks per measured window (default 20)
  --interval <ms>  refreshInterval while measuring (default 500; the product's default is 300000)
${COMMON_USAGE}`;

const MODEL = { name: 'silero_vad', version: '1.0.0', file: 'models/silero_vad_v5.onnx' };
const DEFAULT_INTERVAL_MS = 300_000;

type Variant = 'idle' | 'unchanged' | 'changed';
const LABELS: Record<Variant, string> = {
  idle: 'no checks (refreshInterval 0)',
  unchanged: 'index unchanged (304)',
  changed: 'new signed index every check',
};

interface Window {
  /** Checks that completed in the window, by status. */
  checks: number;
  statuses: Record<string, number>;
  /** Wall time of each check (the runtime's own `durationMs`). */
  durations: number[];
  /** The page's main-thread task time over the window, ms. */
  taskMs: number;
  /** Registry requests by HTTP status. */
  http: Record<string, number>;
  /** Registry requests, and their bytes both ways (headers included). */
  requests: number;
  bytes: number;
}

const args = benchArgs(USAGE, { rounds: { type: 'string' }, checks: { type: 'string' }, interval: { type: 'string' } });
const rounds = intFlag(args.rounds, 'rounds', 3);
const checksPerWindow = intFlag(args.checks, 'checks', 20);
const intervalMs = intFlag(args.interval, 'interval', 500);
const windowMs = checksPerWindow * intervalMs;
/** Wait after each runtime's load before its window opens; checks run (and take an index) meanwhile too. */
const SETTLE_MS = 1000;

await ensureModels([MODEL.file]);
const workDir = await makeWorkDir();
const source = await describeSource(args);
const distDir = await preparePackage(args, workDir);
progress('building a signed registry with the CLI …');
const registry = await buildBenchRegistry(workDir, [{ ...MODEL, file: join(REPO_ROOT, MODEL.file) }]);

// Successive index versions, signed with the CLI as an operator's scheduler would
// (`outpost resign`); the 'changed' variant serves the next one to every request.
const indexPath = join(registry.dir, 'index.json');
const original = await readFile(indexPath);
// Per round: the window's checks, the settle's, and a few for jitter (intervals as short as 0.9×).
const needed = rounds * (checksPerWindow + Math.ceil(SETTLE_MS / (0.9 * intervalMs)) + 3);
progress(`signing ${needed} index versions with outpost resign …`);
const signed: Buffer[] = [];
for (let i = 0; i < needed; i++) {
  await runCli('resign', registry.dir, '--key', registry.targetsKey);
  signed.push(await readFile(indexPath));
}
await writeFile(indexPath, original);

let serveNewIndex = false;
let nextIndex = 0;
function newIndexEveryRequest(req: IncomingMessage, res: ServerResponse): boolean {
  if (!serveNewIndex || new URL(req.url ?? '/', 'http://localhost').pathname !== '/registry/index.json') return false;
  const body = signed[nextIndex];
  if (!body) throw new Error('ran out of signed index versions: raise the count in bench/refresh.ts');
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.byteLength, etag: `"bench-${nextIndex}"` }).end(body);
  nextIndex += 1;
  return true;
}

/** Bytes of a start line and its headers as HTTP/1.1 sends them. */
function headerBytes(startLine: string, headers: Record<string, string>): number {
  let total = startLine.length + 2;
  for (const [name, value] of Object.entries(headers)) total += name.length + 2 + value.length + 2;
  return total + 2;
}

const site = await startSite({ distDir, registryDir: registry.dir, workDir, intercept: newIndexEveryRequest });
const loadBefore = sampleLoad();
const samples: Record<Variant, Window[]> = { idle: [], unchanged: [], changed: [] };
const bench = await openBenchPage(`${site.origin}/bench/pages/refresh.html`);
try {
  const env = await callPage<{ userAgent: string; hardwareConcurrency: number; crossOriginIsolated: boolean }>(bench, 'environment');
  const cdp = await bench.page.context().newCDPSession(bench.page);
  await cdp.send('Performance.enable');
  const taskSeconds = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN;
  // Registry traffic while a window is open: requests, and bytes both ways, headers included.
  let counting = false;
  let requests = 0;
  let bytes = 0;
  const statuses = new Map<number, number>();
  bench.page.on('response', (response) => {
    const request = response.request();
    const url = new URL(request.url());
    if (!counting || !url.pathname.startsWith('/registry/')) return;
    requests += 1;
    statuses.set(response.status(), (statuses.get(response.status()) ?? 0) + 1);
    // HTTP/1.1 as on the wire: request line and headers, status line, headers and body.
    void Promise.all([request.allHeaders(), response.allHeaders()]).then(([sent, received]) => {
      bytes += headerBytes(`${request.method()} ${url.pathname} HTTP/1.1`, sent);
      bytes += headerBytes(`HTTP/1.1 ${response.status()} ${response.statusText()}`, received) + Number(received['content-length'] ?? 0);
    });
  });

  const variants: Variant[] = ['idle', 'unchanged', 'changed'];
  for (let round = 0; round < rounds; round++) {
    for (const variant of turnOrder(variants, round)) {
      progress(`round ${round + 1}/${rounds}: ${LABELS[variant]}`);
      const dbName = `outpost-bench-refresh-${round}-${variant}`;
      await callPage(bench, 'start', { name: MODEL.name, rootText: registry.rootText, interval: variant === 'idle' ? 0 : intervalMs, dbName });
      serveNewIndex = variant === 'changed';
      // Past the load's own aftermath, and forget any check that ran meanwhile.
      await new Promise((done) => setTimeout(done, SETTLE_MS));
      await callPage(bench, 'takeChecks');
      requests = 0;
      bytes = 0;
      statuses.clear();
      counting = true;
      const before = await taskSeconds();
      await new Promise((done) => setTimeout(done, windowMs));
      const after = await taskSeconds();
      counting = false;
      // Sizes and responses of the window's last requests arrive a moment later.
      await new Promise((done) => setTimeout(done, 200));
      const checks = await callPage<Array<{ status: string; durationMs: number }>>(bench, 'takeChecks');
      serveNewIndex = false;
      await callPage(bench, 'stop');
      const outcomes: Record<string, number> = {};
      for (const check of checks) outcomes[check.status] = (outcomes[check.status] ?? 0) + 1;
      samples[variant].push({
        checks: checks.length,
        statuses: outcomes,
        http: Object.fromEntries([...statuses].sort(([a], [b]) => a - b).map(([status, n]) => [String(status), n])),
        durations: checks.map((c) => c.durationMs),
        taskMs: (after - before) * 1000,
        requests,
        bytes,
      });
    }
  }
  const loadAfter = sampleLoad();

  // Paired per round: a variant's main-thread time above the idle window of its round.
  const extraPerCheck = (variant: Variant) =>
    median(samples[variant].map((w, round) => (w.taskMs - (samples.idle[round]?.taskMs ?? NaN)) / Math.max(1, w.checks)));
  const rows = variants.map((variant) => {
    const windows = samples[variant];
    const perCheck = (pick: (w: Window) => number) => median(windows.map((w) => (w.checks > 0 ? pick(w) / w.checks : 0)));
    const tally = (pick: (w: Window) => Record<string, number>) =>
      [...new Set(windows.flatMap((w) => Object.keys(pick(w))))]
        .map((key) => `${key} ×${windows.reduce((sum, w) => sum + (pick(w)[key] ?? 0), 0)}`)
        .join(', ');
    const statuses = tally((w) => w.statuses);
    const idle = variant === 'idle';
    return [
      LABELS[variant],
      idle ? '—' : String(median(windows.map((w) => w.checks))),
      idle ? '' : statuses,
      idle ? '' : tally((w) => w.http),
      ms(median(windows.map((w) => w.taskMs))),
      idle ? 'baseline' : ms(extraPerCheck(variant)),
      idle ? '' : ms(median(windows.flatMap((w) => w.durations))),
      idle ? '' : perCheck((w) => w.requests).toFixed(1),
      idle ? '' : (perCheck((w) => w.bytes) / 1000).toFixed(2),
      idle ? '' : `${((extraPerCheck(variant) / DEFAULT_INTERVAL_MS) * 100).toFixed(4)} %`,
    ];
  });

  console.log(`\nRefresh benchmark — ${environmentLine(env)}`);
  console.log(`package: ${source}`);
  console.log(loadLine(loadBefore, loadAfter));
  console.log(`model ${MODEL.name} loaded (wasm); ${rounds} rounds, each a ${(windowMs / 1000).toFixed(0)} s window per variant in rotating order;`);
  console.log(`refreshInterval ${intervalMs} ms (±10 % jitter) while measuring; registry files no-store, ETag from the file (304 when unchanged).`);
  console.log('main-thread = Chromium\'s TaskDuration for the page over the window; extra = above the idle window (the baseline) of the');
  console.log('same round, per check; "main thread at 5 min" = that extra as a share of the default interval, one check per interval;');
  console.log('bytes = registry requests and responses as HTTP/1.1 sends them: start lines, headers, bodies (1 kB = 1000 bytes).\n');
  console.log(table(['variant', 'checks', 'outcomes', 'HTTP', 'main-thread ms', 'extra ms / check', 'wall ms / check', 'requests / check', 'kB / check', 'main thread at 5 min'], rows));
  const unchanged = extraPerCheck('unchanged');
  const changed = extraPerCheck('changed');
  const perDefault = (value: number) => `${value.toFixed(2)} ms per ${DEFAULT_INTERVAL_MS / 60_000} min`;
  console.log(`\nAt the default refreshInterval (${DEFAULT_INTERVAL_MS / 60_000} min): ${perDefault(unchanged)} of main-thread time when nothing changed,`);
  console.log(`${perDefault(changed)} when a new index was signed (once per resign, typically daily).`);

  await writeJson(args.json, { bench: 'refresh', source, load: { before: loadBefore, after: loadAfter }, environment: env, rounds, intervalMs, windowMs, samples });
} finally {
  await bench.close();
  await site.close();
}
