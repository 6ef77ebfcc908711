import { z } from 'zod';
import { OutpostError } from '../errors.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../delivery/retry.js';
import type { BackendPreference } from '../tensor/types.js';
import { telemetryOptionsSchema, type TelemetryOptions } from '../telemetry/options.js';

const backendSchema = z.enum(['auto', 'webgpu', 'wasm']);
const urlSchema = z.union([z.string().min(1), z.instanceof(URL)]);

const runtimeOptionsSchema = z.object({
  registryUrl: urlSchema,
  trustedRoot: z.unknown().refine((value) => value !== undefined && value !== null, 'is required'),
  backend: backendSchema.default('auto'),
  telemetry: z.union([z.literal(false), telemetryOptionsSchema]).optional(),
  storage: z
    .object({
      dbName: z.string().min(1).max(128).default('outpost'),
      maxBytes: z.number().int().positive().optional(),
    })
    .default({ dbName: 'outpost' }),
  fetch: z.custom<typeof fetch>((value) => typeof value === 'function', 'must be a fetch function').optional(),
  ortBaseUrl: urlSchema.optional(),
  refreshInterval: z.number().int().min(0).max(2_147_483_647).default(300_000),
  retry: z
    .object({
      retries: z.number().int().min(0).max(20).optional(),
      baseDelayMs: z.number().min(0).max(60_000).optional(),
      maxDelayMs: z.number().min(0).max(600_000).optional(),
      idleTimeoutMs: z.number().int().min(1).max(600_000).optional(),
      minBytesPerSecond: z.number().min(0).max(1e9).optional(),
    })
    .optional(),
  wasm: z.object({ threads: z.number().int().min(1).max(64).optional() }).optional(),
});

/** Options of {@link createRuntime}. */
export interface RuntimeOptions {
  /** Base URL of a registry made by the `outpost` CLI. */
  registryUrl: string | URL;
  /** The registry's `root.json` (object or JSON text), shipped with the app: the trust anchor. */
  trustedRoot: unknown;
  /** @default 'auto' */
  backend?: BackendPreference;
  /** OTLP/HTTP metrics to a collector (docs/telemetry.md); `false` or absent sends nothing. */
  telemetry?: false | TelemetryOptions;
  /** IndexedDB database name (default `'outpost'`) and a cap on cached bytes (default: the browser's quota). */
  storage?: { dbName?: string; maxBytes?: number };
  /** Transport for every registry request. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Where onnxruntime-web's .mjs/.wasm are served. @default the `ort/` folder beside the package's entry */
  ortBaseUrl?: string | URL;
  /**
   * Milliseconds between index refreshes while at least one model is loaded (±10 %
   * jitter; paused while the page is hidden); 0 = never. @default 300000
   */
  refreshInterval?: number;
  /**
   * Network retry policy, and the slow-retrieval rules for every metadata and chunk
   * body: `idleTimeoutMs` with no bytes, or an average below `minBytesPerSecond` once
   * that long has passed, fails the request with DOWNLOAD_FAILED (metadata then falls
   * back to the cache, as offline).
   * @default { retries: 4, baseDelayMs: 250, maxDelayMs: 10000, idleTimeoutMs: 30000, minBytesPerSecond: 1024 }
   */
  retry?: Partial<RetryPolicy>;
  /** WASM threads (onnxruntime's `numThreads`; 1 turns threading off). @default onnxruntime's own choice */
  wasm?: { threads?: number };
}

export interface NormalizedRuntimeOptions {
  registryUrl: string | URL;
  trustedRoot: unknown;
  backend: BackendPreference;
  dbName: string;
  maxBytes: number | undefined;
  fetch: typeof fetch;
  ortBaseUrl: string | URL | undefined;
  retry: RetryPolicy;
  wasmThreads: number | undefined;
  refreshInterval: number;
  /** As given: `Telemetry.create` normalises it. */
  telemetry: false | TelemetryOptions | undefined;
}

/** Validates and fills defaults once, at the boundary; METADATA_INVALID-free: bad options are a programming error. */
export function normalizeRuntimeOptions(options: RuntimeOptions): NormalizedRuntimeOptions {
  const parsed = runtimeOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TypeError(`createRuntime: options.${issue?.path.join('.') ?? ''} ${issue?.message ?? 'is invalid'}`);
  }
  const value = parsed.data;
  return {
    registryUrl: value.registryUrl,
    trustedRoot: value.trustedRoot,
    backend: value.backend,
    dbName: value.storage.dbName,
    maxBytes: value.storage.maxBytes,
    fetch: value.fetch ?? globalThis.fetch.bind(globalThis),
    ortBaseUrl: value.ortBaseUrl,
    retry: { ...DEFAULT_RETRY, ...value.retry },
    wasmThreads: value.wasm?.threads,
    refreshInterval: value.refreshInterval,
    telemetry: options.telemetry,
  };
}

const loadOptionsSchema = z.object({
  version: z.string().min(1).max(64).optional(),
  channel: z.string().min(1).max(64).default('stable'),
  backend: backendSchema.optional(),
  signal: z.instanceof(AbortSignal).optional(),
  onProgress: z.custom<(p: LoadProgress) => void>((value) => typeof value === 'function', 'must be a function').optional(),
});

export interface LoadProgress {
  phase: 'metadata' | 'download' | 'verify' | 'compile';
  loaded: number;
  total: number;
}

/** Options of `runtime.load()`. */
export interface LoadOptions {
  /** Exact version; else the channel's current release. */
  version?: string;
  /** @default 'stable' */
  channel?: string;
  /** Overrides the runtime's backend for this model. */
  backend?: BackendPreference;
  signal?: AbortSignal;
  onProgress?: (progress: LoadProgress) => void;
}

export type NormalizedLoadOptions = z.output<typeof loadOptionsSchema>;

export function normalizeLoadOptions(name: unknown, options: LoadOptions = {}): NormalizedLoadOptions {
  if (typeof name !== 'string' || name.length === 0) {
    throw new OutpostError('MODEL_NOT_FOUND', `load: model name must be a non-empty string, got ${typeof name}`, {
      details: { name: String(name) },
    });
  }
  const parsed = loadOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TypeError(`load(${name}): options.${issue?.path.join('.') ?? ''} ${issue?.message ?? 'is invalid'}`);
  }
  return parsed.data;
}
