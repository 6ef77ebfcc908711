// Collector benchmark: a bounded load generator on loopback against `outpost collector`
// in its own process, sending OTLP/HTTP JSON batches of delta histograms for --seconds
// per phase; after each phase it stops the server (SIGTERM), reopens the database and
// checks that every acknowledged point is stored (zero loss).
// - saturation phases: --concurrency closed-loop connections send back to back, which
//   measures the most points/s the collector takes (latency there is only queueing:
//   concurrency / throughput);
// - rate phases: requests leave on a fixed schedule at --rate points/s, as many
//   independent devices would send, and each latency counts from the time its request
//   was due, so a stall is charged to every request it delays.
// Baseline, same run: saturation against the same app on a store that keeps nothing.
//
//   npx tsx bench/collector.ts [--seconds 60] [--rate 20000] [--concurrency 8] [--points 250] [--baseline-seconds 10]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from '../src/collector/store/sqlite.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    'baseline-seconds': { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '8' },
    points: { type: 'string', default: '250' },
    rate: { type: 'string', default: '20000' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  console.log('Usage: npx tsx bench/collector.ts [--seconds 60] [--baseline-seconds 10] [--rate 20000] [--concurrency 8] [--points 250]');
  process.exit(0);
}
const SECONDS = Number(values.seconds);
const BASELINE_SECONDS = Number(values['baseline-seconds']);
const CONCURRENCY = Number(values.concurrency);
const POINTS = Number(values.points);
const RATE = Number(values.rate);
// Requests in flight at most in a rate phase: past it the schedule slips (and counts).
const MAX_IN_FLIGHT = 256;
const SERVER = fileURLToPath(new URL('./collector-server.ts', import.meta.url));
const BOUNDS = [1, 2, 5, 10, 20, 50, 100];

interface Phase {
  label: string;
  series: number;
  seconds: number;
  nullStore: boolean;
  /** Points/s on a fixed schedule; undefined: closed-loop saturation. */
  rate?: number;
}

function startServer(file: string, nullStore: boolean): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROF] : []), '--import', 'tsx', SERVER, file], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_NULL_STORE: nullStore ? '1' : '0' },
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /listening on (\S+)/.exec(chunk.toString());
      if (match) resolve({ child, url: match[1] as string });
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

function body(series: number, offset: number): Buffer {
  const time = String(BigInt(Date.now()) * 1_000_000n);
  const points = Array.from({ length: POINTS }, (_, i) => {
    const s = (offset + i) % series;
    return {
      attributes: [
        { key: 'model.name', value: { stringValue: `model-${s % 50}` } },
        { key: 'model.version', value: { stringValue: `1.0.${Math.floor(s / 50)}` } },
        { key: 'outpost.backend', value: { stringValue: s % 2 === 0 ? 'wasm' : 'webgpu' } },
      ],
      timeUnixNano: time,
      count: '8',
      sum: 64,
      bucketCounts: ['1', '1', '1', '1', '1', '1', '1', '1'],
      explicitBounds: BOUNDS,
    };
  });
  return Buffer.from(
    JSON.stringify({
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'browser.brands', value: { arrayValue: { values: [{ stringValue: 'Google Chrome 120' }] } } }] },
          scopeMetrics: [{ metrics: [{ name: 'outpost.inference.duration', unit: 'ms', histogram: { aggregationTemporality: 1, dataPoints: points } }] }],
        },
      ],
    }),
  );
}

function post(agent: Agent, url: string, payload: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/metrics`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': String(payload.length) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);
}

async function runPhase(phase: Phase, dir: string) {
  const file = join(dir, `${phase.label.replace(/\W+/g, '-')}.db`);
  const { child, url } = await startServer(file, phase.nullStore);
  const agent = new Agent({ keepAlive: true, maxSockets: phase.rate === undefined ? CONCURRENCY : 64 });
  const latencies: number[] = [];
  let acked = 0;
  let failed = 0;
  let offset = 0;
  const end = performance.now() + phase.seconds * 1000;
  const started = performance.now();
  const send = async (due: number) => {
    const payload = body(phase.series, offset);
    offset += POINTS;
    const status = await post(agent, url, payload);
    latencies.push(performance.now() - due);
    if (status === 200) acked += POINTS;
    else failed++;
  };
  if (phase.rate === undefined) {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < end) await send(performance.now());
      }),
    );
  } else {
    const interval = (POINTS / phase.rate) * 1000;
    const inFlight = new Set<Promise<void>>();
    for (let i = 0; ; i++) {
      const due = started + i * interval;
      if (due >= end) break;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
      const request: Promise<void> = send(due).finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
    await Promise.all(inFlight);
  }
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  child.kill('SIGTERM');
  await new Promise((resolve) => child.on('exit', resolve));
  let storedPoints = NaN;
  let rows = { series: 0, rollups: 0 };
  if (!phase.nullStore) {
    const store = openSqliteStore({ file });
    const totals = await store.totals({});
    // Each benchmark point carries count 8.
    storedPoints = totals.reduce((n, t) => n + t.count, 0) / 8;
    const stats = await store.stats();
    rows = { series: stats.series, rollups: stats.rollups };
    await store.close();
  }
  latencies.sort((a, b) => a - b);
  return { ...phase, pointsPerSecond: acked / elapsed, acked, storedPoints, failed, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), rows };
}

const dir = mkdtempSync(join(tmpdir(), 'outpost-bench-collector-'));
try {
  const phases: Phase[] = [
    { label: 'baseline: null store, 20 series', series: 20, seconds: BASELINE_SECONDS, nullStore: true },
    { label: 'SQLite, 20 series, saturation', series: 20, seconds: SECONDS, nullStore: false },
    { label: 'SQLite, 1,000 series, saturation', series: 1000, seconds: SECONDS, nullStore: false },
    { label: `SQLite, 20 series, ${RATE} points/s`, series: 20, seconds: SECONDS, nullStore: false, rate: RATE },
    { label: `SQLite, 1,000 series, ${RATE} points/s`, series: 1000, seconds: SECONDS, nullStore: false, rate: RATE },
  ];
  console.log(
    `collector benchmark: ${POINTS} histogram points per request, ${SECONDS} s per phase (baseline ${BASELINE_SECONDS} s); ` +
      `saturation: ${CONCURRENCY} closed-loop connections; rate: requests due every ${((POINTS / RATE) * 1000).toFixed(1)} ms`,
  );
  const results: Awaited<ReturnType<typeof runPhase>>[] = [];
  for (const phase of phases) {
    const result = await runPhase(phase, dir);
    results.push(result);
    const loss = result.nullStore ? 'n/a' : `${result.acked - result.storedPoints} lost`;
    console.log(
      `${result.label.padEnd(38)} ${result.pointsPerSecond.toFixed(0).padStart(7)} points/s  p50 ${result.p50.toFixed(1)} ms  p99 ${result.p99.toFixed(1)} ms  ` +
        `acked ${result.acked}  stored ${Number.isNaN(result.storedPoints) ? '-' : result.storedPoints}  (${loss})  failed ${result.failed}  rows after: ${result.rows.series} series, ${result.rows.rollups} rollups`,
    );
  }
  const baseline = results[0]!.pointsPerSecond;
  const lossless = (r: (typeof results)[number]) => r.acked === r.storedPoints && r.failed === 0;
  for (const r of results.slice(1)) {
    const ratio = `${(r.pointsPerSecond / baseline).toFixed(2)}x the null-store baseline`;
    if (r.rate === undefined) {
      const ok = r.pointsPerSecond >= 20_000 && lossless(r);
      console.log(`${r.label}: ${ratio}; target (>= 20,000 points/s, zero loss): ${ok ? 'met' : 'NOT met'}`);
    } else {
      const ok = r.pointsPerSecond >= 0.98 * r.rate && r.p99 < 50 && lossless(r);
      console.log(`${r.label}: ${ratio}; target (rate sustained, p99 < 50 ms, zero loss): ${ok ? 'met' : 'NOT met'}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
