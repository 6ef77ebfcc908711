import type { FastifyInstance } from 'fastify';
import { rollUp } from '../processor/rollup.js';
import { metricsRequestSchema } from '../receiver/otlp-schema.js';
import { ingestHandler, type SignalHandler } from './ingest.js';

const handler: SignalHandler<typeof metricsRequestSchema> = {
  signal: 'metrics',
  schema: metricsRequestSchema,
  rejectedField: 'rejectedDataPoints',
  process(request, window) {
    const result = rollUp(request, window);
    return { batch: { rollups: result.rollups, records: [] }, accepted: result.accepted, rejected: result.rejected, problems: result.problems };
  },
};

/**
 * POST /v1/metrics: an OTLP ExportMetricsServiceRequest, JSON or protobuf, maybe gzip.
 *
 * @example
 * ```ts
 * await app.register(metricsIngestRoute);
 * ```
 */
export async function metricsIngestRoute(app: FastifyInstance): Promise<void> {
  app.post('/v1/metrics', ingestHandler(app.collector, handler));
}
