/**
 * The one error handler: every refusal is answered `{ code, reason, message }` with the
 * status its reason maps to; 5xx bodies say nothing about internals (they are logged).
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { CollectorError, REJECTION_STATUS, type RejectionReason } from './errors.js';

// fastify's own refusals, by code.
const FASTIFY_REASONS: Record<string, RejectionReason> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'malformed',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed',
  FST_ERR_VALIDATION: 'bad_query',
};

// OTLP answers errors with a google.rpc.Status; these are its codes per reason.
const GRPC_CODE: Partial<Record<RejectionReason, number>> = { unauthorized: 16, rate_limited: 8, unavailable: 14, too_large: 3 };

function reasonOf(error: FastifyError): RejectionReason | undefined {
  if (error instanceof CollectorError) return error.reason;
  return error.code === undefined ? undefined : FASTIFY_REASONS[error.code];
}

/**
 * Installs the error handler on `app`.
 *
 * @example
 * ```ts
 * installErrorHandler(app);
 * ```
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const reason = reasonOf(error);
    const status = reason !== undefined ? REJECTION_STATUS[reason] : (error.statusCode ?? 500);
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      app.collector.metrics.rejections.inc({ reason: 'internal' });
      return reply.status(status === 503 ? 503 : 500).send({ code: 13, reason: status === 503 ? 'unavailable' : 'internal', message: 'internal error' });
    }
    const named = reason ?? 'invalid';
    app.collector.metrics.rejections.inc({ reason: named });
    if (error instanceof CollectorError) reply.headers(error.headers);
    return reply.status(status).send({ code: GRPC_CODE[named] ?? 3, reason: named, message: error.message });
  });
}
