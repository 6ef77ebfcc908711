// One backend's measurement: a cold load (cache emptied), a warm load (verified from
// the cache), each with its phases timed from the runtime's progress events and its
// first run, then N runs back to back on the warm model.
import type { BackendConfig } from './backends.js';
import type { LoadProgress, Model, Runtime, TensorLike } from './outpost.js';
import { summarize, type LatencySummary } from './stats.js';

export const PHASES = ['metadata', 'download', 'verify', 'compile', 'first run'] as const;
export type Phase = (typeof PHASES)[number];
export type LoadBreakdown = Record<Phase, number>;

export interface BenchInput {
  model: string;
  /** Feeds for run i; may depend on the previous outputs (a recurrent state). */
  feeds: (i: number, previous: Record<string, TensorLike> | undefined) => Record<string, TensorLike>;
}

export interface BackendResult {
  model: string;
  version: string;
  config: BackendConfig;
  /** The backend the model really ran on ('auto' resolves to one). */
  ranOn: string;
  cold: LoadBreakdown;
  warm: LoadBreakdown;
  times: number[];
  summary: LatencySummary;
  backendInfo: Model['backendInfo'];
}

export async function timedLoad(
  runtime: Runtime,
  input: BenchInput,
  config: BackendConfig,
  onDownload: (p: LoadProgress) => void,
): Promise<{ model: Model; breakdown: LoadBreakdown }> {
  const started = performance.now();
  const firstSeen: Partial<Record<LoadProgress['phase'], number>> = {};
  const model = await runtime.load(input.model, {
    backend: config.backend,
    onProgress: (p) => {
      firstSeen[p.phase] ??= performance.now();
      if (p.phase === 'download') onDownload(p);
    },
  });
  const loaded = performance.now();
  const t0 = performance.now();
  await model.run(input.feeds(0, undefined));
  const firstRun = performance.now() - t0;
  const marks: Array<[LoadProgress['phase'], number]> = (['download', 'verify', 'compile'] as const)
    .filter((phase) => firstSeen[phase] !== undefined)
    .map((phase) => [phase, firstSeen[phase]!]);
  const breakdown: LoadBreakdown = { metadata: 0, download: 0, verify: 0, compile: 0, 'first run': firstRun };
  // Each phase lasts from its first event to the next phase's first event.
  breakdown.metadata = (marks[0]?.[1] ?? loaded) - started;
  marks.forEach(([phase, at], i) => {
    breakdown[phase] = (marks[i + 1]?.[1] ?? loaded) - at;
  });
  return { model, breakdown };
}

export async function measureBackend(
  runtime: Runtime,
  input: BenchInput,
  config: BackendConfig,
  runs: number,
  onDownload: (p: LoadProgress) => void,
): Promise<BackendResult> {
  await runtime.cache.remove(input.model);
  const cold = await timedLoad(runtime, input, config, onDownload);
  await cold.model.dispose();
  const { model, breakdown: warm } = await timedLoad(runtime, input, config, onDownload);
  try {
    const times: number[] = [];
    let previous: Record<string, TensorLike> | undefined;
    for (let i = 0; i < runs; i++) {
      const feeds = input.feeds(i + 1, previous);
      const start = performance.now();
      previous = await model.run(feeds);
      times.push(performance.now() - start);
    }
    return {
      model: model.name,
      version: model.version,
      config,
      ranOn: model.backend,
      cold: cold.breakdown,
      warm,
      times,
      summary: summarize(times),
      backendInfo: model.backendInfo,
    };
  } finally {
    await model.dispose();
  }
}
