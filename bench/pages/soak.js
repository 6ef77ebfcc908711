// The soak page: long tasks on the main thread during loads and runs, and memory over
// many load/dispose cycles. Imports the BUILT package, as an app without a bundler would.
import { createRuntime } from '/dist/index.js';

const vadFeeds = () => ({
  input: { type: 'float32', data: new Float32Array(512).map(() => Math.random() - 0.5), dims: [1, 512] },
  state: { type: 'float32', data: new Float32Array(256), dims: [2, 1, 128] },
  sr: { type: 'int64', data: BigInt64Array.of(16000n), dims: [] },
});

function runtimeFor(rootText, dbName) {
  return createRuntime({ registryUrl: '/registry/', trustedRoot: rootText, backend: 'wasm', storage: { dbName } });
}

/** Long tasks (> 50 ms) seen while `work` runs, by the browser's own PerformanceObserver. */
async function longTasksDuring(work) {
  const entries = [];
  const observer = new PerformanceObserver((list) => entries.push(...list.getEntries()));
  observer.observe({ type: 'longtask', buffered: false });
  const started = performance.now();
  await work();
  // Long-task entries are delivered after the task ends: let them arrive.
  await new Promise((resolve) => setTimeout(resolve, 200));
  observer.disconnect();
  return { ms: performance.now() - started, count: entries.length, longest: Math.max(0, ...entries.map((e) => e.duration)) };
}

/** A cold load (download, verify, store, create), a warm one, and `runs` runs after each. */
async function mainThread(rootText, name, runs) {
  const dbName = `outpost-soak-${Date.now()}`;
  // A control: the observer must see a task we block on purpose, or its zeros mean nothing.
  const result = {
    control: await longTasksDuring(
      () =>
        new Promise((resolve) =>
          setTimeout(() => {
            const until = performance.now() + 80;
            while (performance.now() < until);
            resolve();
          }),
        ),
    ),
  };
  for (const phase of ['cold', 'warm']) {
    const runtime = runtimeFor(rootText, dbName);
    result[phase] = await longTasksDuring(async () => {
      const model = await runtime.load(name);
      for (let i = 0; i < runs; i++) await model.run(vadFeeds());
      await model.dispose();
    });
    await runtime.close();
  }
  return result;
}

/** Bytes of the page and its workers, after a GC, as the browser reports them. */
async function memoryNow() {
  globalThis.gc?.();
  if (typeof performance.measureUserAgentSpecificMemory === 'function') {
    const measured = await performance.measureUserAgentSpecificMemory();
    const workers = measured.breakdown
      .filter((entry) => entry.attribution.some((a) => a.scope === 'DedicatedWorkerGlobalScope'))
      .reduce((sum, entry) => sum + entry.bytes, 0);
    return { total: measured.bytes, workers, source: 'measureUserAgentSpecificMemory' };
  }
  return { total: performance.memory?.usedJSHeapSize ?? 0, workers: 0, source: 'performance.memory (page heap only)' };
}

/** `cycles` × (load from the warm cache, one run, dispose), with memory every `every` cycles. */
async function cycles(rootText, name, count, every) {
  const runtime = runtimeFor(rootText, `outpost-soak-cycles-${Date.now()}`);
  (await runtime.load(name)).dispose();
  const samples = [{ cycle: 0, ...(await memoryNow()) }];
  for (let i = 1; i <= count; i++) {
    const model = await runtime.load(name);
    await model.run(vadFeeds());
    await model.dispose();
    if (i % every === 0) samples.push({ cycle: i, ...(await memoryNow()) });
  }
  await runtime.close();
  return samples;
}

window.bench = { mainThread, cycles };
window.benchReady = true;
