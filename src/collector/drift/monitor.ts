/**
 * The collector's drift loop: every `intervalMs`, refresh the references, score the
 * last window, move the alerts and tell the webhook. The last report is kept for
 * `/metrics` (gauges), so a scrape never triggers scoring.
 */
import type { ScoreOptions } from '../../drift/score.js';
import { AlertBook, type OpenAlert } from './alerts.js';
import { DEFAULT_WINDOW_MS, evaluateDrift, type DriftLiveSource, type DriftReport } from './evaluate.js';
import type { ReferenceBook } from './references.js';
import type { WebhookNotifier } from './webhook.js';

/** Options of {@link DriftMonitor}. */
export interface DriftMonitorOptions {
  references: ReferenceBook;
  source: DriftLiveSource;
  webhook?: WebhookNotifier;
  /** Drift window. @default DEFAULT_WINDOW_MS (1 h) */
  windowMs?: number;
  /** Time between evaluations. @default 60000 */
  intervalMs?: number;
  /** How long a feature stays `ok` before its alert resolves. @default windowMs */
  resolveAfterMs?: number;
  score?: ScoreOptions;
  now?: () => number;
}

/**
 * @example
 * ```ts
 * const monitor = new DriftMonitor({ references, source: store, webhook });
 * monitor.start();
 * monitor.alerts(); // open alerts
 * ```
 */
export class DriftMonitor {
  readonly #options: DriftMonitorOptions;
  readonly #alerts: AlertBook;
  readonly #now: () => number;
  #last: DriftReport | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<DriftReport> | undefined;

  constructor(options: DriftMonitorOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#alerts = new AlertBook({ resolveAfterMs: options.resolveAfterMs ?? options.windowMs ?? DEFAULT_WINDOW_MS });
  }

  get windowMs(): number {
    return this.#options.windowMs ?? DEFAULT_WINDOW_MS;
  }

  get references(): ReferenceBook {
    return this.#options.references;
  }

  /** One evaluation now; concurrent calls share it. */
  tick(): Promise<DriftReport> {
    this.#running ??= this.#evaluate().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #evaluate(): Promise<DriftReport> {
    await this.#options.references.refresh();
    const now = this.#now();
    const report = await evaluateDrift(this.#options.references, this.#options.source, {
      now,
      windowMs: this.windowMs,
      ...(this.#options.score === undefined ? {} : { score: this.#options.score }),
    });
    for (const event of this.#alerts.step(report.rows, now)) this.#options.webhook?.notify(event);
    this.#last = report;
    return report;
  }

  /** The last evaluation's report, if any. */
  get last(): DriftReport | undefined {
    return this.#last;
  }

  alerts(): OpenAlert[] {
    return this.#alerts.open();
  }

  start(): void {
    if (this.#timer !== undefined) return;
    void this.tick().catch(() => undefined);
    this.#timer = setInterval(() => void this.tick().catch(() => undefined), this.#options.intervalMs ?? 60_000);
    this.#timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
    await this.#options.webhook?.drain();
  }
}
