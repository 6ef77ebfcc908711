import type { Browsers, Latency, LatencySeries } from '../api.js';
import { chartHost, latencyChart } from '../charts.js';
import { el, empty, fill, ms, table } from '../dom.js';

export const NO_DATA = 'No data yet: point `telemetry.endpoint` at this collector';

/** p50/p90/p99 over time, one colour per backend, and the range's totals as a table. */
export function renderLatency(series: LatencySeries, totals: Latency): void {
  const withPoints = series.series.filter((s) => s.points.length > 0);
  if (withPoints.length === 0) return fill('latency', 'empty', empty(`${NO_DATA} (createRuntime({ telemetry: { endpoint: '${location.origin}' } })) and run a model; runs appear within a minute.`));
  const label = `Latency per run over time for ${withPoints.map((s) => s.backend).join(', ')}, p50 solid, p90 dashed, p99 dotted, log scale`;
  const host = chartHost(label, 'latency');
  const summary = table(
    'Latency in the selected range (ms)',
    ['model@version', 'backend', 'runs', 'p50', 'p90', 'p99'],
    totals.rows.map((r) => [`${r.model}@${r.version}`, r.backend, r.count, ms(r.p50), ms(r.p90), ms(r.p99)]),
    { class: 'latency-summary' },
  );
  fill('latency', 'data', host, summary);
  latencyChart(host, label, series, withPoints);
}

/** One row per backend, one column per browser family and major version: p50 (runs). */
export function renderBrowsers(browsers: Browsers): void {
  if (browsers.rows.length === 0) return fill('browsers', 'empty', empty(`${NO_DATA}; each browser that runs a model adds a column here.`));
  const browserName = (r: Browsers['rows'][number]) => `${r.browser}${r.browserVersion ? ` ${r.browserVersion}` : ''}`;
  const columns = [...new Set(browsers.rows.map(browserName))].sort();
  const backends = [...new Set(browsers.rows.map((r) => r.backend))].sort();
  const cells = new Map<string, { count: number; p50s: Array<[number, number]> }>();
  for (const r of browsers.rows) {
    const key = `${r.backend}\0${browserName(r)}`;
    const cell = cells.get(key) ?? { count: 0, p50s: [] };
    cell.count += r.count;
    cell.p50s.push([r.p50, r.count]);
    cells.set(key, cell);
  }
  const rows = backends.map((backend) => [
    backend,
    ...columns.map((column) => {
      const cell = cells.get(`${backend}\0${column}`);
      if (cell === undefined) return '–';
      // Several model versions in one cell: their p50s weighted by runs.
      const p50 = cell.p50s.reduce((sum, [p, n]) => sum + p * n, 0) / cell.count;
      return `${ms(p50)} ms (${cell.count} runs)`;
    }),
  ]);
  fill('browsers', 'data', table('Median latency (p50) per backend and browser, runs in brackets', ['backend', ...columns], rows, { class: 'browser-table' }), el('p', { class: 'hint' }, 'Browser version is the major version the browser reports (User-Agent Client Hints).'));
}
