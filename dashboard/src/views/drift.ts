import type { Drift, DriftHistory } from '../api.js';
import { categoryBars, chartHost, psiChart } from '../charts.js';
import { code, el, empty, fill, fixed3, table } from '../dom.js';

/** DESIGN §6 thresholds, as the collector applies them. */
export const PSI_WARN = 0.1;
export const PSI_ALERT = 0.25;

/** Where drift needs setting up, the steps to take. */
export function renderDriftUnavailable(reason: string): void {
  fill(
    'drift',
    'empty',
    empty(`${reason} Drift needs references: start the collector with `, code('--registry <dir|url> --root <root.json>'), ' and publish versions with ', code('--reference-inputs'), '.'),
  );
}

function binLabels(edges: readonly number[]): string[] {
  const f = (v: number) => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(3))));
  return [...edges.map((e) => `≤${f(e)}`), `>${f(edges[edges.length - 1] ?? 0)}`];
}

function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (total === 0 ? 0 : c / total));
}

function featureCard(version: string, windowMinutes: number, feature: DriftHistory['features'][number], row: Drift['rows'][number] | undefined): HTMLElement {
  const status = row?.status ?? 'insufficient';
  const liveTotal = feature.live.reduce((a, b) => a + b, 0);
  const histLabel = `${feature.feature}: share of observations per bin, reference (${feature.reference.reduce((a, b) => a + b, 0)}) vs live (${liveTotal})`;
  const psiLabel = `${feature.feature}: PSI over time, each point the ${windowMinutes} min window ending there; warn line ${PSI_WARN}, alert line ${PSI_ALERT}`;
  const hist = chartHost(histLabel, 'drift-histogram');
  const psi = chartHost(psiLabel, 'drift-psi');
  const card = el(
    'div',
    { class: `feature status-${status}`, 'data-feature': feature.feature, 'data-version': version, 'data-status': status },
    el('h4', {}, feature.feature, ' ', el('span', { class: `badge ${status}` }, status)),
    el('p', { class: 'numbers' }, `PSI ${fixed3(row?.psi ?? null)} · JS ${fixed3(row?.js ?? null)} · ${row?.count ?? 0} live observations in the window`,
      feature.rejected.histograms > 0 ? ` · ${feature.rejected.histograms} histograms on other bins refused` : ''),
    hist,
    psi,
  );
  queueMicrotask(() => {
    categoryBars(hist, histLabel, binLabels(feature.edges), [
      { label: 'reference', values: shares(feature.reference) },
      { label: 'live', values: shares(feature.live) },
    ], 'share');
    psiChart(psi, psiLabel, feature.points, PSI_WARN, PSI_ALERT);
  });
  return card;
}

/**
 * Per model version: the window's verdicts as a table, then per feature the reference
 * vs live histogram and PSI over time with the 0.1 and 0.25 lines.
 */
export function renderDrift(drift: Drift, histories: DriftHistory[]): void {
  if (drift.rows.length === 0 && drift.noReference.length === 0) {
    return renderDriftUnavailable('No model version with a drift reference is published in the registry yet.');
  }
  const parts: HTMLElement[] = [];
  for (const history of histories) {
    const rows = drift.rows.filter((r) => r.model === history.model && r.version === history.version);
    const worst = rows.some((r) => r.status === 'alert') ? 'alert' : rows.some((r) => r.status === 'warn') ? 'warn' : rows.every((r) => r.status === 'insufficient') ? 'insufficient' : 'ok';
    const panel = el('article', { class: 'drift-version', 'data-version': `${history.model}@${history.version}`, 'data-status': worst },
      el('h3', {}, `${history.model}@${history.version} `, el('span', { class: `badge ${worst}` }, worst)));
    if (history.reference !== 'reference') {
      panel.append(empty(history.reference === 'no-reference' ? 'No reference: publish this version with --reference-inputs to watch its drift.' : 'This version is not in the registry.'));
      parts.push(panel);
      continue;
    }
    panel.append(
      table(
        `Verdicts over the last ${Math.round(history.window / 60_000)} min (PSI warn ${PSI_WARN}, alert ${PSI_ALERT}; insufficient below the minimum count)`,
        ['feature', 'live count', 'PSI', 'JS', 'status'],
        rows.map((r) => [r.feature, r.count, fixed3(r.psi), fixed3(r.js), r.status]),
        { class: 'drift-table' },
      ),
    );
    const features = el('div', { class: 'features' });
    for (const feature of history.features) features.append(featureCard(history.version, Math.round(history.window / 60_000), feature, rows.find((r) => r.feature === feature.feature)));
    if (rows.every((r) => r.count === 0)) panel.append(empty('No live drift counts yet for this version: its runs send them when telemetry is on.'));
    panel.append(features);
    parts.push(panel);
  }
  const others = drift.noReference.filter((v) => !histories.some((h) => h.model === v.model && h.version === v.version));
  if (others.length > 0) parts.push(el('p', { class: 'hint' }, `No reference (drift not watched): ${others.map((v) => `${v.model}@${v.version}`).join(', ')}.`));
  if (parts.length === 0) parts.push(empty('Pick a model version above to see its drift.'));
  fill('drift', 'data', ...parts);
}
