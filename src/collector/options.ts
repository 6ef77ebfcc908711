/**
 * The collector's options: one object, every field with its default, normalised once
 * here (the CLI and tests pass the same object).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Store } from './store/types.js';

/** 4 MiB: the default body limit, compressed and decompressed alike. */
export const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;
/** Days of rollups and records kept by default. */
export const DEFAULT_RETENTION_DAYS = 30;

const schema = z.object({
  token: z.string().min(1).optional(),
  bodyLimit: z.number().int().min(1024).max(256 * 1024 * 1024).default(DEFAULT_BODY_LIMIT),
  corsOrigins: z.array(z.string().min(1)).default(['*']),
  rateLimit: z.number().min(0).default(0),
  retentionDays: z.number().positive().max(36500).default(DEFAULT_RETENTION_DAYS),
  retentionIntervalMs: z.number().int().min(0).default(60_000),
  retentionBatch: z.number().int().min(1).default(1000),
  idempotencyTtlMs: z.number().int().min(1).default(24 * 3_600_000),
  maxSkewMs: z.number().int().min(0).default(10 * 60_000),
  maxRecordBodyBytes: z.number().int().min(16).default(16_384),
  trustProxy: z.boolean().default(false),
  processMetrics: z.boolean().default(true),
});

/**
 * What {@link buildCollectorApp} takes. Only `store` is required.
 *
 * @example
 * ```ts
 * const options: CollectorOptions = { store: openSqliteStore({ file: 'data/collector.db' }), token: 's3cret', rateLimit: 50 };
 * ```
 */
export interface CollectorOptions {
  /** Where rollups go; the app closes it when it closes. */
  store: Store;
  /** When set, ingest needs `Authorization: Bearer <token>`. */
  token?: string;
  /** Body limit in bytes, compressed and after gunzip. @default 4 MiB */
  bodyLimit?: number;
  /** Origins allowed by CORS; ['*'] allows any. @default ['*'] */
  corsOrigins?: string[];
  /** Ingest requests per second per client (IP); 0 = no limit. @default 0 */
  rateLimit?: number;
  /** Rollups and records older than this are deleted. @default 30 */
  retentionDays?: number;
  /** Time between retention passes; 0 = never. @default 60000 */
  retentionIntervalMs?: number;
  /** Rows deleted per retention step (a short transaction each). @default 1000 */
  retentionBatch?: number;
  /** How long an Idempotency-Key is remembered. @default 24 h */
  idempotencyTtlMs?: number;
  /** Points stamped further in the future than this are rejected. @default 10 min */
  maxSkewMs?: number;
  /** Longest stored log body (characters of its JSON text; longer ones are cut). @default 16384: a sampled input record at the default 8 KiB cap fits whole */
  maxRecordBodyBytes?: number;
  /** Take the client address from X-Forwarded-For (behind a reverse proxy). @default false */
  trustProxy?: boolean;
  /** Export Node process metrics on /metrics. @default true */
  processMetrics?: boolean;
  /** A pino logger; none logs nothing. */
  logger?: Logger;
  /** Plugins registered after the collector's own routes (the operator view adds its routes here). */
  plugins?: FastifyPluginAsync[];
  /**
   * Folder of the built operator dashboard served at `/`; false serves none.
   * @default the package's dist/dashboard (built by `npm run build`)
   */
  dashboardDir?: string | false;
}

export type ResolvedOptions = z.output<typeof schema> & Pick<CollectorOptions, 'store' | 'logger' | 'plugins' | 'dashboardDir'>;

/** `options` with defaults filled in; a TypeError names a bad field. */
export function resolveOptions(options: CollectorOptions): ResolvedOptions {
  const { store, logger, plugins, dashboardDir, ...rest } = options;
  const parsed = schema.safeParse(rest);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TypeError(`collector option ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return { ...parsed.data, store, logger, plugins, ...(dashboardDir === undefined ? {} : { dashboardDir }) };
}
