// uPlot charts, each with a role and label so assistive tech gets the text summary the
// page puts beside it.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const COLORS = ['#1f5fbf', '#b3541e', '#2e7d32', '#6a1b9a'];

function mount(host: HTMLElement, label: string, opts: uPlot.Options, data: uPlot.AlignedData): uPlot {
  host.replaceChildren();
  const chart = new uPlot(opts, data, host);
  chart.root.setAttribute('role', 'img');
  chart.root.setAttribute('aria-label', label);
  return chart;
}

/** Latency at each percentile, one line per backend, log scale (backends differ by 100×). */
export function latencyChart(host: HTMLElement, series: Array<{ label: string; curve: number[] }>, label: string): uPlot {
  const x = Array.from({ length: 101 }, (_, p) => p);
  return mount(
    host,
    label,
    {
      width: Math.min(640, host.clientWidth || 640),
      height: 260,
      scales: { x: { time: false }, y: { distr: 3 } },
      axes: [{ label: 'percentile of runs' }, { label: 'ms per run', size: 60 }],
      series: [{ label: 'percentile' }, ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length]!, width: 2 }))],
    },
    [x, ...series.map((s) => s.curve)],
  );
}

/** Speech probability over time, with the 0.5 threshold drawn. */
export function probabilityChart(host: HTMLElement, times: number[], probabilities: number[], label: string): uPlot {
  return mount(
    host,
    label,
    {
      width: Math.min(640, host.clientWidth || 640),
      height: 200,
      scales: { x: { time: false }, y: { range: [0, 1] } },
      axes: [{ label: 'seconds' }, { label: 'speech probability', size: 60 }],
      series: [
        { label: 's' },
        { label: 'speech probability', stroke: COLORS[0]!, fill: 'rgba(31,95,191,0.15)', width: 2 },
        { label: 'threshold', stroke: '#777', dash: [4, 4], width: 1 },
      ],
    },
    [times, probabilities, times.map(() => 0.5)],
  );
}
