/**
 * The collector's own Prometheus metrics, declared once per app on its own registry
 * (no global registry: two apps in one process, as in tests, do not collide).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { InferenceHistogram } from './inference-histogram.js';

/**
 * Every metric the collector exports about itself.
 *
 * @example
 * ```ts
 * const metrics = createCollectorMetrics();
 * metrics.requests.inc({ signal: 'metrics', status: '200' });
 * await metrics.registry.metrics();
 * ```
 */
export function createCollectorMetrics(options: { processMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: 'outpost_collector_requests_total',
      help: 'Ingest requests by signal and HTTP status',
      labelNames: ['signal', 'status'] as const,
      registers,
    }),
    points: new Counter({
      name: 'outpost_collector_points_total',
      help: 'Ingested data points and log records by signal and outcome (accepted, rejected, duplicate)',
      labelNames: ['signal', 'outcome'] as const,
      registers,
    }),
    rejections: new Counter({
      name: 'outpost_collector_rejections_total',
      help: 'Refused requests by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    storeWrite: new Histogram({
      name: 'outpost_collector_store_write_seconds',
      help: 'Duration of one store transaction (a group of requests)',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    queueDepth: new Gauge({
      name: 'outpost_collector_queue_depth',
      help: 'Accepted requests waiting for a store transaction',
      registers,
    }),
    retentionDeleted: new Counter({
      name: 'outpost_collector_retention_deleted_total',
      help: 'Rows deleted by retention',
      registers,
    }),
    inference: new InferenceHistogram(registry),
  };
}

export type CollectorMetrics = ReturnType<typeof createCollectorMetrics>;
