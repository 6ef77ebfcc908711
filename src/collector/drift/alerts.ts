/**
 * Drift alerts as a pure state machine: each evaluation's verdicts in, open and
 * resolve events out. An alert opens when a feature's verdict is `alert` (PSI over
 * 0.25 and more than sampling noise) and resolves once its verdict has stayed `ok`
 * (no evidence of PSI over 0.1) for `resolveAfterMs`. `warn` keeps an open alert
 * open; `insufficient` (too few runs to say) neither opens nor resolves one.
 */
import type { DriftStatus } from '../../drift/score.js';

/** What one alert is about. */
export interface AlertKey {
  model: string;
  version: string;
  feature: string;
}

/** An open alert as `GET /api/v1/alerts` lists it; `since` is epoch ms. */
export interface OpenAlert extends AlertKey {
  psi: number;
  since: number;
}

/** One feature's verdict in an evaluation. */
export interface Verdict extends AlertKey {
  status: DriftStatus;
  psi: number | null;
}

/** An event for notifiers (webhook); `at` is epoch ms. */
export interface AlertEvent extends AlertKey {
  type: 'open' | 'resolve';
  psi: number | null;
  since: number;
  at: number;
}

interface Tracked extends OpenAlert {
  /** When the verdicts turned `ok` and stayed so; null while they are not. */
  calmSince: number | null;
}

/** Default time a feature must stay `ok` before its alert resolves: one drift window. */
export const DEFAULT_RESOLVE_AFTER_MS = 60 * 60 * 1000;

function keyOf({ model, version, feature }: AlertKey): string {
  return JSON.stringify([model, version, feature]);
}

/**
 * Open alerts and the rule that moves them. One instance per collector.
 *
 * @example
 * ```ts
 * const alerts = new AlertBook({ resolveAfterMs: 3_600_000 });
 * const events = alerts.step(verdicts, Date.now());
 * for (const event of events) webhook.notify(event);
 * alerts.open(); // [{ model, version, feature, psi, since }]
 * ```
 */
export class AlertBook {
  readonly #resolveAfterMs: number;
  readonly #alerts = new Map<string, Tracked>();

  constructor(options: { resolveAfterMs?: number } = {}) {
    this.#resolveAfterMs = options.resolveAfterMs ?? DEFAULT_RESOLVE_AFTER_MS;
  }

  /** Applies one evaluation's verdicts at `now` and returns what opened or resolved. */
  step(verdicts: Iterable<Verdict>, now: number): AlertEvent[] {
    const events: AlertEvent[] = [];
    for (const verdict of verdicts) {
      const key = keyOf(verdict);
      const tracked = this.#alerts.get(key);
      const { model, version, feature } = verdict;
      if (tracked === undefined) {
        if (verdict.status !== 'alert' || verdict.psi === null) continue;
        this.#alerts.set(key, { model, version, feature, psi: verdict.psi, since: now, calmSince: null });
        events.push({ type: 'open', model, version, feature, psi: verdict.psi, since: now, at: now });
        continue;
      }
      if (verdict.psi !== null) tracked.psi = verdict.psi;
      if (verdict.status === 'alert' || verdict.status === 'warn') tracked.calmSince = null;
      else if (verdict.status === 'ok') {
        tracked.calmSince ??= now;
        if (now - tracked.calmSince >= this.#resolveAfterMs) {
          this.#alerts.delete(key);
          events.push({ type: 'resolve', model, version, feature, psi: verdict.psi, since: tracked.since, at: now });
        }
      }
    }
    return events;
  }

  /** Open alerts, oldest first. */
  open(): OpenAlert[] {
    return [...this.#alerts.values()]
      .map(({ model, version, feature, psi, since }) => ({ model, version, feature, psi, since }))
      .sort((a, b) => a.since - b.since || keyOf(a).localeCompare(keyOf(b)));
  }
}
