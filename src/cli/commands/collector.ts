import { join } from 'node:path';
import pino from 'pino';
import { HELP_OPTION, UsageError, daysFlag, integerFlag, parseCommand } from '../args.js';
import type { CliContext } from '../context.js';
import { DEFAULT_BODY_LIMIT, DEFAULT_RETENTION_DAYS } from '../../collector/options.js';
import { driftPluginFromFlags } from '../../collector/drift/from-flags.js';
import { closeOnSignal, serveCollector } from '../../collector/server.js';
import { openSqliteStore } from '../../collector/store/sqlite.js';

export const summary = 'run the OTLP/HTTP telemetry endpoint on SQLite';

/** Where the database goes when neither --db nor OUTPOST_COLLECTOR_DB says. */
export const DEFAULT_DB = join('data', 'collector.db');

export const help = `Usage: outpost collector [options]

Receives OTLP/HTTP metrics and logs (JSON or protobuf, gzip allowed) at /v1/metrics
and /v1/logs, keeps per-minute rollups in SQLite (WAL), and serves /healthz,
/metrics (Prometheus), the query API (/api/v1/...) and the operator dashboard at /.
SIGTERM or SIGINT stops it gracefully.
Each flag can also be set by the environment variable named after it; flags win.

Options:
  --port <n>            port to listen on (OUTPOST_COLLECTOR_PORT, default 4318)
  --host <addr>         address to bind (OUTPOST_COLLECTOR_HOST, default 127.0.0.1;
                        0.0.0.0 to accept other machines)
  --db <file>           SQLite database file (OUTPOST_COLLECTOR_DB, default ${DEFAULT_DB})
  --token <t>           require "Authorization: Bearer <t>" on ingest (OUTPOST_COLLECTOR_TOKEN)
  --retention <days>    delete rollups and records older than this (OUTPOST_COLLECTOR_RETENTION,
                        default ${DEFAULT_RETENTION_DAYS})
  --rate-limit <n>      ingest requests per second per client address, 0 = off
                        (OUTPOST_COLLECTOR_RATE_LIMIT, default 0)
  --cors-origin <o>     allowed browser origin, repeatable; * for any
                        (OUTPOST_COLLECTOR_CORS_ORIGINS, comma-separated, default *)
  --body-limit <bytes>  body limit, compressed and after gunzip (OUTPOST_COLLECTOR_BODY_LIMIT,
                        default ${DEFAULT_BODY_LIMIT})
  --trust-proxy         client address from X-Forwarded-For (OUTPOST_COLLECTOR_TRUST_PROXY=1)
  --durability <mode>   normal (survives a process crash) or full (also power loss: fsync
                        per commit) (OUTPOST_COLLECTOR_DURABILITY, default normal)
  --registry <dir|url>  signed registry whose manifests hold the drift references
                        (OUTPOST_COLLECTOR_REGISTRY); enables /api/v1/drift and /api/v1/alerts
  --root <root.json>    the root the registry is verified against (OUTPOST_COLLECTOR_ROOT)
  --alert-webhook <url> POST drift alert open/resolve events here (OUTPOST_COLLECTOR_ALERT_WEBHOOK)
  --drift-window <min>  drift window in minutes (OUTPOST_COLLECTOR_DRIFT_WINDOW, default 60)
  --log-level <level>   pino level: fatal, error, warn, info, debug (OUTPOST_COLLECTOR_LOG_LEVEL,
                        default info)
  -h, --help            show this help`;

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  db: { type: 'string' },
  token: { type: 'string' },
  retention: { type: 'string' },
  'rate-limit': { type: 'string' },
  'cors-origin': { type: 'string', multiple: true },
  'body-limit': { type: 'string' },
  'trust-proxy': { type: 'boolean' },
  durability: { type: 'string' },
  'log-level': { type: 'string' },
  registry: { type: 'string' },
  root: { type: 'string' },
  'alert-webhook': { type: 'string' },
  'drift-window': { type: 'string' },
  ...HELP_OPTION,
} as const;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function env(name: string): string | undefined {
  const value = process.env[`OUTPOST_COLLECTOR_${name}`];
  return value === undefined || value === '' ? undefined : value;
}

export async function run(argv: string[], ctx: CliContext): Promise<number> {
  const { values, help: wantsHelp } = parseCommand(argv, OPTIONS, []);
  if (wantsHelp) return ctx.out(help), 0;
  const port = integerFlag(values.port ?? env('PORT'), '--port', 0, 65535, 4318);
  const retentionDays = daysFlag(values.retention ?? env('RETENTION'), '--retention', DEFAULT_RETENTION_DAYS);
  const rateLimit = integerFlag(values['rate-limit'] ?? env('RATE_LIMIT'), '--rate-limit', 0, 1_000_000, 0);
  const bodyLimit = integerFlag(values['body-limit'] ?? env('BODY_LIMIT'), '--body-limit', 1024, 256 * 1024 * 1024, DEFAULT_BODY_LIMIT);
  const durability = values.durability ?? env('DURABILITY') ?? 'normal';
  if (durability !== 'normal' && durability !== 'full') throw new UsageError(`--durability must be normal or full, got '${durability}'`);
  const level = values['log-level'] ?? env('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(level)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${level}'`);
  const corsOrigins = values['cors-origin'] ?? env('CORS_ORIGINS')?.split(',').map((o) => o.trim()).filter(Boolean) ?? ['*'];
  const token = values.token ?? env('TOKEN');
  const file = values.db ?? env('DB') ?? DEFAULT_DB;

  const registry = values.registry ?? env('REGISTRY');
  const root = values.root ?? env('ROOT');
  const alertWebhook = values['alert-webhook'] ?? env('ALERT_WEBHOOK');
  const windowMinutes = integerFlag(values['drift-window'] ?? env('DRIFT_WINDOW'), '--drift-window', 1, 43_200, 60);
  let drift;
  try {
    drift = await driftPluginFromFlags({
      windowMinutes,
      ...(registry === undefined ? {} : { registry }),
      ...(root === undefined ? {} : { root }),
      ...(alertWebhook === undefined ? {} : { alertWebhook }),
    });
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(error.message);
    throw error;
  }

  const logger = pino({ level });
  const store = openSqliteStore({ file, durability });
  const collector = await serveCollector({
    port,
    host: values.host ?? env('HOST') ?? '127.0.0.1',
    store,
    logger,
    retentionDays,
    rateLimit,
    bodyLimit,
    corsOrigins,
    trustProxy: values['trust-proxy'] === true || env('TRUST_PROXY') === '1',
    ...(token === undefined ? {} : { token }),
    ...(drift === undefined ? {} : { plugins: [drift] }),
  });
  ctx.out(`outpost collector listening on ${collector.url} (database ${file})`);
  const signal = await closeOnSignal(collector);
  ctx.out(`outpost collector stopped on ${signal}; database checkpointed`);
  return 0;
}
