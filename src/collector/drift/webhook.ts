/**
 * Posts alert events to an operator's webhook (`--alert-webhook <url>`): JSON, one
 * event per request, in order, retried with backoff on network errors, 408, 429 and
 * 5xx, given up after `attempts`. The queue is bounded: past `maxQueue` the oldest
 * waiting event is dropped and counted, so a dead webhook never grows memory.
 */
import type { AlertEvent } from './alerts.js';

/** Options of {@link createWebhookNotifier}; every field but `url` has a default. */
export interface WebhookOptions {
  url: string | URL;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Tries per event. @default 4 */
  attempts?: number;
  /** First retry delay in ms, doubled each retry. @default 500 */
  backoffMs?: number;
  /** Per-request timeout in ms. @default 5000 */
  timeoutMs?: number;
  /** Events waiting at most. @default 100 */
  maxQueue?: number;
}

/** Counters of a notifier, for /metrics. */
export interface WebhookStats {
  sent: number;
  failed: number;
  dropped: number;
}

export interface WebhookNotifier {
  notify(event: AlertEvent): void;
  /** Resolves when every queued event was sent or given up. */
  drain(): Promise<void>;
  readonly stats: Readonly<WebhookStats>;
}

function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A notifier for one webhook URL.
 *
 * @example
 * ```ts
 * const webhook = createWebhookNotifier({ url: 'http://alerts.internal/outpost' });
 * for (const event of alerts.step(verdicts, Date.now())) webhook.notify(event);
 * ```
 */
export function createWebhookNotifier(options: WebhookOptions): WebhookNotifier {
  const send = options.fetch ?? globalThis.fetch;
  const attempts = options.attempts ?? 4;
  const backoffMs = options.backoffMs ?? 500;
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxQueue = options.maxQueue ?? 100;
  const queue: AlertEvent[] = [];
  const stats: WebhookStats = { sent: 0, failed: 0, dropped: 0 };
  let running: Promise<void> | undefined;

  async function deliver(event: AlertEvent): Promise<boolean> {
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await sleep(backoffMs * 2 ** (attempt - 1));
      try {
        const response = await send(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(event),
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.body?.cancel();
        if (response.ok) return true;
        if (!retryable(response.status)) return false;
      } catch {
        // Network failure or timeout: retried like a 5xx.
      }
    }
    return false;
  }

  async function pump(): Promise<void> {
    for (let event = queue.shift(); event !== undefined; event = queue.shift()) {
      if (await deliver(event)) stats.sent += 1;
      else stats.failed += 1;
    }
    running = undefined;
  }

  return {
    notify(event) {
      queue.push(event);
      if (queue.length > maxQueue) {
        queue.shift();
        stats.dropped += 1;
      }
      running ??= pump();
    },
    async drain() {
      while (running !== undefined) await running;
    },
    stats,
  };
}
