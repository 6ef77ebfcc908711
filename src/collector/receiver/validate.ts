import type { z } from 'zod';
import { CollectorError } from '../errors.js';

/**
 * `value` parsed by `schema`, or `invalid` naming the first problem's path.
 *
 * @example
 * ```ts
 * const request = validate(metricsRequestSchema, decoded);
 * ```
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  let result;
  try {
    result = schema.safeParse(value);
  } catch (error) {
    // A pathological input (e.g. nesting the depth check let through) must still be a 400.
    throw new CollectorError('invalid', `payload could not be validated: ${(error as Error).message}`);
  }
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  throw new CollectorError('invalid', `${path === '' ? 'payload' : path}: ${issue?.message ?? 'invalid'}`);
}
