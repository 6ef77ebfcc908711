/**
 * `outpost_drift_psi{model,version,feature}` and friends in Prometheus text format,
 * from the monitor's last report, so Prometheus and Alertmanager can alert on drift
 * without asking the collector to score anything.
 */
import type { DriftReport } from './evaluate.js';
import type { OpenAlert } from './alerts.js';

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(row: { model: string; version: string; feature: string }): string {
  return `model="${label(row.model)}",version="${label(row.version)}",feature="${label(row.feature)}"`;
}

/**
 * Prometheus exposition lines (with HELP and TYPE) for the drift gauges. Features
 * without a PSI (`insufficient`) have no `outpost_drift_psi` sample, so an alert rule
 * never fires on missing data.
 *
 * @example
 * ```ts
 * reply.type('text/plain; version=0.0.4').send(ingestMetrics + driftMetricsText(monitor.last, monitor.alerts()));
 * ```
 */
export function driftMetricsText(report: DriftReport | undefined, open: readonly OpenAlert[]): string {
  const rows = report?.rows ?? [];
  const lines = [
    '# HELP outpost_drift_psi Population stability index of a feature over the drift window, against its signed reference.',
    '# TYPE outpost_drift_psi gauge',
    ...rows.filter((row) => row.psi !== null).map((row) => `outpost_drift_psi{${labels(row)}} ${row.psi}`),
    '# HELP outpost_drift_js Jensen-Shannon divergence (bits) of a feature over the drift window.',
    '# TYPE outpost_drift_js gauge',
    ...rows.filter((row) => row.js !== null).map((row) => `outpost_drift_js{${labels(row)}} ${row.js}`),
    '# HELP outpost_drift_count Live observations of a feature in the drift window.',
    '# TYPE outpost_drift_count gauge',
    ...rows.map((row) => `outpost_drift_count{${labels(row)}} ${row.count}`),
    '# HELP outpost_drift_rejected_histograms Live drift histograms refused because their bounds differ from the reference.',
    '# TYPE outpost_drift_rejected_histograms gauge',
    ...rows.map((row) => `outpost_drift_rejected_histograms{${labels(row)}} ${row.rejected.histograms}`),
    '# HELP outpost_drift_alert 1 while a drift alert is open.',
    '# TYPE outpost_drift_alert gauge',
    ...open.map((alert) => `outpost_drift_alert{${labels(alert)}} 1`),
  ];
  return `${lines.join('\n')}\n`;
}
