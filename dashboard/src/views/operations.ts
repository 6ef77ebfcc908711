import type { Load, Rates } from '../api.js';
import { categoryBars, chartHost, countsChart } from '../charts.js';
import { el, empty, fill, ms, percent, table } from '../dom.js';
import { NO_DATA } from './latency.js';

/** Error rate per version, fallbacks per load, and both over time. */
export function renderRates(rates: Rates): void {
  if (rates.rows.length === 0 && rates.fallbacks.count === 0) return fill('rates', 'empty', empty(`${NO_DATA}; errors and backend fallbacks are counted here.`));
  const perVersion = table(
    'Error rate per model version: errors / (runs + errors)',
    ['model@version', 'runs', 'errors', 'error rate', 'codes'],
    rates.rows.map((r) => [`${r.model}@${r.version}`, r.runs, r.errors, percent(r.errorRate), r.codes.map((c) => `${c.code} ×${c.count}`).join(', ') || '–']),
    { class: 'rates-table' },
  );
  const f = rates.fallbacks;
  const fallbackLine = el(
    'p',
    { class: 'fallback-rate' },
    `Backend fallbacks: ${f.count} in ${f.loads} loads (${percent(f.rate)})`,
    f.rows.length ? ` — ${f.rows.map((r) => `${r.from} → ${r.to} (${r.reason}) ×${r.count}`).join('; ')}` : '',
  );
  const label = 'Errors and backend fallbacks per time step';
  const host = chartHost(label, 'rates');
  fill('rates', 'data', perVersion, fallbackLine, host);
  countsChart(host, label, rates, rates.points.map((p) => p.t), [
    { label: 'errors', values: rates.points.map((p) => p.errors) },
    { label: 'fallbacks', values: rates.points.map((p) => p.fallbacks) },
  ]);
}

const PHASES = ['metadata', 'download', 'verify', 'compile'];

/** Mean duration per phase, cold (cache miss) beside warm (cache hit). */
export function renderLoad(load: Load): void {
  if (load.rows.length === 0) return fill('load', 'empty', empty(`${NO_DATA}; each model load reports its phases here.`));
  const mean = (start: string, phase: string) => {
    const rows = load.rows.filter((r) => r.start === start && r.phase === phase);
    const count = rows.reduce((n, r) => n + r.count, 0);
    return count === 0 ? null : rows.reduce((n, r) => n + r.mean * r.count, 0) / count;
  };
  const label = 'Mean load phase duration in ms, cold (cache miss) and warm (cache hit)';
  const host = chartHost(label, 'load');
  const summary = table(
    'Load phases (ms)',
    ['model@version', 'start', 'phase', 'loads', 'mean', 'p50', 'p90'],
    load.rows.map((r) => [`${r.model}@${r.version}`, `${r.start} (cache ${r.cache || '?'})`, r.phase, r.count, ms(r.mean), ms(r.p50), ms(r.p90)]),
    { class: 'load-table' },
  );
  fill('load', 'data', host, summary);
  categoryBars(host, label, PHASES, [
    { label: 'cold (miss)', values: PHASES.map((p) => mean('cold', p)) },
    { label: 'warm (hit)', values: PHASES.map((p) => mean('warm', p)) },
  ], 'ms (mean)');
}
