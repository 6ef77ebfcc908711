/**
 * Why the collector refuses a request. Each reason maps to one HTTP status in one
 * place, so the error handler, the metrics and the tests agree.
 */

/** Rejection reasons, as answered in the body and counted in /metrics. */
export const REJECTION_STATUS = {
  malformed: 400,
  invalid: 400,
  bad_encoding: 400,
  bad_idempotency_key: 400,
  bad_query: 400,
  unauthorized: 401,
  not_found: 404,
  too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
} as const;

export type RejectionReason = keyof typeof REJECTION_STATUS;

/**
 * A refused request: `reason` says why (a stable code), `message` gives the detail.
 *
 * @example
 * ```ts
 * throw new CollectorError('too_large', 'body over 4194304 bytes after gzip');
 * ```
 */
export class CollectorError extends Error {
  override readonly name = 'CollectorError';
  readonly statusCode: number;

  constructor(
    readonly reason: RejectionReason,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.statusCode = REJECTION_STATUS[reason];
  }
}
