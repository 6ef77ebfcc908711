import type { SeriesKey } from './types.js';

// The processor and the store both ask for the key of the same series object; it is
// computed once. Series objects are never mutated after they are made.
const memo = new WeakMap<SeriesKey, string>();

/**
 * The identity of a series as one string: the same metric, kind, browser family,
 * bounds and attributes (in any order) give the same key.
 *
 * @example
 * ```ts
 * seriesKey(a) === seriesKey({ ...a, attributes: reordered }); // true
 * ```
 */
export function seriesKey(series: SeriesKey): string {
  const known = memo.get(series);
  if (known !== undefined) return known;
  const attributes = Object.keys(series.attributes)
    .sort()
    .map((name) => [name, series.attributes[name]]);
  const key = JSON.stringify([series.metric, series.kind, series.browser, series.bounds, attributes]);
  memo.set(series, key);
  return key;
}
