/**
 * OTLP protobuf through the official definitions: the protobufjs root generated from
 * opentelemetry-proto that @opentelemetry/otlp-transformer ships (pinned, because that
 * file is not part of its public API). Decoded messages become the OTLP JSON shape
 * (camelCase fields, int64 as decimal strings), so one zod schema validates both.
 */
import { createRequire } from 'node:module';
import { CollectorError } from '../errors.js';

/** The two OTLP signals the collector takes. */
export type Signal = 'metrics' | 'logs';

interface MessageType {
  decode(bytes: Uint8Array): unknown;
  toObject(message: unknown, options: Record<string, unknown>): Record<string, unknown>;
  fromObject(object: Record<string, unknown>): unknown;
  encode(message: unknown): { finish(): Uint8Array };
}

interface ProtoRoot {
  opentelemetry: {
    proto: {
      collector: {
        metrics: { v1: { ExportMetricsServiceRequest: MessageType; ExportMetricsServiceResponse: MessageType } };
        logs: { v1: { ExportLogsServiceRequest: MessageType; ExportLogsServiceResponse: MessageType } };
      };
    };
  };
}

const root = createRequire(import.meta.url)('@opentelemetry/otlp-transformer/build/src/generated/root.js') as ProtoRoot;
const services = root.opentelemetry.proto.collector;

const TYPES: Record<Signal, { request: MessageType; response: MessageType }> = {
  metrics: { request: services.metrics.v1.ExportMetricsServiceRequest, response: services.metrics.v1.ExportMetricsServiceResponse },
  logs: { request: services.logs.v1.ExportLogsServiceRequest, response: services.logs.v1.ExportLogsServiceResponse },
};

// int64 as strings (as OTLP JSON has them), enums as numbers, bytes as base64.
const TO_OBJECT = { longs: String, enums: Number, bytes: String, defaults: false, arrays: true };

/**
 * An Export*ServiceRequest from protobuf bytes, in OTLP JSON shape; `malformed` when the
 * bytes are not one.
 *
 * @example
 * ```ts
 * decodeProtobuf('metrics', bytes).resourceMetrics;
 * ```
 */
export function decodeProtobuf(signal: Signal, bytes: Uint8Array): Record<string, unknown> {
  const type = TYPES[signal].request;
  try {
    return type.toObject(type.decode(bytes), TO_OBJECT);
  } catch (error) {
    throw new CollectorError('malformed', `body is not an OTLP ${signal} protobuf: ${(error as Error).message}`);
  }
}

/** Protobuf bytes of an Export*ServiceRequest given in OTLP JSON shape (tests, the benchmark). */
export function encodeProtobufRequest(signal: Signal, request: Record<string, unknown>): Uint8Array {
  const type = TYPES[signal].request;
  return type.encode(type.fromObject(request)).finish();
}

/** Protobuf bytes of an Export*ServiceResponse given in OTLP JSON shape. */
export function encodeProtobufResponse(signal: Signal, response: Record<string, unknown>): Uint8Array {
  const type = TYPES[signal].response;
  return type.encode(type.fromObject(response)).finish();
}

/** An Export*ServiceResponse decoded from protobuf bytes (tests). */
export function decodeProtobufResponse(signal: Signal, bytes: Uint8Array): Record<string, unknown> {
  const type = TYPES[signal].response;
  return type.toObject(type.decode(bytes), TO_OBJECT);
}
