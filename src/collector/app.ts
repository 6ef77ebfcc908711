/**
 * The collector as a fastify app: receiver routes (/v1/metrics, /v1/logs), operations
 * (/healthz, /metrics), the query API (/api/v1/latency, …/latency/series,
 * …/latency/browsers, /rates, /load, /models) and the dashboard at `/`. Build it with a store and
 * drive it with `app.inject` in tests or `app.listen` in the CLI.
 */
import cors from '@fastify/cors';
import Fastify, { type FastifyInstance } from 'fastify';
import type { CollectorContext } from './context.js';
import { installErrorHandler } from './error-handler.js';
import { BatchWriter } from './exporter/batch-writer.js';
import { resolveOptions, type CollectorOptions } from './options.js';
import { runRetention } from './retention.js';
import { healthzRoute } from './routes/healthz.js';
import { ingestRoutes } from './routes/ingest-scope.js';
import { dashboardRoute, defaultDashboardDir } from './routes/dashboard.js';
import { latencyRoute } from './routes/latency.js';
import { latencyBrowsersRoute } from './routes/latency-browsers.js';
import { latencySeriesRoute } from './routes/latency-series.js';
import { loadRoute } from './routes/load.js';
import { modelsRoute } from './routes/models.js';
import { ratesRoute } from './routes/rates.js';
import { prometheusRoute } from './routes/prometheus.js';
import { createCollectorMetrics } from './telemetry/metrics.js';

/**
 * A ready-to-listen collector app. Closing the app drains pending writes, stops
 * retention and closes the store.
 *
 * @example
 * ```ts
 * const app = await buildCollectorApp({ store: openSqliteStore({ file: 'data/collector.db' }) });
 * const res = await app.inject({ method: 'POST', url: '/v1/metrics', headers: { 'content-type': 'application/json' }, payload: '{"resourceMetrics":[]}' });
 * res.statusCode; // 200
 * await app.close();
 * ```
 */
export async function buildCollectorApp(options: CollectorOptions): Promise<FastifyInstance> {
  const resolved = resolveOptions(options);
  const metrics = createCollectorMetrics({ processMetrics: resolved.processMetrics });
  const writer = new BatchWriter(resolved.store, {
    onFlush: (seconds) => metrics.storeWrite.observe(seconds),
    onDepth: (depth) => metrics.queueDepth.set(depth),
  });
  const app = Fastify({
    loggerInstance: resolved.logger,
    trustProxy: resolved.trustProxy,
    return503OnClosing: true,
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;
  const context: CollectorContext = { store: resolved.store, writer, metrics, options: resolved };
  app.decorate('collector', context);
  installErrorHandler(app);

  await app.register(cors, {
    origin: resolved.corsOrigins.includes('*') ? '*' : resolved.corsOrigins,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['Content-Type', 'Content-Encoding', 'Authorization', 'Idempotency-Key'],
    exposedHeaders: ['Retry-After'],
    maxAge: 86_400,
  });
  // Per-request logs at ingest rates would cost more than the ingest; errors still log.
  await app.register(ingestRoutes, { logLevel: 'warn' });
  await app.register(healthzRoute);
  await app.register(prometheusRoute);
  await app.register(latencyRoute);
  await app.register(latencySeriesRoute);
  await app.register(latencyBrowsersRoute);
  await app.register(ratesRoute);
  await app.register(loadRoute);
  await app.register(modelsRoute);
  if (resolved.dashboardDir !== false) await app.register(dashboardRoute, { dir: resolved.dashboardDir ?? defaultDashboardDir() });
  for (const plugin of resolved.plugins ?? []) await app.register(plugin);

  let retention: NodeJS.Timeout | undefined;
  let retentionRun: Promise<unknown> = Promise.resolve();
  if (resolved.retentionIntervalMs > 0) {
    retention = setInterval(() => {
      retentionRun = runRetention(resolved.store, { retentionDays: resolved.retentionDays, idempotencyTtlMs: resolved.idempotencyTtlMs, batch: resolved.retentionBatch }, Date.now())
        .then((rows) => metrics.retentionDeleted.inc(rows))
        .catch((error: unknown) => app.log.error({ err: error }, 'retention failed'));
    }, resolved.retentionIntervalMs);
    retention.unref();
  }
  app.addHook('onClose', async () => {
    if (retention !== undefined) clearInterval(retention);
    await retentionRun;
    await writer.drain();
    await resolved.store.close();
  });
  return app;
}
