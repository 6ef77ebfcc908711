/**
 * The metric names, attribute keys and histogram bounds the device sends (DESIGN §6,
 * binding). docs/telemetry.md describes each field; the collector reads the same names.
 */

/** Metric names. */
export const METRICS = {
  inferenceDuration: 'outpost.inference.duration',
  loadDuration: 'outpost.load.duration',
  errors: 'outpost.errors',
  backendFallback: 'outpost.backend.fallback',
  driftFeature: 'outpost.drift.feature',
  dropped: 'outpost.telemetry.dropped',
  /** Sampled input records not sent because of a byte cap (manifest `sampleInputs`). */
  samplesSkipped: 'outpost.input.samples.skipped',
} as const;

/** Attribute keys of data points. */
export const ATTRIBUTES = {
  model: 'model.name',
  version: 'model.version',
  backend: 'outpost.backend',
  loadPhase: 'outpost.load.phase',
  loadCache: 'outpost.load.cache',
  errorCode: 'error.code',
  fallbackFrom: 'outpost.backend.from',
  fallbackTo: 'outpost.backend.to',
  fallbackReason: 'outpost.fallback.reason',
  driftFeature: 'outpost.drift.feature',
  /** Why `outpost.telemetry.dropped` counted a batch: `queue-full` or `rejected` (a 4xx answer). */
  dropReason: 'outpost.drop.reason',
  /** Why `outpost.input.samples.skipped` counted a record: `record-cap` or `window-cap`. */
  skipReason: 'outpost.skip.reason',
  /** `event.name` of a sampled input log record. */
  eventName: 'event.name',
} as const;

/** `event.name` of the OTLP log record that carries one run's sampled inputs. */
export const INPUT_SAMPLE_EVENT = 'outpost.input.sample';

/**
 * Bucket bounds (ms) of `outpost.inference.duration`: from sub-millisecond WASM calls
 * (Silero VAD runs in ~0.5 ms) to multi-second WebGPU-on-CPU runs.
 */
export const INFERENCE_BOUNDS_MS: readonly number[] = [0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

/** Bucket bounds (ms) of `outpost.load.duration`: cached metadata in ms, large downloads in minutes. */
export const LOAD_BOUNDS_MS: readonly number[] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 120000];

/** Instrumentation scope and `telemetry.sdk.name` of every payload. */
export const SDK_NAME = 'outpost';
export const SDK_VERSION = '0.1.0';

/** OTLP AggregationTemporality: every data point covers its own window only. */
export const AGGREGATION_TEMPORALITY_DELTA = 1;
