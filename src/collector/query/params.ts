/**
 * Query parameters shared by the dashboard's read routes: filters, a time range and a
 * step. Unknown parameters are refused (a typo is not silently ignored); a refusal is a
 * `bad_query` CollectorError, answered 400 with the parameter and the reason.
 */
import { z } from 'zod';
import { CollectorError } from '../errors.js';

const MINUTE = 60_000;

/** Epoch milliseconds as a query string. */
export const epochMs = z.string().regex(/^\d{1,15}$/, 'expected epoch milliseconds').transform(Number);
/** A label filter (model, version, backend, browser). */
export const label = z.string().min(1).max(256);
/** Bucket width in minutes, 1 min .. 1 day. */
export const stepMinutes = z
  .string()
  .regex(/^\d{1,4}$/, 'expected whole minutes')
  .transform(Number)
  .refine((n) => n >= 1 && n <= 1440, 'step must be 1..1440 minutes');

/** Most buckets one answer holds: a wide range needs a wider step. */
export const MAX_BUCKETS = 1000;

/** `from` must not be after `to`, and `to - from` at most {@link MAX_BUCKETS} steps. */
export function checkRange(q: { from?: number | undefined; to?: number | undefined; step?: number | undefined }, ctx: z.RefinementCtx): void {
  if (q.from !== undefined && q.to !== undefined && q.from > q.to) ctx.addIssue({ code: 'custom', message: 'from must not be after to', path: ['from'] });
  if (q.step !== undefined && q.from !== undefined && q.to !== undefined && (q.to - q.from) / (q.step * MINUTE) > MAX_BUCKETS) {
    ctx.addIssue({ code: 'custom', message: `more than ${MAX_BUCKETS} steps in [from, to]; choose a wider step`, path: ['step'] });
  }
}

/**
 * Parses `query` or throws a `bad_query` CollectorError naming the first bad parameter.
 *
 * @example
 * ```ts
 * const q = parseQuery(z.strictObject({ model: label.optional() }), request.query);
 * ```
 */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const parsed = schema.safeParse(query ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.join('.') || 'query';
  const message = issue?.code === 'unrecognized_keys' ? `unknown parameter ${issue.keys.join(', ')}` : issue?.message;
  throw new CollectorError('bad_query', `${path}: ${message}`);
}

/**
 * The time range a query reads: `to` defaults to `now`, `from` to `to - defaultSpan`.
 *
 * @example
 * ```ts
 * timeRange({}, Date.now(), 3_600_000); // the last hour
 * ```
 */
export function timeRange(q: { from?: number | undefined; to?: number | undefined }, now: number, defaultSpanMs: number): { from: number; to: number } {
  const to = q.to ?? now;
  return { from: q.from ?? Math.max(0, to - defaultSpanMs), to };
}

/**
 * A step (ms) that keeps `[from, to]` within `target` buckets, rounded up to whole
 * minutes, unless `stepMinutes` says.
 *
 * @example
 * ```ts
 * autoStep({ from: 0, to: 6 * 3_600_000 }, undefined, 60); // 360000 (6 min)
 * ```
 */
export function autoStep(range: { from: number; to: number }, step: number | undefined, target = 60): number {
  if (step !== undefined) return step * MINUTE;
  return Math.max(1, Math.ceil((range.to - range.from) / target / MINUTE)) * MINUTE;
}

/** The start of `minute`'s bucket of width `stepMs`, aligned to `from`. */
export function bucketOf(minute: number, from: number, stepMs: number): number {
  const aligned = from - (from % MINUTE);
  return aligned + Math.floor((minute - aligned) / stepMs) * stepMs;
}
