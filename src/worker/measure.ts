import { TYPED_ARRAY_FOR, elementCount } from '../tensor/convert.js';
import type { TensorLike, TensorSpec, TensorType } from '../tensor/types.js';

const KNOWN_TYPES = new Set<string>(Object.keys(TYPED_ARRAY_FOR));

/**
 * Synthetic feeds for a warm-up run, from the input specs alone. Symbolic dims get
 * `fill(axis)`: callers try small shapes first, then image-like ones.
 */
export function syntheticFeeds(inputs: readonly TensorSpec[], fill: (axis: number) => number): Record<string, TensorLike> | undefined {
  const feeds: Record<string, TensorLike> = {};
  for (const input of inputs) {
    if (!KNOWN_TYPES.has(input.type)) return undefined;
    const type = input.type as TensorType;
    const dims = input.dims.map((dim, axis) => (typeof dim === 'number' && dim >= 0 ? dim : fill(axis)));
    const data = new TYPED_ARRAY_FOR[type](elementCount(dims));
    if (type === 'float32') (data as Float32Array).fill(0.5);
    feeds[input.name] = { type, data, dims };
  }
  return feeds;
}

/** Shapes to try for symbolic dims, in order: all ones, then batch 1 with 64 elsewhere. */
export const SYNTHETIC_SHAPES: ReadonlyArray<(axis: number) => number> = [() => 1, (axis) => (axis === 0 ? 1 : 64)];

/**
 * Median wall time of `runs` calls of `run` after one untimed warm-up call.
 * Runs inside the worker, so message costs do not blur the comparison.
 */
export async function timeRuns(run: () => Promise<unknown>, runs: number): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.POSITIVE_INFINITY;
}
