/**
 * Live drift counts: every run's features binned into the reference's edges, so the
 * counts merge exactly across devices and windows and compare bucket for bucket.
 */
import type { Aggregator, Histogram } from '../telemetry/aggregate.js';
import type { Reference } from '../registry/schema.js';
import type { SnapshotArena } from './arena.js';
import { runFeatures, type FeatureSink, type FeatureTensor } from './features.js';
import { snapshotTensor } from './snapshot.js';
import { DRIFT_ATTRIBUTES, DRIFT_METRIC, parseFeatureName } from './names.js';

/** What one run's features are computed from, copied out of the run's buffers. */
export interface RunSnapshot {
  inputs: Record<string, FeatureTensor>;
  outputs: Record<string, FeatureTensor>;
}

/**
 * Bins one model version's runs into `outpost.drift.feature` histograms of an
 * {@link Aggregator}; features the reference does not name are never computed.
 *
 * @example
 * ```ts
 * const drift = new DriftBinner(aggregator, manifest.reference, 'vad', '1.0.0');
 * drift.record(feeds, outputs);
 * ```
 */
export class DriftBinner implements FeatureSink {
  readonly #histograms = new Map<string, Histogram>();
  readonly #record = new Map<string, (value: number) => void>();
  readonly #recordFloats = new Map<string, (data: Float32Array, step: number) => void>();
  /** Per side, the tensors some feature reads; others are never copied. */
  readonly #tensors = { input: new Set<string>(), output: new Set<string>() };

  constructor(aggregator: Aggregator, reference: Reference, model: string, version: string) {
    for (const feature of reference.features) {
      const histogram = aggregator.histogram(
        DRIFT_METRIC,
        { [DRIFT_ATTRIBUTES.feature]: feature.name, [DRIFT_ATTRIBUTES.model]: model, [DRIFT_ATTRIBUTES.version]: version },
        feature.edges,
      );
      this.#histograms.set(feature.name, histogram);
      this.#record.set(feature.name, (value) => histogram.record(value));
      this.#recordFloats.set(feature.name, (data, step) => histogram.recordFloats(data, step));
      const parsed = parseFeatureName(feature.name);
      if (parsed) this.#tensors[parsed.side].add(parsed.tensor);
    }
  }

  /** True when the reference names at least one feature. */
  get active(): boolean {
    return this.#histograms.size > 0;
  }

  target(feature: string): ((value: number) => void) | undefined {
    return this.#record.get(feature);
  }

  targetFloats(feature: string): ((data: Float32Array, step: number) => void) | undefined {
    return this.#recordFloats.get(feature);
  }

  record(inputs: Record<string, FeatureTensor>, outputs: Record<string, FeatureTensor>): void {
    if (this.active) runFeatures(inputs, outputs, this);
  }

  /**
   * What {@link record} will read of this run, copied (small tensors whole, large ones
   * as their fixed-stride sample), so the binning can wait until the reply is sent.
   * `record(snapshot.inputs, snapshot.outputs)` counts exactly what `record` would have.
   */
  snapshot(inputs: Record<string, FeatureTensor>, outputs: Record<string, FeatureTensor>, arena?: SnapshotArena): RunSnapshot {
    return { inputs: this.#copy('input', inputs, arena), outputs: this.#copy('output', outputs, arena) };
  }

  #copy(side: 'input' | 'output', tensors: Record<string, FeatureTensor>, arena: SnapshotArena | undefined): Record<string, FeatureTensor> {
    const out: Record<string, FeatureTensor> = {};
    const wanted = this.#tensors[side];
    for (const name in tensors) if (wanted.has(name)) out[name] = snapshotTensor(tensors[name] as FeatureTensor, arena);
    return out;
  }
}
