/**
 * Live drift counts: every run's features binned into the reference's edges, so the
 * counts merge exactly across devices and windows and compare bucket for bucket.
 */
import type { Aggregator, Histogram } from '../telemetry/aggregate.js';
import type { Reference } from '../registry/schema.js';
import { runFeatures, type FeatureSink, type FeatureTensor } from './features.js';
import { DRIFT_ATTRIBUTES, DRIFT_METRIC } from './names.js';

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

  constructor(aggregator: Aggregator, reference: Reference, model: string, version: string) {
    for (const feature of reference.features) {
      const histogram = aggregator.histogram(
        DRIFT_METRIC,
        { [DRIFT_ATTRIBUTES.feature]: feature.name, [DRIFT_ATTRIBUTES.model]: model, [DRIFT_ATTRIBUTES.version]: version },
        feature.edges,
      );
      this.#histograms.set(feature.name, histogram);
      this.#record.set(feature.name, (value) => histogram.record(value));
    }
  }

  /** True when the reference names at least one feature. */
  get active(): boolean {
    return this.#histograms.size > 0;
  }

  target(feature: string): ((value: number) => void) | undefined {
    return this.#record.get(feature);
  }

  record(inputs: Record<string, FeatureTensor>, outputs: Record<string, FeatureTensor>): void {
    if (this.active) runFeatures(inputs, outputs, this);
  }
}
