/**
 * What the collector's routes share, decorated on the fastify instance as
 * `app.collector`: the store, the group-commit writer, the metrics and the options.
 * Plugins of the operator view read the store from here.
 */
import type { BatchWriter } from './exporter/batch-writer.js';
import type { ResolvedOptions } from './options.js';
import type { Store } from './store/types.js';
import type { CollectorMetrics } from './telemetry/metrics.js';

/**
 * The collector's shared state.
 *
 * @example
 * ```ts
 * app.get('/api/v1/series', async () => ({ stats: await app.collector.store.stats() }));
 * ```
 */
export interface CollectorContext {
  store: Store;
  writer: BatchWriter;
  metrics: CollectorMetrics;
  options: ResolvedOptions;
}

declare module 'fastify' {
  interface FastifyInstance {
    collector: CollectorContext;
  }
}
