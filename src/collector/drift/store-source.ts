/**
 * The collector store as a drift source: `outpost.drift.feature` series added up
 * over the window, one total per series. Series keep their bounds, so histograms
 * binned on other edges stay apart and evaluation can reject and count them.
 */
import { DRIFT_FEATURE_ATTRIBUTE, DRIFT_METRIC } from './names.js';
import type { Store } from '../store/types.js';
import type { DriftLiveSource } from './evaluate.js';

/**
 * @example
 * ```ts
 * const source = storeDriftSource(app.collector.store);
 * ```
 */
export function storeDriftSource(store: Pick<Store, 'totals'>): DriftLiveSource {
  return {
    async driftHistograms({ model, version, from, to }) {
      const totals = await store.totals({
        metric: DRIFT_METRIC,
        from,
        to,
        ...(model === undefined ? {} : { model }),
        ...(version === undefined ? {} : { version }),
      });
      return totals.map((total) => ({
        model: total.series.model,
        version: total.series.version,
        feature: total.series.attributes[DRIFT_FEATURE_ATTRIBUTE] ?? '',
        edges: total.series.bounds,
        counts: total.buckets,
      }));
    },
  };
}
