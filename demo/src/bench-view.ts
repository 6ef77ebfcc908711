// The comparison's results: table, latency chart, load bars and the 'auto' explanation.
import type { BackendResult, LoadBreakdown } from './bench.js';
import { PHASES } from './bench.js';
import { latencyChart } from './charts.js';
import { $, row } from './dom.js';
import { explainAuto, type AdapterFacts } from './explain.js';
import { formatMs, percentileCurve } from './stats.js';

const PHASE_COLORS: Record<(typeof PHASES)[number], string> = {
  metadata: '#6a1b9a',
  download: '#1f5fbf',
  verify: '#2e7d32',
  compile: '#b3541e',
  'first run': '#555555',
};

/** The WASM baseline: one thread if measured, else the first WASM result. */
export function baselineMedian(results: readonly BackendResult[]): number | undefined {
  const wasm = results.find((r) => r.config.id === 'wasm-1') ?? results.find((r) => r.ranOn === 'wasm');
  return wasm?.summary.median;
}

export function showResults(results: readonly BackendResult[], adapter: AdapterFacts): void {
  const baseline = baselineMedian(results);
  const tbody = $('results').querySelector('tbody')!;
  tbody.replaceChildren();
  for (const r of results) {
    const s = r.summary;
    row(tbody, [r.config.label, r.ranOn, String(s.runs), formatMs(s.median), formatMs(s.p10), formatMs(s.p90), s.throughput.toFixed(1), baseline ? `${(s.median / baseline).toFixed(2)}×` : '—']);
  }
  const summary = results
    .map((r) => `${r.config.label}: median ${formatMs(r.summary.median)} ms, p10 ${formatMs(r.summary.p10)} ms, p90 ${formatMs(r.summary.p90)} ms${baseline ? ` (${(r.summary.median / baseline).toFixed(2)}× WASM 1 thread)` : ''}`)
    .join('; ');
  $('latency-summary').textContent = `Latency at each percentile of ${results[0]?.summary.runs ?? 0} runs, log scale. ${summary}.`;
  latencyChart($('latency-chart'), results.map((r) => ({ label: r.config.label, curve: percentileCurve(r.times) })), 'Chart: latency per percentile of runs, per backend');
  showLoads(results);
  const auto = results.find((r) => r.config.id === 'auto');
  if (auto) $('auto-explained').textContent = explainAuto(auto.backendInfo, adapter);
}

const total = (b: LoadBreakdown) => PHASES.reduce((sum, p) => sum + b[p], 0);

function showLoads(results: readonly BackendResult[]): void {
  const bars = $('load-bars');
  bars.replaceChildren();
  const legend = document.createElement('p');
  legend.className = 'legend';
  legend.setAttribute('aria-hidden', 'true');
  for (const phase of PHASES) {
    const item = document.createElement('span');
    const swatch = document.createElement('i');
    swatch.style.background = PHASE_COLORS[phase];
    item.append(swatch, phase);
    legend.append(item);
  }
  bars.append(legend);
  const longest = Math.max(1, ...results.flatMap((r) => [total(r.cold), total(r.warm)]));
  const tbody = $('load-table').querySelector('tbody')!;
  tbody.replaceChildren();
  for (const r of results) {
    for (const [kind, breakdown] of [['cold', r.cold], ['warm', r.warm]] as const) {
      const words = PHASES.map((p) => `${p} ${formatMs(breakdown[p])} ms`).join(', ');
      const label = document.createElement('div');
      label.className = 'label';
      label.textContent = `${r.config.label}, ${kind}: ${formatMs(total(breakdown))} ms`;
      const bar = document.createElement('div');
      bar.className = 'bar';
      bar.setAttribute('role', 'img');
      bar.setAttribute('aria-label', `${r.config.label} ${kind} load: ${words}`);
      bar.style.width = `${Math.max(2, (total(breakdown) / longest) * 100)}%`;
      for (const phase of PHASES) {
        const part = document.createElement('span');
        part.style.background = PHASE_COLORS[phase];
        part.style.width = `${(breakdown[phase] / Math.max(1e-9, total(breakdown))) * 100}%`;
        part.title = `${phase}: ${formatMs(breakdown[phase])} ms`;
        bar.append(part);
      }
      bars.append(label, bar);
      row(tbody, [r.config.label, kind, ...PHASES.map((p) => formatMs(breakdown[p])), formatMs(total(breakdown))]);
    }
  }
}
