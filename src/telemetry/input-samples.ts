/**
 * Sampled raw inputs, for models whose signed manifest opts in (`sampleInputs`,
 * `outpost publish --sample-inputs`): the worker keeps that share of runs' inputs,
 * byte-capped per record and per window, and the page sends them as OTLP logs
 * (otlp-logs.ts). Never the outputs, never anything about the user.
 */
import type { SampleInputs } from '../registry/schema.js';
import type { Aggregator, Counter } from './aggregate.js';
import { ATTRIBUTES, METRICS } from './names.js';

/** One input tensor of a sampled run: its bytes as the tensor holds them (little-endian). */
export interface SampledTensor {
  type: string;
  dims: number[];
  bytes: Uint8Array;
}

/** One sampled run, as it crosses from the worker to the page. */
export interface InputSample {
  /** Epoch ms of the run. */
  time: number;
  model: string;
  version: string;
  backend: string;
  inputs: Record<string, SampledTensor>;
}

interface TensorView {
  type: string;
  data: ArrayBufferView;
  dims: readonly number[];
}

/**
 * One session's sampler. `take` decides per run (`random() < rate`); a record whose
 * raw input bytes exceed `maxRecordBytes`, or would take this window past
 * `maxWindowBytes`, is counted in `outpost.input.samples.skipped` and not kept.
 *
 * @example
 * ```ts
 * const sampler = new InputSampler(manifest.sampleInputs, aggregator, { model: 'vad', version: '1.0.0', backend: 'wasm' });
 * const sample = sampler.take(feeds); // an InputSample, or undefined
 * sampler.newWindow();
 * ```
 */
export class InputSampler {
  readonly #policy: SampleInputs;
  readonly #series: { model: string; version: string; backend: string };
  readonly #skipped: Record<'record-cap' | 'window-cap', Counter>;
  readonly #random: () => number;
  #windowBytes = 0;

  constructor(policy: SampleInputs, aggregator: Aggregator, series: { model: string; version: string; backend: string }, random = Math.random) {
    this.#policy = policy;
    this.#series = series;
    this.#random = random;
    const counter = (reason: string) =>
      aggregator.counter(METRICS.samplesSkipped, { [ATTRIBUTES.model]: series.model, [ATTRIBUTES.version]: series.version, [ATTRIBUTES.skipReason]: reason });
    this.#skipped = { 'record-cap': counter('record-cap'), 'window-cap': counter('window-cap') };
  }

  /** A copy of this run's inputs when it is sampled and fits the caps; else undefined. */
  take(feeds: Record<string, TensorView>, now = Date.now()): InputSample | undefined {
    if (this.#random() >= this.#policy.rate) return undefined;
    let bytes = 0;
    for (const tensor of Object.values(feeds)) bytes += tensor.data.byteLength;
    if (bytes > this.#policy.maxRecordBytes) {
      this.#skipped['record-cap'].add();
      return undefined;
    }
    if (this.#windowBytes + bytes > this.#policy.maxWindowBytes) {
      this.#skipped['window-cap'].add();
      return undefined;
    }
    this.#windowBytes += bytes;
    const inputs: Record<string, SampledTensor> = {};
    for (const name of Object.keys(feeds).sort()) {
      const { type, data, dims } = feeds[name] as TensorView;
      // A copy: the run's feeds may live in shared memory the next run overwrites.
      inputs[name] = { type, dims: [...dims], bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice() };
    }
    return { time: now, ...this.#series, inputs };
  }

  /** A drain closed the window: its byte budget starts again. */
  newWindow(): void {
    this.#windowBytes = 0;
  }
}
