/**
 * The page's telemetry controller: closes a window every interval (the worker's
 * latency and drift counts plus the page's own load, error and fallback counts),
 * encodes it as OTLP JSON, queues it in IndexedDB and sends what is queued, one tab at
 * a time (Web Locks), backing off on failure. Hidden pages flush with keepalive.
 */
import { isOutpostError } from '../errors.js';
import type { Reference, SampleInputs } from '../registry/schema.js';
import type { EngineEnvironment, SessionTelemetry } from '../worker/protocol.js';
import { Aggregator, mergeWindow, type MetricsWindow } from './aggregate.js';
import { LoadTimer } from './load-timer.js';
import { ATTRIBUTES, LOAD_BOUNDS_MS, METRICS } from './names.js';
import { telemetryOptionsSchema, type NormalizedTelemetryOptions, type TelemetryOptions } from './options.js';
import { encodeMetricsWindow, MAX_REQUEST_BYTES } from './otlp.js';
import { encodeInputSamples } from './otlp-logs.js';
import { TelemetryQueue, type QueuedBatch } from './queue.js';
import { resourceAttributes } from './resource.js';
import { backoffMs, sendBatch } from './sender.js';

export interface TelemetryDeps {
  fetch: typeof fetch;
  /** The runtime's database name; the queue lives in `<dbName>-telemetry`. */
  dbName: string;
  /** The worker's counts since its last drain; `endWindow` false keeps its sampling window open. */
  drainWorker(recording: boolean, endWindow: boolean): Promise<MetricsWindow | undefined>;
  environment(): Promise<EngineEnvironment | undefined>;
}

/**
 * How soon after a run the page takes the worker's counts into its own keeping: what a
 * page that leaves (pagehide) can still send, since it has no time to ask the worker.
 */
const HOLD_AFTER_RUN_MS = 500;

function batchId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * @example
 * ```ts
 * const telemetry = Telemetry.create(options.telemetry, deps); // undefined when off or sampled out
 * await telemetry?.flush();
 * ```
 */
export class Telemetry {
  readonly #options: NormalizedTelemetryOptions;
  readonly #deps: TelemetryDeps;
  readonly #endpoint: string;
  readonly #page = new Aggregator();
  readonly #queue: TelemetryQueue;
  /** Batches this page made and has not seen sent: what `pagehide` can still send synchronously. */
  readonly #unsent = new Map<string, QueuedBatch>();
  readonly #cleanup: Array<() => void> = [];
  #sending: Promise<void> = Promise.resolve();
  #attempt = 0;
  #notBefore = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #workerTracked = false;
  /** The worker's counts taken since the last window was closed (see HOLD_AFTER_RUN_MS). */
  #held: MetricsWindow | undefined;
  #holdTimer: ReturnType<typeof setTimeout> | undefined;
  /** The worker's environment as last read, for the resource of batches made at pagehide. */
  #env: EngineEnvironment | undefined;
  /**
   * Batches dropped (queue full, or refused with a 4xx) and not yet reported. Kept out
   * of the queue, which could drop the report itself; sent after the queue drains.
   */
  readonly #drops = new Map<'queue-full' | 'rejected', number>();
  #closed = false;
  #dropsSince = Date.now();

  /** Undefined when telemetry is off or this session is sampled out (decided here, once). */
  static create(options: false | TelemetryOptions | undefined, deps: TelemetryDeps, random = Math.random): Telemetry | undefined {
    if (!options) return undefined;
    const parsed = telemetryOptionsSchema.parse(options);
    if (random() >= parsed.sampleRate) return undefined;
    return new Telemetry(parsed, deps);
  }

  private constructor(options: NormalizedTelemetryOptions, deps: TelemetryDeps) {
    this.#options = options;
    this.#deps = deps;
    this.#endpoint = String(options.endpoint);
    this.#queue = new TelemetryQueue(`${deps.dbName}-telemetry`, { maxBatches: options.maxQueuedBatches, maxBytes: options.maxQueuedBytes });
    const interval = setInterval(() => void this.flush().catch(() => undefined), options.intervalMs);
    this.#cleanup.push(() => clearInterval(interval));
    this.#listen(globalThis, 'online', () => {
      this.#notBefore = 0;
      this.#attempt = 0;
      void this.#send(false);
    });
    if (typeof document !== 'undefined') {
      this.#listen(document, 'visibilitychange', () => {
        if (document.visibilityState === 'hidden') void this.flush({ keepalive: true }).catch(() => undefined);
      });
      this.#listen(globalThis, 'pagehide', () => this.#leaving());
    }
    // What an earlier page on this origin left queued goes out now.
    void this.#send(false);
  }

  #listen(target: EventTarget | undefined, type: string, listener: () => void): void {
    if (!target?.addEventListener) return;
    target.addEventListener(type, listener);
    this.#cleanup.push(() => target.removeEventListener(type, listener));
  }

  #consented(): boolean {
    const { consent } = this.#options;
    if (typeof consent === 'boolean') return consent;
    try {
      return consent() === true;
    } catch {
      return false;
    }
  }

  /** What the worker needs to record a new session's runs; undefined while consent is withheld. */
  session(model: string, version: string, reference: Reference | undefined, sampleInputs?: SampleInputs): SessionTelemetry | undefined {
    if (!this.#consented()) return undefined;
    this.#workerTracked = true;
    return { model, version, ...(reference ? { reference } : {}), ...(sampleInputs ? { sampleInputs } : {}) };
  }

  /** A run finished: soon take the worker's counts into the page (one message per HOLD_AFTER_RUN_MS at most). */
  ran(): void {
    if (this.#closed || this.#holdTimer !== undefined) return;
    this.#holdTimer = setTimeout(() => {
      this.#holdTimer = undefined;
      void this.#hold().catch(() => undefined);
    }, HOLD_AFTER_RUN_MS);
  }

  async #hold(): Promise<void> {
    const recording = this.#consented();
    const window = await this.#deps.drainWorker(recording, false);
    this.#env ??= await this.#deps.environment().catch(() => undefined);
    if (!recording) this.#held = undefined;
    else if (window && (window.points.length > 0 || window.samples?.length)) this.#held = mergeWindow(this.#held, window);
  }

  #takeHeld(drained: MetricsWindow | undefined): MetricsWindow | undefined {
    const held = this.#held;
    this.#held = undefined;
    if (!held) return drained;
    return drained ? mergeWindow(held, drained) : held;
  }

  loadTimer(): LoadTimer {
    return new LoadTimer();
  }

  loadFinished(timer: LoadTimer, model: string, version: string): void {
    const { phases, cache } = timer.finish();
    if (!this.#consented()) return;
    for (const [phase, ms] of phases) {
      this.#page
        .histogram(METRICS.loadDuration, { [ATTRIBUTES.model]: model, [ATTRIBUTES.version]: version, [ATTRIBUTES.loadPhase]: phase, [ATTRIBUTES.loadCache]: cache }, LOAD_BOUNDS_MS)
        .record(ms);
    }
  }

  /** Counts an error by code only: messages may carry user data and never leave. */
  error(error: unknown, model: string, version = ''): void {
    if (!this.#consented()) return;
    const code = isOutpostError(error) ? error.code : 'UNKNOWN';
    this.#page.counter(METRICS.errors, { [ATTRIBUTES.errorCode]: code, [ATTRIBUTES.model]: model, [ATTRIBUTES.version]: version }).add();
  }

  fallback(from: string, to: string, reason: string): void {
    if (!this.#consented()) return;
    this.#page.counter(METRICS.backendFallback, { [ATTRIBUTES.fallbackFrom]: from, [ATTRIBUTES.fallbackTo]: to, [ATTRIBUTES.fallbackReason]: reason }).add();
  }

  /** Closes the current window into queued batches and sends what is queued (unless backing off). */
  async flush(options: { keepalive?: boolean } = {}): Promise<void> {
    if (this.#closed) return;
    await this.#collect();
    await this.#send(options.keepalive === true);
  }

  /** Flushes, then stops timers and listeners. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush().catch(() => undefined);
    this.#closed = true;
    for (const undo of this.#cleanup) undo();
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#holdTimer);
    await this.#sending.catch(() => undefined);
    await this.#queue.close();
  }

  async #collect(): Promise<void> {
    const recording = this.#consented();
    const drained = this.#workerTracked ? await this.#deps.drainWorker(recording, true).catch(() => undefined) : undefined;
    const worker = this.#takeHeld(drained);
    const page = this.#page.drain();
    if (!recording) {
      // Withdrawn consent also takes back what was waiting to be sent.
      this.#unsent.clear();
      await this.#queue.clear().catch(() => undefined);
      return;
    }
    this.#env = (await this.#deps.environment().catch(() => undefined)) ?? this.#env;
    const batches = this.#batches(worker, page);
    if (batches.length === 0) return;
    for (const batch of batches) this.#unsent.set(batch.id, batch);
    const dropped = await this.#queue.push(batches);
    if (dropped > 0) this.#drops.set('queue-full', (this.#drops.get('queue-full') ?? 0) + dropped);
  }

  /** One window's OTLP requests (metrics, then sampled-input logs), each under the request limit. */
  #batches(worker: MetricsWindow | undefined, page: MetricsWindow): QueuedBatch[] {
    const resource = resourceAttributes(this.#options.serviceName, this.#env);
    const bodies = [
      ...(worker ? encodeMetricsWindow(worker, resource) : []).map((body) => ({ signal: 'metrics' as const, body })),
      ...encodeMetricsWindow(page, resource).map((body) => ({ signal: 'metrics' as const, body })),
      ...encodeInputSamples(worker?.samples ?? [], resource).map((body) => ({ signal: 'logs' as const, body })),
    ];
    const encoder = new TextEncoder();
    const now = Date.now();
    return bodies.map(({ signal, body }, i): QueuedBatch => ({ id: batchId(), signal, body, bytes: encoder.encode(body).byteLength, createdAt: now + i / 1000 }));
  }

  /**
   * pagehide: the page may be gone before any promise settles, so what it holds (the
   * page's window and the worker counts taken after each run) becomes batches now, is
   * queued (a write that may not finish) and sent from memory with keepalive.
   */
  #leaving(): void {
    if (this.#closed || !this.#consented()) return;
    const batches = this.#batches(this.#takeHeld(undefined), this.#page.drain());
    for (const batch of batches) this.#unsent.set(batch.id, batch);
    if (batches.length > 0) void this.#queue.push(batches).catch(() => undefined);
    this.#sendUnsentNow();
  }

  /** One send cycle at a time in this page, and in one page per origin (Web Locks). */
  #send(keepalive: boolean): Promise<void> {
    const cycle = this.#sending.then(async () => {
      if (this.#closed || !this.#consented() || Date.now() < this.#notBefore) return;
      const locks = globalThis.navigator?.locks;
      if (!locks) return this.#sendQueued(keepalive);
      await locks.request(`outpost-telemetry:${this.#endpoint}`, { ifAvailable: true }, async (lock) => {
        if (lock) await this.#sendQueued(keepalive);
      });
    });
    this.#sending = cycle.catch(() => undefined);
    return this.#sending;
  }

  async #sendQueued(keepalive: boolean): Promise<void> {
    for (const batch of await this.#queue.all()) {
      if (!this.#consented()) return;
      const outcome = await sendBatch(this.#deps.fetch, this.#endpoint, this.#options.headers ?? {}, batch, keepalive && batch.bytes <= MAX_REQUEST_BYTES);
      if (outcome.kind === 'retry') {
        const delay = outcome.afterMs ?? backoffMs(this.#attempt, this.#options.retryBaseMs, this.#options.retryMaxMs);
        this.#attempt += 1;
        this.#notBefore = Date.now() + delay;
        clearTimeout(this.#retryTimer);
        this.#retryTimer = setTimeout(() => void this.#send(false), delay);
        return;
      }
      this.#attempt = 0;
      if (outcome.kind === 'rejected') this.#drops.set('rejected', (this.#drops.get('rejected') ?? 0) + 1);
      this.#unsent.delete(batch.id);
      await this.#queue.remove(batch.id);
    }
    await this.#reportDrops(keepalive);
  }

  async #reportDrops(keepalive: boolean): Promise<void> {
    if (this.#drops.size === 0) return;
    const report = new Aggregator(this.#dropsSince);
    const reported = new Map(this.#drops);
    for (const [reason, count] of reported) report.counter(METRICS.dropped, { [ATTRIBUTES.dropReason]: reason }).add(count);
    const env = await this.#deps.environment().catch(() => undefined);
    const window = report.drain();
    for (const body of encodeMetricsWindow(window, resourceAttributes(this.#options.serviceName, env))) {
      const batch: QueuedBatch = { id: batchId(), signal: 'metrics', body, bytes: new TextEncoder().encode(body).byteLength, createdAt: Date.now() };
      const outcome = await sendBatch(this.#deps.fetch, this.#endpoint, this.#options.headers ?? {}, batch, keepalive);
      // A failed report stays pending and goes with the next successful cycle.
      if (outcome.kind !== 'sent') return;
    }
    for (const [reason, count] of reported) {
      const left = (this.#drops.get(reason) ?? 0) - count;
      if (left > 0) this.#drops.set(reason, left);
      else this.#drops.delete(reason);
    }
    this.#dropsSince = window.end;
  }

  /**
   * The page is going away: no time for IndexedDB, so send this page's unsent batches
   * from memory with keepalive, within the browser's 64 KiB keepalive budget. They stay
   * queued; if they arrive, the next page's resend carries the same Idempotency-Key.
   */
  #sendUnsentNow(): void {
    if (!this.#consented()) return;
    let budget = 64 * 1024;
    for (const batch of this.#unsent.values()) {
      if (batch.bytes > budget) break;
      budget -= batch.bytes;
      void sendBatch(this.#deps.fetch, this.#endpoint, this.#options.headers ?? {}, batch, true);
    }
  }
}
