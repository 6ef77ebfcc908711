/**
 * Device-side aggregation: explicit-bucket histograms and counters per series, drained
 * once per window into plain data points (DELTA: a drain resets every series). The
 * same code runs in the worker (inference, drift) and on the page (loads, errors).
 */
import { binIndex } from '../registry/reference.js';
import type { InputSample } from './input-samples.js';

/** One series' data for one window, as it crosses from the worker to the page. */
export type SeriesPoint =
  | { kind: 'histogram'; metric: string; attributes: Record<string, string>; bounds: number[]; bucketCounts: number[]; count: number; sum: number; min: number; max: number }
  | { kind: 'sum'; metric: string; attributes: Record<string, string>; value: number };

/** Every series that saw data in one window `[start, end]` (epoch ms). */
export interface MetricsWindow {
  start: number;
  end: number;
  points: SeriesPoint[];
  /** Sampled inputs of the window (worker windows of models that opt in; see input-samples.ts). */
  samples?: InputSample[];
}

/**
 * An explicit-bucket histogram (OTLP rule: bucket i holds (bounds[i-1], bounds[i]]).
 *
 * @example
 * ```ts
 * const h = new Histogram([1, 10]);
 * h.record(0.5); h.record(5); h.record(50);
 * h.bucketCounts; // Float64Array [1, 1, 1]
 * ```
 */
export class Histogram {
  readonly bounds: readonly number[];
  readonly bucketCounts: Float64Array;
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  #guide: BinGuide | undefined;

  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.bucketCounts = new Float64Array(bounds.length + 1);
  }

  record(value: number): void {
    if (!Number.isFinite(value)) return;
    const bucket = binIndex(this.bounds, value);
    this.bucketCounts[bucket] = (this.bucketCounts[bucket] as number) + 1;
    this.count += 1;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** `record` of every `step`-th element of `data`, in one loop (drift's per-run values). */
  recordFloats(data: Float32Array, step: number): void {
    const { bounds, bucketCounts } = this;
    const edges = bounds.length;
    const guide = (this.#guide ??= BinGuide.of(bounds));
    const { cells, first, scale } = guide;
    const last = cells.length - 1;
    let { count, sum, min, max } = this;
    for (let i = 0; i < data.length; i += step) {
      const value = data[i] as number;
      if (!Number.isFinite(value)) continue;
      // The guide's guess for the bucket, confirmed against the bounds; a guess that
      // misses (a cell holding an edge, or rounding) falls back to the binary search,
      // so the bucket is always exactly the one `record` picks.
      const at = (value - first) * scale;
      let low = cells[at < 0 ? 0 : at >= last ? last : at | 0] as number;
      if ((low > 0 && value <= (bounds[low - 1] as number)) || (low < edges && value > (bounds[low] as number))) {
        low = 0;
        let high = edges;
        while (low < high) {
          const mid = (low + high) >>> 1;
          if (value <= (bounds[mid] as number)) high = mid;
          else low = mid + 1;
        }
      }
      bucketCounts[low] = (bucketCounts[low] as number) + 1;
      count += 1;
      sum += value;
      if (value < min) min = value;
      if (value > max) max = value;
    }
    this.count = count;
    this.sum = sum;
    this.min = min;
    this.max = max;
  }

  reset(): void {
    this.bucketCounts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = Number.NEGATIVE_INFINITY;
  }
}

/**
 * A lookup table over the span of a histogram's bounds: cell `k` covers
 * `[first + k / scale, first + (k + 1) / scale)` and holds the bucket of the cell's low
 * end, so most values find their bucket with one multiply instead of a search (the
 * caller confirms the guess). Values below the span land in cell 0 (bucket 0), above it
 * in the last cell (the overflow bucket).
 */
class BinGuide {
  /** Cells per bucket: enough that few cells hold an edge. */
  static readonly CELLS_PER_BUCKET = 16;

  private constructor(
    readonly cells: Uint16Array,
    readonly first: number,
    readonly scale: number,
  ) {}

  static of(bounds: readonly number[]): BinGuide {
    const first = bounds[0];
    const end = bounds[bounds.length - 1];
    // No span to divide (one edge, no edge, or non-finite ones): every guess is checked
    // and the search does the work.
    if (first === undefined || end === undefined || !(end > first) || !Number.isFinite(end - first)) return new BinGuide(new Uint16Array(1), 0, 0);
    const count = Math.min(4096, (bounds.length + 1) * BinGuide.CELLS_PER_BUCKET);
    const cells = new Uint16Array(count + 1);
    const scale = count / (end - first);
    let bucket = 0;
    for (let k = 0; k <= count; k++) {
      const low = first + k / scale;
      while (bucket < bounds.length && low > (bounds[bucket] as number)) bucket++;
      cells[k] = bucket;
    }
    cells[count] = bounds.length;
    return new BinGuide(cells, first, scale);
  }
}

/** A monotonic counter for one window. */
export class Counter {
  value = 0;

  add(amount = 1): void {
    this.value += amount;
  }
}

interface Series {
  metric: string;
  attributes: Record<string, string>;
  instrument: Histogram | Counter;
}

function seriesKey(metric: string, attributes: Record<string, string>): string {
  const keys = Object.keys(attributes).sort();
  let key = metric;
  for (const k of keys) key += `\u0000${k}\u0001${attributes[k] as string}`;
  return key;
}

/**
 * Series by metric and attributes. Instruments are looked up once and kept by the
 * caller on hot paths (a run records into its session's histogram directly).
 *
 * @example
 * ```ts
 * const metrics = new Aggregator();
 * metrics.histogram('outpost.inference.duration', { 'model.name': 'vad' }, [1, 10]).record(0.7);
 * metrics.counter('outpost.errors', { 'error.code': 'INVALID_INPUT' }).add();
 * const window = metrics.drain(Date.now());
 * ```
 */
export class Aggregator {
  readonly #series = new Map<string, Series>();
  #windowStart: number;

  constructor(now = Date.now()) {
    this.#windowStart = now;
  }

  histogram(metric: string, attributes: Record<string, string>, bounds: readonly number[]): Histogram {
    const key = seriesKey(metric, attributes);
    const found = this.#series.get(key);
    if (found?.instrument instanceof Histogram) return found.instrument;
    const instrument = new Histogram(bounds);
    this.#series.set(key, { metric, attributes: { ...attributes }, instrument });
    return instrument;
  }

  counter(metric: string, attributes: Record<string, string>): Counter {
    const key = seriesKey(metric, attributes);
    const found = this.#series.get(key);
    if (found?.instrument instanceof Counter) return found.instrument;
    const instrument = new Counter();
    this.#series.set(key, { metric, attributes: { ...attributes }, instrument });
    return instrument;
  }

  /** Forgets a series (a disposed model's); data not yet drained is lost. */
  delete(metric: string, attributes: Record<string, string>): void {
    this.#series.delete(seriesKey(metric, attributes));
  }

  /**
   * The window since the last drain: one point per series that saw data, every
   * instrument reset. Instruments stay valid, so hot paths keep their references.
   */
  drain(now = Date.now()): MetricsWindow {
    const points: SeriesPoint[] = [];
    for (const { metric, attributes, instrument } of this.#series.values()) {
      if (instrument instanceof Histogram) {
        if (instrument.count === 0) continue;
        points.push({
          kind: 'histogram',
          metric,
          attributes,
          bounds: [...instrument.bounds],
          bucketCounts: Array.from(instrument.bucketCounts),
          count: instrument.count,
          sum: instrument.sum,
          min: instrument.min,
          max: instrument.max,
        });
        instrument.reset();
      } else {
        if (instrument.value === 0) continue;
        points.push({ kind: 'sum', metric, attributes, value: instrument.value });
        instrument.value = 0;
      }
    }
    const window = { start: this.#windowStart, end: Math.max(now, this.#windowStart), points };
    this.#windowStart = window.end;
    return window;
  }

  /** Throws away everything recorded so far (consent withdrawn). */
  discard(now = Date.now()): void {
    this.drain(now);
  }
}

function pointKey(point: SeriesPoint): string {
  const key = seriesKey(point.metric, point.attributes);
  return point.kind === 'histogram' ? `${key}\u0002${point.bounds.join(',')}` : key;
}

/**
 * Adds window `from` into `into` (a new window when undefined): one point per series,
 * histograms of the same bounds added bucket by bucket, samples appended. Lets the page
 * hold the worker's counts between the windows it sends.
 *
 * @example
 * ```ts
 * let held: MetricsWindow | undefined;
 * held = mergeWindow(held, await worker.drainTelemetry(true, false));
 * ```
 */
export function mergeWindow(into: MetricsWindow | undefined, from: MetricsWindow): MetricsWindow {
  if (!into) return { ...from, points: from.points.map(copyPoint), ...(from.samples ? { samples: [...from.samples] } : {}) };
  const byKey = new Map(into.points.map((point) => [pointKey(point), point]));
  for (const point of from.points) {
    const found = byKey.get(pointKey(point));
    if (!found) {
      const copy = copyPoint(point);
      into.points.push(copy);
      byKey.set(pointKey(copy), copy);
    } else if (found.kind === 'histogram' && point.kind === 'histogram') {
      for (let i = 0; i < point.bucketCounts.length; i++) found.bucketCounts[i] = (found.bucketCounts[i] ?? 0) + (point.bucketCounts[i] as number);
      found.count += point.count;
      found.sum += point.sum;
      found.min = Math.min(found.min, point.min);
      found.max = Math.max(found.max, point.max);
    } else if (found.kind === 'sum' && point.kind === 'sum') {
      found.value += point.value;
    }
  }
  into.start = Math.min(into.start, from.start);
  into.end = Math.max(into.end, from.end);
  if (from.samples?.length) into.samples = [...(into.samples ?? []), ...from.samples];
  return into;
}

function copyPoint(point: SeriesPoint): SeriesPoint {
  return point.kind === 'histogram' ? { ...point, attributes: { ...point.attributes }, bounds: [...point.bounds], bucketCounts: [...point.bucketCounts] } : { ...point, attributes: { ...point.attributes } };
}
