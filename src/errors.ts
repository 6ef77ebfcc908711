/**
 * Every failure Outpost raises is an {@link OutpostError} carrying one of these
 * codes. Callers branch on `code`, never on message text; telemetry sends codes only.
 */
export const ERROR_CODES = [
  'METADATA_INVALID',
  'SIGNATURE_INVALID',
  'METADATA_EXPIRED',
  'ROLLBACK_DETECTED',
  'INTEGRITY_MISMATCH',
  'VERSION_REVOKED',
  'MODEL_NOT_FOUND',
  'DOWNLOAD_FAILED',
  'ABORTED',
  'QUOTA_EXCEEDED',
  'BACKEND_UNAVAILABLE',
  'INVALID_INPUT',
  'INFERENCE_FAILED',
  'WORKER_CRASHED',
] as const;

export type OutpostErrorCode = (typeof ERROR_CODES)[number];

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

export interface OutpostErrorOptions {
  cause?: unknown;
  details?: Record<string, unknown>;
}

/**
 * The one error class of the library.
 *
 * @example
 * ```ts
 * try {
 *   await runtime.load('vad');
 * } catch (e) {
 *   if (isOutpostError(e, 'VERSION_REVOKED')) showUpdateBanner();
 *   else throw e;
 * }
 * ```
 */
export class OutpostError extends Error {
  override readonly name = 'OutpostError';
  readonly code: OutpostErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: OutpostErrorCode, message: string, options: OutpostErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

/**
 * True when `value` is an Outpost error (optionally with the given code). Works on
 * errors that crossed a worker or realm boundary, where `instanceof` would fail:
 * it checks `name` and `code`.
 *
 * @example
 * ```ts
 * if (isOutpostError(err, 'ABORTED')) return;
 * ```
 */
export function isOutpostError(value: unknown, code?: OutpostErrorCode): value is OutpostError {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { name?: unknown; code?: unknown };
  if (candidate.name !== 'OutpostError' || typeof candidate.code !== 'string') return false;
  if (!KNOWN_CODES.has(candidate.code)) return false;
  return code === undefined || candidate.code === code;
}

/** Plain, structured-clone-safe form of an error, used to cross the worker boundary. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  details?: Record<string, unknown>;
  stack?: string;
  cause?: SerializedError;
}

export function serializeError(error: unknown, depth = 0): SerializedError {
  if (error instanceof Error) {
    const out: SerializedError = { name: error.name, message: error.message };
    if (error.stack !== undefined) out.stack = error.stack;
    const { code, details } = error as { code?: unknown; details?: unknown };
    if (typeof code === 'string') out.code = code;
    if (details !== undefined) out.details = cloneableDetails(details);
    if (error.cause !== undefined && depth < 4) out.cause = serializeError(error.cause, depth + 1);
    return out;
  }
  return { name: 'Error', message: String(error) };
}

export function deserializeError(data: SerializedError): Error {
  const cause = data.cause === undefined ? undefined : deserializeError(data.cause);
  let error: Error;
  if (data.name === 'OutpostError' && data.code !== undefined && KNOWN_CODES.has(data.code)) {
    error = new OutpostError(data.code as OutpostErrorCode, data.message, {
      cause,
      details: data.details ?? {},
    });
  } else {
    error = new Error(data.message, cause === undefined ? undefined : { cause });
    error.name = data.name;
  }
  if (data.stack !== undefined) error.stack = data.stack;
  return error;
}

/** Details must survive structured clone; anything that would not is reduced to text. */
function cloneableDetails(details: unknown): Record<string, unknown> {
  try {
    return structuredClone(details) as Record<string, unknown>;
  } catch {
    return { unserializable: String(details) };
  }
}

/** Wraps any failure as an OutpostError with `code`, keeping an existing OutpostError as it is. */
export function toOutpostError(
  error: unknown,
  code: OutpostErrorCode,
  message: string,
  details?: Record<string, unknown>,
): OutpostError {
  if (isOutpostError(error)) return error;
  return new OutpostError(code, message, { cause: error, ...(details ? { details } : {}) });
}

/** The error thrown when a caller's AbortSignal fires. */
export function abortError(what: string, signal?: AbortSignal): OutpostError {
  return new OutpostError('ABORTED', `${what} was aborted`, { cause: signal?.reason });
}
