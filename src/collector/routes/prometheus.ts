import type { FastifyInstance } from 'fastify';

/**
 * GET /metrics: the collector's own metrics and the devices' inference latency, in
 * Prometheus text.
 *
 * @example
 * ```ts
 * (await app.inject('/metrics')).body.includes('outpost_collector_requests_total'); // true
 * ```
 */
export async function prometheusRoute(app: FastifyInstance): Promise<void> {
  app.get('/metrics', async (_request, reply) => {
    const { registry } = app.collector.metrics;
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
