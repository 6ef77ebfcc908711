/**
 * Series objects made once per distinct point signature and handed out again, so a
 * point of a known series costs one string and one map lookup instead of an attribute
 * record, a sorted key list and a JSON key (profiles put these among the largest costs
 * of an ingest request). Series objects are never mutated, so sharing them is safe;
 * their key is memoized on the object (see series-key.ts), which the store reuses.
 */
import type { OtlpKeyValue } from '../receiver/otlp-schema.js';
import type { MetricKind, SeriesKey } from '../store/types.js';
import { flattenAttributes, valueText } from './attributes.js';

/** Length-prefixed, so no key or value can make two different signatures equal. */
function part(text: string): string {
  return `${text.length}:${text}`;
}

/**
 * A bounded cache of series by signature: metric, kind, browser, bounds, the point's
 * attributes in their order and any attributes the collector adds.
 *
 * @example
 * ```ts
 * const cache = new SeriesCache();
 * const a = cache.series('outpost.inference.duration', 'histogram', 'chrome', [1, 2], [{ key: 'model.name', value: { stringValue: 'vad' } }], {});
 * a === cache.series('outpost.inference.duration', 'histogram', 'chrome', [1, 2], [{ key: 'model.name', value: { stringValue: 'vad' } }], {}); // true
 * ```
 */
export class SeriesCache {
  private readonly entries = new Map<string, SeriesKey>();

  /** @param maxEntries signatures kept at most; past it the cache starts over. */
  constructor(private readonly maxEntries = 10_000) {}

  /** The series these parts name, the same object for the same parts. */
  series(metric: string, kind: MetricKind, browser: string, bounds: readonly number[], attributes: readonly OtlpKeyValue[], added: Readonly<Record<string, string>>): SeriesKey {
    let signature = `${part(metric)}${kind}|${part(browser)}${bounds.join(',')}|`;
    for (const name in added) signature += part(name) + part(added[name] as string);
    signature += '|';
    for (const { key, value } of attributes) signature += part(key) + part(valueText(value));
    const known = this.entries.get(signature);
    if (known !== undefined) return known;
    const flat = { ...flattenAttributes(attributes), ...added };
    const made: SeriesKey = {
      metric,
      kind,
      browser,
      bounds: [...bounds],
      attributes: flat,
      model: flat['model.name'] ?? '',
      version: flat['model.version'] ?? '',
      backend: flat['outpost.backend'] ?? '',
    };
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(signature, made);
    return made;
  }
}
