/**
 * The default drift features of one run (DESIGN §6), computed the same way by the CLI
 * (for the signed reference) and by the worker (for live counts). Pure: no DOM, no Node.
 */
import {
  CLASS_SCORES_MAX_CLASSES,
  CLASS_SCORES_MAX_ROWS,
  CLASS_SCORES_MIN_CLASSES,
  featureName,
  MOMENT_SAMPLE_LIMIT,
  VALUE_SAMPLE_LIMIT,
  type FeatureKind,
  type TensorSide,
} from './names.js';

/** A tensor as both sides hold it: a typed array (float16 as raw Uint16 bits) and dims. */
export interface FeatureTensor {
  type: string;
  data: ArrayBufferView;
  dims: readonly number[];
  /**
   * Set on a {@link snapshotTensor} of a large tensor: `data` already is the
   * fixed-stride sample, read as it is, and it has no class-score rows.
   */
  sampled?: boolean;
}

/**
 * Where a feature's values go. `target` is asked once per feature and run; returning
 * undefined skips the feature, so the worker computes only what the reference holds.
 */
export interface FeatureSink {
  target(feature: string): ((value: number) => void) | undefined;
  /**
   * Optional bulk path for a float32 `value` feature: every `step`-th element of `data`
   * at once (non-finite ones left out, as `target` would never see them). The worker's
   * binning takes it, so a run costs one loop per tensor, not a call per element.
   */
  targetFloats?(feature: string): ((data: Float32Array, step: number) => void) | undefined;
}

type Reader = (index: number) => number;

function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function readerOf(tensor: FeatureTensor): { read: Reader; length: number } | undefined {
  const data = tensor.data as unknown as ArrayLike<number | bigint> & { length: number };
  if (typeof data.length !== 'number') return undefined;
  if (tensor.type === 'float16') return { read: (i) => halfToNumber(data[i] as number), length: data.length };
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return { read: (i) => Number(data[i]), length: data.length };
  if (tensor.type === 'string') return undefined;
  return { read: (i) => data[i] as number, length: data.length };
}

function isFloat(type: string): boolean {
  return type === 'float32' || type === 'float16' || type === 'float64';
}

/**
 * Emits the features of one tensor: `value` (a fixed-stride sample of at most
 * {@link VALUE_SAMPLE_LIMIT} elements), `mean` and `std` (population, over every
 * element; over the fixed-stride sample of {@link MOMENT_SAMPLE_LIMIT} elements for a
 * larger tensor), and for class-score outputs `top_class` and `top_prob` per row.
 * Non-finite elements are left out of every feature; an empty tensor emits nothing.
 *
 * @example
 * ```ts
 * const seen: Record<string, number[]> = {};
 * tensorFeatures('input', 'x', { type: 'float32', data: new Float32Array([1, 3]), dims: [1, 2] }, {
 *   target: (feature) => (value) => (seen[feature] ??= []).push(value),
 * });
 * // seen: { 'input.x.value': [1, 3], 'input.x.mean': [2], 'input.x.std': [1] }
 * ```
 */
export function tensorFeatures(side: TensorSide, tensorName: string, tensor: FeatureTensor, sink: FeatureSink): void {
  const reader = readerOf(tensor);
  if (!reader || reader.length === 0) return;
  const { read, length } = reader;
  const want = (kind: FeatureKind) => sink.target(featureName(side, tensorName, kind));
  // A large tensor is read through its fixed-stride sample (MOMENT_SAMPLE_LIMIT).
  const stride = momentStride(tensor, length);
  const sampled = Math.ceil(length / stride);

  const floats = tensor.data instanceof Float32Array ? sink.targetFloats?.(featureName(side, tensorName, 'value')) : undefined;
  const value = floats ? undefined : want('value');
  if (floats) floats(tensor.data as Float32Array, Math.ceil(sampled / VALUE_SAMPLE_LIMIT) * stride);
  if (value) {
    const step = Math.ceil(sampled / VALUE_SAMPLE_LIMIT) * stride;
    for (let i = 0; i < length; i += step) {
      const v = read(i);
      if (Number.isFinite(v)) value(v);
    }
  }
  const mean = want('mean');
  const std = want('std');
  if (mean || std) {
    // One pass over shifted sums (finishMoments): no catastrophic cancellation on large offsets.
    const { n, m, m2 } = tensor.data instanceof Float32Array ? floatMoments(tensor.data, stride) : moments(read, length, stride);
    if (n > 0) {
      mean?.(m);
      std?.(Math.sqrt(m2 / n));
    }
  }
  if (side === 'output' && !tensor.sampled) classFeatures(tensor, read, length, want);
}

interface Moments {
  n: number;
  m: number;
  m2: number;
}

function moments(read: Reader, length: number, stride: number): Moments {
  let n = 0;
  let shift = 0;
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < length; i += stride) {
    const v = read(i);
    if (!Number.isFinite(v)) continue;
    if (n === 0) shift = v;
    n += 1;
    const d = v - shift;
    sum += d;
    squares += d * d;
  }
  return finishMoments(n, shift, sum, squares);
}

/** {@link moments} for the common case, kept monomorphic (same arithmetic, same order). */
function floatMoments(data: Float32Array, stride: number): Moments {
  let n = 0;
  let shift = 0;
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < data.length; i += stride) {
    const v = data[i] as number;
    if (!Number.isFinite(v)) continue;
    if (n === 0) shift = v;
    n += 1;
    const d = v - shift;
    sum += d;
    squares += d * d;
  }
  return finishMoments(n, shift, sum, squares);
}

/**
 * Mean and squared deviations from sums of values shifted by the first one (no division
 * per element, which a per-element Welford update pays): shifting by a value of the data
 * keeps the sums near the spread, so a large common offset cancels nothing.
 */
function finishMoments(n: number, shift: number, sum: number, squares: number): Moments {
  if (n === 0) return { n, m: 0, m2: 0 };
  const m2 = Math.max(0, squares - (sum * sum) / n);
  return { n, m: shift + sum / n, m2 };
}

export function momentStride(tensor: FeatureTensor, length: number): number {
  return tensor.sampled ? 1 : Math.ceil(length / MOMENT_SAMPLE_LIMIT);
}

export function isClassScores(tensor: FeatureTensor, length: number): boolean {
  const classes = tensor.dims[tensor.dims.length - 1];
  if (!isFloat(tensor.type) || classes === undefined || classes < CLASS_SCORES_MIN_CLASSES || classes > CLASS_SCORES_MAX_CLASSES) return false;
  const rows = length / classes;
  return Number.isInteger(rows) && rows <= CLASS_SCORES_MAX_ROWS;
}

function classFeatures(tensor: FeatureTensor, read: Reader, length: number, want: (kind: FeatureKind) => ((v: number) => void) | undefined): void {
  if (!isClassScores(tensor, length)) return;
  const classes = tensor.dims[tensor.dims.length - 1] as number;
  const rows = length / classes;
  const topClass = want('top_class');
  const topProb = want('top_prob');
  if (!topClass && !topProb) return;
  // float32 rows are read directly: a call through `read` per score costs more than the score.
  const floats = tensor.data instanceof Float32Array ? tensor.data : undefined;
  for (let row = 0; row < rows; row++) {
    const start = row * classes;
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    let sum = 0;
    let probabilities = true;
    for (let c = 0; c < classes; c++) {
      const v = floats !== undefined ? (floats[start + c] as number) : read(start + c);
      // Non-finite scores are left out, as from every feature.
      if (!Number.isFinite(v)) continue;
      if (!(v >= 0 && v <= 1)) probabilities = false;
      sum += v;
      if (v > bestScore) {
        bestScore = v;
        best = c;
      }
    }
    if (!Number.isFinite(bestScore)) continue;
    topClass?.(best);
    if (!topProb) continue;
    if (probabilities && Math.abs(sum - 1) <= 1e-3) {
      topProb(bestScore);
      continue;
    }
    // Softmax's largest entry, shifted by the row maximum so exp never overflows.
    let denominator = 0;
    for (let c = 0; c < classes; c++) {
      const v = floats !== undefined ? (floats[start + c] as number) : read(start + c);
      if (Number.isFinite(v)) denominator += Math.exp(v - bestScore);
    }
    topProb(1 / denominator);
  }
}

/**
 * Emits the features of one run: every input, then every output, in name order.
 *
 * @example
 * ```ts
 * runFeatures({ x: input }, { y: output }, sink);
 * ```
 */
export function runFeatures(inputs: Record<string, FeatureTensor>, outputs: Record<string, FeatureTensor>, sink: FeatureSink): void {
  for (const name of Object.keys(inputs).sort()) tensorFeatures('input', name, inputs[name] as FeatureTensor, sink);
  for (const name of Object.keys(outputs).sort()) tensorFeatures('output', name, outputs[name] as FeatureTensor, sink);
}

/**
 * Collects every feature value of many runs, as `outpost publish --reference` takes
 * them (`{ features: { name: number[] } }`), for `computeReference`.
 *
 * @example
 * ```ts
 * const samples = new FeatureSamples();
 * for (const run of runs) runFeatures(run.inputs, run.outputs, samples);
 * computeReference(samples.toSamples());
 * ```
 */
export class FeatureSamples implements FeatureSink {
  readonly #values = new Map<string, number[]>();

  target(feature: string): (value: number) => void {
    let values = this.#values.get(feature);
    if (!values) {
      values = [];
      this.#values.set(feature, values);
    }
    const list = values;
    return (value) => {
      list.push(value);
    };
  }

  toSamples(): { features: Record<string, number[]> } {
    return { features: Object.fromEntries(this.#values) };
  }
}
