/**
 * The receiver's scope: its own body parsers (raw bytes of the two OTLP encodings, up
 * to the body limit; any other type is a 415), the token check and the rate limit,
 * both before the body is read. Other routes keep fastify's defaults.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { CollectorError } from '../errors.js';
import { RateLimiter } from '../rate-limit.js';
import { logsIngestRoute } from './logs-ingest.js';
import { metricsIngestRoute } from './metrics-ingest.js';

function tokenMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (match === null) return false;
  const given = Buffer.from((match[1] as string).trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Registers POST /v1/metrics and POST /v1/logs.
 *
 * @example
 * ```ts
 * await app.register(ingestRoutes);
 * ```
 */
export async function ingestRoutes(scope: FastifyInstance): Promise<void> {
  const { options, metrics } = scope.collector;
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser(['application/json', 'application/x-protobuf'], { parseAs: 'buffer', bodyLimit: options.bodyLimit }, (_request, body, done) =>
    done(null, body),
  );

  const limiter = options.rateLimit > 0 ? new RateLimiter(options.rateLimit) : undefined;
  scope.addHook('onRequest', async (request) => {
    if (options.token !== undefined && !tokenMatches(request.headers.authorization, options.token)) {
      throw new CollectorError('unauthorized', 'missing or wrong ingest token (Authorization: Bearer <token>)');
    }
    if (limiter !== undefined) {
      const wait = limiter.take(request.ip, Date.now());
      if (wait > 0) throw new CollectorError('rate_limited', `over ${options.rateLimit} requests per second`, { 'retry-after': String(wait) });
    }
  });
  scope.addHook('onResponse', async (request, reply) => {
    const signal = request.url.startsWith('/v1/logs') ? 'logs' : 'metrics';
    metrics.requests.inc({ signal, status: String(reply.statusCode) });
  });

  await scope.register(metricsIngestRoute);
  await scope.register(logsIngestRoute);
}
