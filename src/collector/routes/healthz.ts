import type { FastifyInstance } from 'fastify';

/**
 * GET /healthz: 200 only when a write to the store goes through, else 503.
 *
 * @example
 * ```ts
 * (await app.inject('/healthz')).statusCode; // 200
 * ```
 */
export async function healthzRoute(app: FastifyInstance): Promise<void> {
  app.get('/healthz', async (_request, reply) => {
    const ok = await app.collector.store.probe();
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', queueDepth: app.collector.writer.depth });
  });
}
