import type { Alerts } from '../api.js';
import { el, empty, fill, fixed3, table, time } from '../dom.js';

/** Open alerts on top: what crossed PSI 0.25 and since when. */
export function renderAlerts(alerts: Alerts | undefined, reason?: string): void {
  if (alerts === undefined) return fill('alerts', 'empty', empty(reason ?? 'Drift alerts need references.'));
  if (alerts.alerts.length === 0) return fill('alerts', 'empty', empty('No open alerts: every feature with enough runs is below PSI 0.25, or resolved below 0.1.'));
  fill(
    'alerts',
    'data',
    table(
      `${alerts.alerts.length} open alert${alerts.alerts.length === 1 ? '' : 's'} (PSI ≥ 0.25 until it stays below 0.1 for a window)`,
      ['model@version', 'feature', 'PSI', 'since'],
      alerts.alerts.map((a) => [`${a.model}@${a.version}`, a.feature, fixed3(a.psi), time(a.since)]),
      { class: 'alerts' },
    ),
    el('p', { class: 'hint' }, 'Prometheus sees the same as outpost_drift_psi and outpost_drift_alert on /metrics.'),
  );
}
