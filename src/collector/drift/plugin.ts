/**
 * The operator view's drift part as one fastify plugin: `GET /api/v1/drift`,
 * `GET /api/v1/alerts`, the drift gauges on `/metrics`, and the monitor loop started
 * with the app and stopped when it closes. Pass it in `CollectorOptions.plugins`.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { alertsHandler, driftHandler } from './api.js';
import { driftHistoryHandler } from './history.js';
import { DRIFT_FEATURE_ATTRIBUTE, DRIFT_METRIC } from './names.js';
import { registerDriftMetrics } from './metrics.js';
import { DriftMonitor, type DriftMonitorOptions } from './monitor.js';
import { storeDriftSource } from './store-source.js';

/** What {@link driftPlugin} needs besides the app's store. */
export type DriftPluginOptions = Omit<DriftMonitorOptions, 'source'>;

/**
 * @example
 * ```ts
 * const app = await buildCollectorApp({ store, plugins: [driftPlugin({ references, webhook })] });
 * ```
 */
export function driftPlugin(options: DriftPluginOptions): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    const source = storeDriftSource(app.collector.store);
    const monitor = new DriftMonitor({ ...options, source });
    registerDriftMetrics(app.collector.metrics.registry, monitor);
    app.get('/api/v1/drift', async (request, reply) => {
      const answer = await driftHandler(monitor, source, request.query, (options.now ?? Date.now)());
      return reply.code(answer.status).send(answer.body);
    });
    app.get('/api/v1/drift/history', async (request, reply) => {
      const rollups = async (q: { model: string; version: string; from: number; to: number }) =>
        (await app.collector.store.rollups({ metric: DRIFT_METRIC, ...q })).map((row) => ({
          model: row.series.model,
          version: row.series.version,
          feature: row.series.attributes[DRIFT_FEATURE_ATTRIBUTE] ?? '',
          edges: row.series.bounds,
          counts: row.buckets,
          minute: row.minute,
        }));
      const answer = await driftHistoryHandler(monitor, rollups, request.query, (options.now ?? Date.now)());
      return reply.code(answer.status).send(answer.body);
    });
    app.get('/api/v1/alerts', async (request, reply) => {
      const answer = alertsHandler(monitor, request.query);
      return reply.code(answer.status).send(answer.body);
    });
    app.addHook('onReady', async () => {
      // The first evaluation before the app answers, so /api/v1/alerts is never stale at start.
      await monitor.tick().catch((error: unknown) => app.log.error({ err: error }, 'drift evaluation failed'));
      monitor.start();
    });
    app.addHook('onClose', async () => monitor.stop());
  };
}
