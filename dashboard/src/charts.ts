// Every chart is uPlot; each gets role="img", an aria-label and a text summary (the
// tables beside it), so a chart is never the only place a number is shown.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { el } from './dom.js';

const COLORS = ['#1f5fbf', '#b3541e', '#2e7d32', '#6a1b9a', '#00838f', '#ad1457'];
const PERCENTILE_DASH: Record<string, number[]> = { p50: [], p90: [6, 3], p99: [2, 3] };

export function color(i: number): string {
  return COLORS[i % COLORS.length]!;
}

/** A host element for one chart, sized to its container. */
export function chartHost(label: string, kind: string): HTMLDivElement {
  return el('div', { class: 'chart', 'data-chart': kind, 'aria-label': label });
}

function width(host: HTMLElement): number {
  return Math.max(280, Math.min(900, host.parentElement?.clientWidth ?? host.clientWidth ?? 640) - 8);
}

function mount(host: HTMLElement, label: string, opts: uPlot.Options, data: uPlot.AlignedData): uPlot {
  host.replaceChildren();
  const chart = new uPlot(opts, data, host);
  chart.root.setAttribute('role', 'img');
  chart.root.setAttribute('aria-label', label);
  return chart;
}

/** Latency over time: per backend, p50/p90/p99 lines (solid, dashed, dotted), log y. */
export function latencyChart(host: HTMLElement, label: string, range: { from: number; to: number }, series: Array<{ backend: string; points: Array<{ t: number; p50: number; p90: number; p99: number }> }>): uPlot {
  const times = [...new Set(series.flatMap((s) => s.points.map((p) => p.t)))].sort((a, b) => a - b);
  const data: uPlot.AlignedData = [times.map((t) => t / 1000)];
  const lines: uPlot.Series[] = [{}];
  series.forEach((s, i) => {
    const byTime = new Map(s.points.map((p) => [p.t, p]));
    for (const q of ['p50', 'p90', 'p99'] as const) {
      data.push(times.map((t) => byTime.get(t)?.[q] ?? null) as number[]);
      lines.push({ label: `${s.backend} ${q}`, stroke: color(i), dash: PERCENTILE_DASH[q]!, width: q === 'p50' ? 2 : 1.5, spanGaps: true, points: { show: true, size: 5 } });
    }
  });
  return mount(host, label, { width: width(host), height: 260, scales: { x: { range: [range.from / 1000, range.to / 1000] }, y: { distr: 3 } }, axes: [{}, { label: 'ms per run', size: 60 }], series: lines }, data);
}

/** Counts over time (errors, fallbacks): bars per step. */
export function countsChart(host: HTMLElement, label: string, range: { from: number; to: number }, times: number[], series: Array<{ label: string; values: number[] }>): uPlot {
  const bars = uPlot.paths.bars!({ size: [0.6, 40], gap: 2 });
  return mount(
    host,
    label,
    {
      width: width(host),
      height: 200,
      scales: { x: { range: [range.from / 1000, range.to / 1000] } },
      axes: [{}, { label: 'count per step', size: 60 }],
      series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: color(i + 1), fill: color(i + 1) + '99', paths: bars, points: { show: false } }))],
    },
    [times.map((t) => t / 1000), ...series.map((s) => s.values)],
  );
}

/** Grouped bars over named categories (load phases, histogram bins). */
export function categoryBars(host: HTMLElement, label: string, categories: string[], series: Array<{ label: string; values: Array<number | null> }>, yLabel: string, logY = false): uPlot {
  const n = Math.max(1, series.length);
  const x = categories.map((_, i) => i);
  return mount(
    host,
    label,
    {
      width: width(host),
      height: 220,
      scales: { x: { time: false, range: [-0.6, categories.length - 0.4] }, ...(logY ? { y: { distr: 3 } } : {}) },
      axes: [
        { values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? (categories[v] ?? '') : '')), splits: () => x, gap: 4 },
        { label: yLabel, size: 60 },
      ],
      series: [
        { label: 'bin' },
        ...series.map((s, i) => ({
          label: s.label,
          stroke: color(i),
          fill: color(i) + 'aa',
          points: { show: false },
          paths: uPlot.paths.bars!({ size: [0.8 / n, Infinity], align: (n === 1 ? 0 : i === 0 ? -1 : 1) as -1 | 0 | 1 }),
        })),
      ],
    },
    [x, ...series.map((s) => s.values as number[])],
  );
}

/** PSI over time with the warn (0.1) and alert (0.25) lines. */
export function psiChart(host: HTMLElement, label: string, points: Array<{ t: number; psi: number | null }>, warn: number, alert: number): uPlot {
  const times = points.map((p) => p.t / 1000);
  const top = Math.max(alert * 1.4, ...points.map((p) => p.psi ?? 0));
  return mount(
    host,
    label,
    {
      width: width(host),
      height: 180,
      scales: { y: { range: [0, top * 1.05] } },
      axes: [{}, { label: 'PSI', size: 50 }],
      series: [
        {},
        { label: 'PSI', stroke: color(0), width: 2, spanGaps: false, points: { show: true, size: 5 } },
        { label: `warn ${warn}`, stroke: '#c79100', dash: [6, 4], width: 1, points: { show: false } },
        { label: `alert ${alert}`, stroke: '#c62828', dash: [6, 4], width: 1, points: { show: false } },
      ],
    },
    [times, points.map((p) => p.psi) as number[], times.map(() => warn), times.map(() => alert)],
  );
}
