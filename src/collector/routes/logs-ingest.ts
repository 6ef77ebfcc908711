import type { FastifyInstance } from 'fastify';
import { toRecords } from '../processor/records.js';
import { logsRequestSchema } from '../receiver/otlp-schema.js';
import { ingestHandler, type SignalHandler } from './ingest.js';

const handler: SignalHandler<typeof logsRequestSchema> = {
  signal: 'logs',
  schema: logsRequestSchema,
  rejectedField: 'rejectedLogRecords',
  process(request, window, context) {
    const result = toRecords(request, window, context.options.maxRecordBodyBytes);
    return { batch: { rollups: [], records: result.records }, accepted: result.accepted, rejected: result.rejected, problems: result.problems };
  },
};

/**
 * POST /v1/logs: an OTLP ExportLogsServiceRequest (opt-in raw samples), stored capped.
 *
 * @example
 * ```ts
 * await app.register(logsIngestRoute);
 * ```
 */
export async function logsIngestRoute(app: FastifyInstance): Promise<void> {
  app.post('/v1/logs', ingestHandler(app.collector, handler));
}
