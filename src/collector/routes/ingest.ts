/**
 * The receiver's request path, shared by both signals: decode → validate → process →
 * group-committed write → OTLP answer. Nothing is written unless the whole request
 * decodes and validates.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { CollectorContext } from '../context.js';
import { CollectorError } from '../errors.js';
import { decodeBody, encodingOf } from '../receiver/body.js';
import { encodeProtobufResponse, type Signal } from '../receiver/protobuf.js';
import { validate } from '../receiver/validate.js';
import type { TimeWindow } from '../processor/rollup.js';
import type { WriteBatch } from '../store/types.js';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;

/** What a signal's processor makes of a validated request. */
export interface Processed {
  batch: Omit<WriteBatch, 'idempotencyKey'>;
  accepted: number;
  rejected: number;
  problems: string[];
}

/** One signal's receiver: its schema, its processor and its partial-success field. */
export interface SignalHandler<S extends z.ZodType> {
  signal: Signal;
  schema: S;
  process(request: z.infer<S>, window: TimeWindow, context: CollectorContext): Processed;
  rejectedField: 'rejectedDataPoints' | 'rejectedLogRecords';
}

/**
 * A fastify handler for `handler`'s signal.
 *
 * @example
 * ```ts
 * app.post('/v1/metrics', ingestHandler(app.collector, metricsHandler));
 * ```
 */
export function ingestHandler<S extends z.ZodType>(context: CollectorContext, handler: SignalHandler<S>) {
  const { options, metrics, writer } = context;
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const encoding = encodingOf(request.headers['content-type']);
    if (encoding === undefined) throw new CollectorError('unsupported_media_type', 'Content-Type must be application/json or application/x-protobuf');
    const keyHeader = request.headers['idempotency-key'];
    if (keyHeader !== undefined && (typeof keyHeader !== 'string' || !IDEMPOTENCY_KEY.test(keyHeader))) {
      throw new CollectorError('bad_idempotency_key', 'Idempotency-Key must be 1..128 visible ASCII characters');
    }
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const decoded = decodeBody(handler.signal, encoding, raw, request.headers['content-encoding'], options.bodyLimit);
    const parsed = validate(handler.schema, decoded);
    const window: TimeWindow = { now: Date.now(), maxAgeMs: options.retentionDays * 86_400_000, maxSkewMs: options.maxSkewMs };
    const processed = handler.process(parsed, window, context);

    const batch: WriteBatch = { ...processed.batch };
    if (keyHeader !== undefined) batch.idempotencyKey = `${handler.signal}:${keyHeader}`;
    let outcome: 'applied' | 'duplicate' | 'empty' = 'empty';
    if (batch.rollups.length > 0 || batch.records.length > 0 || batch.idempotencyKey !== undefined) {
      try {
        outcome = await writer.write(batch);
      } catch (error) {
        request.log.error({ err: error }, 'store write failed');
        throw new CollectorError('unavailable', 'the store could not write; retry later', { 'retry-after': '5' });
      }
    }
    if (outcome === 'duplicate') {
      metrics.points.inc({ signal: handler.signal, outcome: 'duplicate' }, processed.accepted);
    } else {
      metrics.points.inc({ signal: handler.signal, outcome: 'accepted' }, processed.accepted);
      if (processed.rejected > 0) metrics.points.inc({ signal: handler.signal, outcome: 'rejected' }, processed.rejected);
      if (outcome === 'applied') metrics.inference.add(batch.rollups);
    }

    const body: Record<string, unknown> = {};
    if (processed.rejected > 0 && outcome !== 'duplicate') {
      body.partialSuccess = { [handler.rejectedField]: String(processed.rejected), errorMessage: `rejected: ${processed.problems.join('; ')}` };
    }
    if (encoding === 'protobuf') {
      return reply.type('application/x-protobuf').send(Buffer.from(encodeProtobufResponse(handler.signal, body)));
    }
    return reply.type('application/json').send(body);
  };
}
