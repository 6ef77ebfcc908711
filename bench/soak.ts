// Soak benchmark: does Outpost keep the page's main thread free, and does memory stay
// flat over many load/dispose cycles? Reports; never fails.
//
//   npx tsx bench/soak.ts [--runs 100] [--cycles 50] [--json out.json] [--ref HEAD | --no-build]
import { join } from 'node:path';
import { callPage, openBenchPage, type BenchPage } from './lib/browser.js';
import { buildBenchRegistry } from './lib/registry.js';
import { benchArgs, COMMON_USAGE, intFlag, loadLine, ms, progress, sampleLoad, table, verdictLine, writeJson } from './lib/report.js';
import { describeSource, ensureModels, makeWorkDir, preparePackage, REPO_ROOT, startSite } from './lib/site.js';

const USAGE = `Usage: npx tsx bench/soak.ts [options]
  --runs <n>     runs after each load in the long-task check (default 100)
  --cycles <n>   load/run/dispose cycles in the memory check (default 50)
${COMMON_USAGE}`;

const args = benchArgs(USAGE, { runs: { type: 'string' }, cycles: { type: 'string' } });
const runs = intFlag(args.runs, 'runs', 100);
const cycleCount = intFlag(args.cycles, 'cycles', 50);
const MODEL = { name: 'silero_vad', version: '1.0.0', file: 'models/silero_vad_v5.onnx' };

interface LongTasks { ms: number; count: number; longest: number }
interface MemorySample { cycle: number; total: number; workers: number; source: string }

await ensureModels([MODEL.file]);
const workDir = await makeWorkDir();
const source = await describeSource(args);
const distDir = await preparePackage(args, workDir);
const registry = await buildBenchRegistry(workDir, [{ ...MODEL, file: join(REPO_ROOT, MODEL.file) }]);
const site = await startSite({ distDir, registryDir: registry.dir, workDir });
const loadBefore = sampleLoad();
let bench: BenchPage | undefined;
try {
  // Eager memory measurement: otherwise Chromium waits for its next natural GC (up to ~20 s).
  bench = await openBenchPage(`${site.origin}/bench/pages/soak.html`, ['--enable-blink-features=ForceEagerMeasureMemory']);
  progress(`long tasks during a cold and a warm load with ${runs} runs each …`);
  const tasks = await callPage<Record<'control' | 'cold' | 'warm', LongTasks>>(bench, 'mainThread', registry.rootText, MODEL.name, runs);
  progress(`memory over ${cycleCount} load/run/dispose cycles …`);
  const memory = await callPage<MemorySample[]>(bench, 'cycles', registry.rootText, MODEL.name, cycleCount, 10);
  const loadAfter = sampleLoad();

  console.log(`\n${source}\n${loadLine(loadBefore, loadAfter)}\n`);
  console.log(table(
    ['phase (Silero VAD, wasm)', 'wall ms', 'long tasks', 'longest ms'],
    [
      ['control: 80 ms blocked on purpose', ms(tasks.control.ms), String(tasks.control.count), ms(tasks.control.longest)],
      ...(['cold', 'warm'] as const).map((phase) => [`${phase} load + ${runs} runs`, ms(tasks[phase].ms), String(tasks[phase].count), ms(tasks[phase].longest)]),
    ],
  ));
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
  const first = memory[1] ?? memory[0]!;
  const last = memory.at(-1)!;
  console.log(`\nmemory (${last.source}), after GC:`);
  console.log(table(['cycle', 'total MB', 'workers MB', 'vs cycle ' + first.cycle], memory.map((s) => [String(s.cycle), mb(s.total), mb(s.workers), `${((s.total / first.total - 1) * 100).toFixed(1)}%`])));
  const growth = last.total / first.total - 1;
  console.log('');
  console.log(verdictLine({ met: tasks.cold.count + tasks.warm.count === 0, target: 'no main-thread task over 50 ms during loads and runs', measured: `${tasks.cold.count + tasks.warm.count} long task(s), longest ${ms(Math.max(tasks.cold.longest, tasks.warm.longest))} ms` }));
  console.log(verdictLine({ met: growth <= 0.1, target: `memory after ${cycleCount} cycles within 10% of cycle ${first.cycle}`, measured: `${(growth * 100).toFixed(1)}%` }));
  await writeJson(args.json, { source, runs, cycles: cycleCount, tasks, memory });
} finally {
  await bench?.close();
  await site.close();
}
