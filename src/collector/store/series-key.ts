import type { SeriesKey } from './types.js';

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
  const attributes = Object.keys(series.attributes)
    .sort()
    .map((name) => [name, series.attributes[name]]);
  return JSON.stringify([series.metric, series.kind, series.browser, series.bounds, attributes]);
}
