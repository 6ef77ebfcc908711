import type { FastifyInstance } from 'fastify';
import { rollUp } from '../processor/rollup.js';
import { SeriesCache } from '../processor/series-cache.js';
import { metricsRequestSchema } from '../receiver/otlp-schema.js';
import { ingestHandler, type SignalHandler } from './ingest.js';

function metricsHandler(): SignalHandler<typeof metricsRequestSchema> {
  // One per app: devices resend the same series, which are then built once.
  const series = new SeriesCache();
  return {
    signal: 'metrics',
    schema: metricsRequestSchema,
    rejectedField: 'rejectedDataPoints',
    process(request, window) {
      const result = rollUp(request, window, series);
      return { batch: { rollups: result.rollups, records: [] }, accepted: result.accepted, rejected: result.rejected, problems: result.problems };
    },
  };
}

/**
 * POST /v1/metrics: an OTLP ExportMetricsServiceRequest, JSON or protobuf, maybe gzip.
 *
 * @example
 * ```ts
 * await app.register(metricsIngestRoute);
 * ```
 */
export async function metricsIngestRoute(app: FastifyInstance): Promise<void> {
  app.post('/v1/metrics', ingestHandler(app.collector, metricsHandler()));
}
