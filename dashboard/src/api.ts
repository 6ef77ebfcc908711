// The collector's query API as the page reads it: every answer is checked with zod, so
// a collector of another version fails loudly here instead of drawing nonsense.
import { z } from 'zod';

const num = z.number();
const nullableNum = z.number().nullable();

export const modelsSchema = z.object({
  models: z.array(z.object({ model: z.string(), version: z.string(), runs: num, firstMinute: num, lastMinute: num })),
});
export const latencySchema = z.object({
  rows: z.array(z.object({ model: z.string(), version: z.string(), backend: z.string(), count: num, p50: num, p90: num, p99: num })),
});
export const latencySeriesSchema = z.object({
  from: num,
  to: num,
  step: num,
  series: z.array(z.object({ backend: z.string(), points: z.array(z.object({ t: num, count: num, p50: num, p90: num, p99: num })) })),
});
export const browsersSchema = z.object({
  rows: z.array(
    z.object({ model: z.string(), version: z.string(), backend: z.string(), browser: z.string(), browserVersion: z.string(), count: num, p50: num, p90: num, p99: num }),
  ),
});
export const ratesSchema = z.object({
  from: num,
  to: num,
  step: num,
  rows: z.array(
    z.object({ model: z.string(), version: z.string(), runs: num, errors: num, errorRate: num, codes: z.array(z.object({ code: z.string(), count: num })) }),
  ),
  fallbacks: z.object({ loads: num, count: num, rate: num, rows: z.array(z.object({ from: z.string(), to: z.string(), reason: z.string(), count: num })) }),
  points: z.array(z.object({ t: num, runs: num, errors: num, fallbacks: num })),
});
export const loadSchema = z.object({
  rows: z.array(
    z.object({ model: z.string(), version: z.string(), phase: z.string(), cache: z.string(), start: z.enum(['cold', 'warm', 'unknown']), count: num, mean: num, p50: num, p90: num }),
  ),
});
export const driftStatus = z.enum(['ok', 'warn', 'alert', 'insufficient']);
export const driftSchema = z.object({
  rows: z.array(z.object({ model: z.string(), version: z.string(), feature: z.string(), count: num, psi: nullableNum, js: nullableNum, status: driftStatus })),
  noReference: z.array(z.object({ model: z.string(), version: z.string() })),
  window: z.object({ from: num, to: num }),
});
export const driftHistorySchema = z.object({
  model: z.string(),
  version: z.string(),
  window: num,
  reference: z.enum(['reference', 'no-reference', 'unknown-version']),
  features: z.array(
    z.object({
      feature: z.string(),
      edges: z.array(num),
      reference: z.array(num),
      live: z.array(num),
      rejected: z.object({ histograms: num, observations: num }),
      points: z.array(z.object({ t: num, count: num, psi: nullableNum, js: nullableNum, status: driftStatus })),
    }),
  ),
});
export const alertsSchema = z.object({
  alerts: z.array(z.object({ model: z.string(), version: z.string(), feature: z.string(), psi: num, since: num })),
});

export type Models = z.infer<typeof modelsSchema>;
export type Latency = z.infer<typeof latencySchema>;
export type LatencySeries = z.infer<typeof latencySeriesSchema>;
export type Browsers = z.infer<typeof browsersSchema>;
export type Rates = z.infer<typeof ratesSchema>;
export type Load = z.infer<typeof loadSchema>;
export type Drift = z.infer<typeof driftSchema>;
export type DriftHistory = z.infer<typeof driftHistorySchema>;
export type Alerts = z.infer<typeof alertsSchema>;

/** A collector answer that was not what the page expects. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: 'not_found' | 'http' | 'shape' | 'network',
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** Query string from defined values only. */
export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * GETs `path` (relative to the page, so a proxy prefix works) and checks its shape.
 */
export async function get<S extends z.ZodType>(path: string, schema: S): Promise<z.output<S>> {
  let response: Response;
  try {
    response = await fetch(`./${path}`, { headers: { accept: 'application/json' }, cache: 'no-store' });
  } catch (error) {
    throw new ApiError('network', path, `the collector did not answer ${path}: ${String(error)}`);
  }
  if (response.status === 404) throw new ApiError('not_found', path, `${path} is not served by this collector`);
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { message?: string };
    throw new ApiError('http', path, `${path} answered ${response.status}${body.message ? `: ${body.message}` : ''}`);
  }
  const parsed = schema.safeParse(await response.json());
  if (!parsed.success) throw new ApiError('shape', path, `${path} answered an unexpected shape: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}
