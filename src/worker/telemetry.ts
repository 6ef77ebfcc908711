/**
 * The worker's share of telemetry: per-session inference latency and drift counts,
 * aggregated here so no run ever costs a message of its own. The page drains a window
 * at a time (protocol.ts `drainTelemetry`).
 */
import { DriftBinner } from '../drift/binning.js';
import type { FeatureTensor } from '../drift/features.js';
import { Aggregator, type MetricsWindow } from '../telemetry/aggregate.js';
import { ATTRIBUTES, INFERENCE_BOUNDS_MS, METRICS } from '../telemetry/names.js';
import type { Backend } from '../tensor/types.js';
import type { SessionTelemetry } from './protocol.js';

/** Called after each successful run, before its outputs leave the worker. */
export type RunRecorder = (ms: number, feeds: Record<string, FeatureTensor>, outputs: Record<string, FeatureTensor>) => void;

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
  #recording = true;

  recorder(session: SessionTelemetry, backend: Backend): RunRecorder {
    const duration = this.#aggregator.histogram(
      METRICS.inferenceDuration,
      { [ATTRIBUTES.model]: session.model, [ATTRIBUTES.version]: session.version, [ATTRIBUTES.backend]: backend },
      INFERENCE_BOUNDS_MS,
    );
    const drift = session.reference ? new DriftBinner(this.#aggregator, session.reference, session.model, session.version) : undefined;
    const binDrift = drift?.active ? drift : undefined;
    return (ms, feeds, outputs) => {
      if (!this.#recording) return;
      duration.record(ms);
      binDrift?.record(feeds, outputs);
    };
  }

  /**
   * The window since the last drain. `recording` false (consent withdrawn) throws the
   * window away and stops recording until a drain with `recording` true.
   */
  drain(recording: boolean): MetricsWindow {
    const window = this.#aggregator.drain();
    this.#recording = recording;
    return recording ? window : { ...window, points: [] };
  }
}
