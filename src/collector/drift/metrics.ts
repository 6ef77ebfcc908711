/**
 * `outpost_drift_psi{model,version,feature}` and friends, as prom-client gauges on
 * the collector's registry. They read the monitor's last report when scraped, so a
 * scrape never triggers scoring, and features without a PSI (`insufficient`) have no
 * sample: an alert rule never fires on missing data.
 */
import { Gauge, type Registry } from 'prom-client';
import type { DriftMonitor } from './monitor.js';

const LABELS = ['model', 'version', 'feature'] as const;

/**
 * Declares the drift gauges on `registry` (once per app).
 *
 * @example
 * ```ts
 * registerDriftMetrics(app.collector.metrics.registry, monitor);
 * ```
 */
export function registerDriftMetrics(registry: Registry, monitor: DriftMonitor): void {
  const registers = [registry];
  const rows = () => monitor.last?.rows ?? [];
  new Gauge({
    name: 'outpost_drift_psi',
    help: 'Population stability index of a feature over the drift window, against its signed reference',
    labelNames: LABELS,
    registers,
    collect() {
      this.reset();
      for (const row of rows()) if (row.psi !== null) this.set({ model: row.model, version: row.version, feature: row.feature }, row.psi);
    },
  });
  new Gauge({
    name: 'outpost_drift_js',
    help: 'Jensen-Shannon divergence (bits) of a feature over the drift window',
    labelNames: LABELS,
    registers,
    collect() {
      this.reset();
      for (const row of rows()) if (row.js !== null) this.set({ model: row.model, version: row.version, feature: row.feature }, row.js);
    },
  });
  new Gauge({
    name: 'outpost_drift_count',
    help: 'Live observations of a feature in the drift window',
    labelNames: LABELS,
    registers,
    collect() {
      this.reset();
      for (const row of rows()) this.set({ model: row.model, version: row.version, feature: row.feature }, row.count);
    },
  });
  new Gauge({
    name: 'outpost_drift_rejected_histograms',
    help: 'Live drift histograms in the window refused because their bounds differ from the reference',
    labelNames: LABELS,
    registers,
    collect() {
      this.reset();
      for (const row of rows()) this.set({ model: row.model, version: row.version, feature: row.feature }, row.rejected.histograms);
    },
  });
  new Gauge({
    name: 'outpost_drift_alert',
    help: '1 while a drift alert is open',
    labelNames: LABELS,
    registers,
    collect() {
      this.reset();
      for (const alert of monitor.alerts()) this.set({ model: alert.model, version: alert.version, feature: alert.feature }, 1);
    },
  });
}
