/**
 * The worker's share of telemetry: per-session inference latency and drift counts,
 * aggregated here so no run ever costs a message of its own. The page drains a window
 * at a time (protocol.ts `drainTelemetry`).
 *
 * Drift binning is kept off the reply path: a run copies what its features read (a few
 * KiB; large tensors as their fixed-stride sample) and the binning runs once the worker
 * is idle, or at the latest when the next drain asks or too many runs wait, so the
 * counts stay exact.
 */
import { SnapshotArena } from '../drift/arena.js';
import { DriftBinner, type RunSnapshot } from '../drift/binning.js';
import type { FeatureTensor } from '../drift/features.js';
import { Aggregator, type MetricsWindow } from '../telemetry/aggregate.js';
import { InputSampler, type InputSample } from '../telemetry/input-samples.js';
import { ATTRIBUTES, INFERENCE_BOUNDS_MS, METRICS } from '../telemetry/names.js';
import type { Backend } from '../tensor/types.js';
import type { SessionTelemetry } from './protocol.js';

/** Called after each successful run, before its outputs leave the worker. */
export type RunRecorder = (ms: number, feeds: Record<string, FeatureTensor>, outputs: Record<string, FeatureTensor>) => void;

/** Runs whose binning may wait; past this, every waiting run is binned at once (bounded memory). */
const MAX_DEFERRED_RUNS = 32;

/**
 * @example
 * ```ts
 * const telemetry = new WorkerTelemetry();
 * const record = telemetry.recorder({ model: 'vad', version: '1.0.0' }, 'wasm');
 * record(0.6, feeds, outputs);
 * telemetry.drain(true).points; // one outpost.inference.duration histogram
 * ```
 */
export class WorkerTelemetry {
  readonly #aggregator = new Aggregator();
  readonly #deferred: Array<{ drift: DriftBinner; run: RunSnapshot }> = [];
  /** Holds the waiting runs' copies; started over whenever none waits. */
  readonly #arena = new SnapshotArena();
  readonly #schedule: (work: () => void) => void;
  readonly #samplers = new Set<InputSampler>();
  #samples: InputSample[] = [];
  #scheduled = false;
  #recording = true;

  /** `schedule` runs deferred binning later; the default is a zero-delay timer (after the reply). */
  constructor(schedule: (work: () => void) => void = (work) => void setTimeout(work, 0)) {
    this.#schedule = schedule;
  }

  recorder(session: SessionTelemetry, backend: Backend): RunRecorder {
    const duration = this.#aggregator.histogram(
      METRICS.inferenceDuration,
      { [ATTRIBUTES.model]: session.model, [ATTRIBUTES.version]: session.version, [ATTRIBUTES.backend]: backend },
      INFERENCE_BOUNDS_MS,
    );
    const drift = session.reference ? new DriftBinner(this.#aggregator, session.reference, session.model, session.version) : undefined;
    const binDrift = drift?.active ? drift : undefined;
    const sampler = session.sampleInputs
      ? new InputSampler(session.sampleInputs, this.#aggregator, { model: session.model, version: session.version, backend })
      : undefined;
    if (sampler) this.#samplers.add(sampler);
    return (ms, feeds, outputs) => {
      if (!this.#recording) return;
      duration.record(ms);
      if (binDrift) this.#defer(binDrift, binDrift.snapshot(feeds, outputs, this.#arena));
      const sample = sampler?.take(feeds);
      if (sample) this.#samples.push(sample);
    };
  }

  /**
   * The window since the last drain. `recording` false (consent withdrawn) throws the
   * window away and stops recording until a drain with `recording` true. `endWindow`
   * false hands the counts over without starting a new sampling window (the page holds
   * them between the windows it sends, so a page that leaves can still send them).
   */
  drain(recording: boolean, endWindow = true): MetricsWindow {
    if (this.#recording) this.#binDeferred();
    this.#deferred.length = 0;
    this.#arena.reset();
    const window = this.#aggregator.drain();
    const samples = this.#samples;
    this.#samples = [];
    if (endWindow) for (const sampler of this.#samplers) sampler.newWindow();
    this.#recording = recording;
    if (!recording) return { ...window, points: [] };
    return samples.length > 0 ? { ...window, samples } : window;
  }

  #defer(drift: DriftBinner, run: RunSnapshot): void {
    this.#deferred.push({ drift, run });
    if (this.#deferred.length > MAX_DEFERRED_RUNS) this.#binDeferred();
    if (this.#scheduled || this.#deferred.length === 0) return;
    this.#scheduled = true;
    this.#schedule(() => {
      this.#scheduled = false;
      this.#binDeferred();
    });
  }

  #binDeferred(): void {
    for (const { drift, run } of this.#deferred.splice(0)) drift.record(run.inputs, run.outputs);
    // Nothing reads the copies any more.
    this.#arena.reset();
  }
}
