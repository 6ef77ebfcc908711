/**
 * `GET /api/v1/drift` and `GET /api/v1/alerts`, framework-free: each handler takes the
 * raw query object and returns a status and a JSON body, so the collector's HTTP
 * layer registers them in one line each and tests call them directly.
 */
import { z } from 'zod';
import { NAME_PATTERN, isStrictSemver } from '../../registry/schema.js';
import { evaluateDrift } from './evaluate.js';
import type { DriftMonitor } from './monitor.js';

export interface ApiAnswer {
  status: number;
  body: unknown;
}

const driftQuerySchema = z
  .object({
    model: z.string().regex(NAME_PATTERN, 'must be a model name').optional(),
    version: z.string().refine(isStrictSemver, 'must be a strict semver version').optional(),
    // Window override in minutes (1 min .. 30 days); default the monitor's window.
    window: z.coerce.number().int().min(1).max(43_200).optional(),
    // End of the window, epoch ms; default now.
    to: z.coerce.number().int().min(0).optional(),
  })
  .strict();

function badRequest(error: z.ZodError): ApiAnswer {
  return {
    status: 400,
    body: {
      error: 'BAD_REQUEST',
      message: 'invalid query parameters',
      issues: error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    },
  };
}

/**
 * `GET /api/v1/drift?model=&version=` → `{ rows: [{ model, version, feature, count, psi, js, status, … }], noReference, window }`.
 *
 * @example
 * ```ts
 * app.get('/api/v1/drift', async (req, reply) => { const a = await driftHandler(monitor, source, req.query); reply.code(a.status).send(a.body); });
 * ```
 */
export async function driftHandler(monitor: DriftMonitor, source: Parameters<typeof evaluateDrift>[1], query: unknown, now = Date.now()): Promise<ApiAnswer> {
  const parsed = driftQuerySchema.safeParse(query ?? {});
  if (!parsed.success) return badRequest(parsed.error);
  const { model, version, window, to } = parsed.data;
  const report = await evaluateDrift(monitor.references, source, {
    now: to ?? now,
    windowMs: window === undefined ? monitor.windowMs : window * 60_000,
    ...(model === undefined ? {} : { model }),
    ...(version === undefined ? {} : { version }),
  });
  return { status: 200, body: report };
}

const alertsQuerySchema = z.object({}).strict();

/**
 * `GET /api/v1/alerts` → `{ alerts: [{ model, version, feature, psi, since }] }`, `since` in epoch ms.
 *
 * @example
 * ```ts
 * const { status, body } = alertsHandler(monitor, request.query);
 * ```
 */
export function alertsHandler(monitor: DriftMonitor, query: unknown): ApiAnswer {
  const parsed = alertsQuerySchema.safeParse(query ?? {});
  if (!parsed.success) return badRequest(parsed.error);
  return { status: 200, body: { alerts: monitor.alerts() } };
}
