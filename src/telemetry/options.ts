/** `RuntimeOptions.telemetry`: validated and filled with defaults once, at the boundary. */
import { z } from 'zod';

export const telemetryOptionsSchema = z.object({
  endpoint: z.union([z.string().min(1), z.instanceof(URL)]),
  headers: z.record(z.string(), z.string()).optional(),
  sampleRate: z.number().min(0).max(1).default(1),
  consent: z.union([z.boolean(), z.custom<() => boolean>((value) => typeof value === 'function', 'must be a boolean or a function')]).default(true),
  serviceName: z.string().min(1).max(256).optional(),
  /** ms between windows (each window is one batch). @default 30000 */
  intervalMs: z.number().int().min(50).max(3_600_000).default(30_000),
  /** Bounds of the offline queue. @default 200 batches, 2 MiB */
  maxQueuedBatches: z.number().int().min(1).max(10_000).default(200),
  maxQueuedBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(2 * 1024 * 1024),
  /** Retry backoff: base and cap, ms. @default 1000, 300000 */
  retryBaseMs: z.number().min(1).max(600_000).default(1000),
  retryMaxMs: z.number().min(1).max(3_600_000).default(300_000),
});

/**
 * Telemetry options of {@link createRuntime}.
 *
 * @example
 * ```ts
 * createRuntime({ registryUrl, trustedRoot, telemetry: { endpoint: 'https://otel.example.com', consent: () => userAgreed } });
 * ```
 */
export interface TelemetryOptions {
  /** OTLP/HTTP base URL, e.g. `http://localhost:4318`; metrics go to `{endpoint}/v1/metrics`. */
  endpoint: string | URL;
  /** Extra request headers, e.g. an ingest token. */
  headers?: Record<string, string>;
  /** Share of sessions (runtimes) that report, decided once per runtime. @default 1 */
  sampleRate?: number;
  /** Nothing is recorded, queued or sent while false; read at every window and flush. @default true */
  consent?: boolean | (() => boolean);
  /** Resource attribute `service.name`. @default location.host */
  serviceName?: string;
  /** ms between windows. @default 30000 */
  intervalMs?: number;
  /** Offline queue bound in batches. @default 200 */
  maxQueuedBatches?: number;
  /** Offline queue bound in bytes. @default 2097152 */
  maxQueuedBytes?: number;
  /** First retry delay, ms (doubled per attempt, with jitter). @default 1000 */
  retryBaseMs?: number;
  /** Longest retry delay, ms. @default 300000 */
  retryMaxMs?: number;
}

export type NormalizedTelemetryOptions = z.output<typeof telemetryOptionsSchema>;
