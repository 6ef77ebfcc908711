// The operator dashboard: reads the collector's query API (relative URLs: the page is
// served by the collector), draws it with uPlot and refreshes on its own. Filters are
// kept in the URL.
import './style.css';
import { alertsSchema, ApiError, browsersSchema, driftHistorySchema, driftSchema, get, latencySchema, latencySeriesSchema, loadSchema, modelsSchema, query, ratesSchema, type Drift, type DriftHistory, type Models } from './api.js';
import { el, fill, time } from './dom.js';
import { readFilters, timeRange, writeFilters, type Filters } from './filters.js';
import { renderAlerts } from './views/alerts.js';
import { renderDrift, renderDriftUnavailable } from './views/drift.js';
import { NO_DATA, renderBrowsers, renderLatency } from './views/latency.js';
import { renderLoad, renderRates } from './views/operations.js';

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
const modelSelect = $<HTMLSelectElement>('#f-model');
const versionSelect = $<HTMLSelectElement>('#f-version');
const rangeSelect = $<HTMLSelectElement>('#f-range');
const updated = $<HTMLElement>('#updated');
const noData = $<HTMLElement>('#no-data');

let filters: Filters = readFilters(location.search);
let timer: ReturnType<typeof setTimeout> | undefined;
let generation = 0;

function options(select: HTMLSelectElement, allLabel: string, values: string[], selected: string): void {
  const list = [...new Set([...values, ...(selected ? [selected] : [])])].sort();
  select.replaceChildren(el('option', { value: '' }, allLabel), ...list.map((v) => el('option', { value: v }, v)));
  select.value = selected;
}

function fillFilters(models: Models, drift: Drift | undefined): void {
  const versions = [...models.models.map((m) => ({ model: m.model, version: m.version })), ...(drift?.rows ?? []), ...(drift?.noReference ?? [])];
  options(modelSelect, 'all models', versions.map((v) => v.model), filters.model);
  options(versionSelect, 'all versions', versions.filter((v) => !filters.model || v.model === filters.model).map((v) => v.version), filters.version);
  rangeSelect.value = filters.range;
}

function setFilters(next: Filters): void {
  filters = next;
  history.replaceState(null, '', `${location.pathname}${writeFilters(filters)}`);
  void refresh();
}

/** Errors stay in their section: one failing endpoint never blanks the page. */
function failed(section: string, error: unknown): void {
  fill(section, 'error', el('p', { class: 'error', role: 'alert' }, error instanceof Error ? error.message : String(error)));
}

async function optional<T>(promise: Promise<T>): Promise<T | ApiError> {
  return promise.catch((error: unknown) => {
    if (error instanceof ApiError) return error;
    throw error;
  });
}

async function refresh(): Promise<void> {
  const mine = ++generation;
  clearTimeout(timer);
  const now = Date.now();
  const range = timeRange(filters, now);
  const scope = { model: filters.model || undefined, version: filters.version || undefined };
  const q = query({ ...scope, ...range });
  try {
    const [models, series, totals, browsers, rates, load, drift, alerts] = await Promise.all([
      get(`api/v1/models${query(range)}`, modelsSchema),
      optional(get(`api/v1/latency/series${q}`, latencySeriesSchema)),
      optional(get(`api/v1/latency${q}`, latencySchema)),
      optional(get(`api/v1/latency/browsers${q}`, browsersSchema)),
      optional(get(`api/v1/rates${q}`, ratesSchema)),
      optional(get(`api/v1/load${q}`, loadSchema)),
      optional(get(`api/v1/drift${query(scope)}`, driftSchema)),
      optional(get('api/v1/alerts', alertsSchema)),
    ]);
    if (mine !== generation) return;
    const driftOk = drift instanceof ApiError ? undefined : drift;
    fillFilters(models, driftOk);
    noData.hidden = models.models.length > 0;
    noData.replaceChildren(`${NO_DATA} (${location.origin}): createRuntime({ telemetry: { endpoint: '${location.origin}' } }) and run a model.`);

    if (alerts instanceof ApiError) renderAlerts(undefined, alerts.code === 'not_found' ? 'No drift alerts: this collector runs without --registry, so it has no references to compare with.' : alerts.message);
    else renderAlerts(alerts);
    if (series instanceof ApiError) failed('latency', series);
    else if (totals instanceof ApiError) failed('latency', totals);
    else renderLatency(series, totals);
    if (browsers instanceof ApiError) failed('browsers', browsers);
    else renderBrowsers(browsers);
    if (rates instanceof ApiError) failed('rates', rates);
    else renderRates(rates);
    if (load instanceof ApiError) failed('load', load);
    else renderLoad(load);

    if (drift instanceof ApiError) {
      if (drift.code === 'not_found') renderDriftUnavailable('This collector runs without a registry.');
      else failed('drift', drift);
    } else {
      const versions = [...drift.rows, ...drift.noReference]
        .map((r) => `${r.model}@${r.version}`)
        .filter((v, i, all) => all.indexOf(v) === i)
        .slice(0, 8);
      const histories: DriftHistory[] = await Promise.all(
        versions.map((v) => {
          const at = v.lastIndexOf('@');
          return get(`api/v1/drift/history${query({ model: v.slice(0, at), version: v.slice(at + 1), ...range })}`, driftHistorySchema);
        }),
      );
      if (mine !== generation) return;
      renderDrift(drift, histories);
    }
    updated.textContent = `updated ${time(now)}${filters.refresh > 0 ? ` · refreshes every ${filters.refresh} s` : ''}`;
    document.body.dataset.loaded = String(now);
  } catch (error) {
    updated.textContent = `could not read the collector: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    if (mine === generation && filters.refresh > 0) timer = setTimeout(() => void refresh(), filters.refresh * 1000);
  }
}

modelSelect.addEventListener('change', () => setFilters({ ...filters, model: modelSelect.value, version: '' }));
versionSelect.addEventListener('change', () => setFilters({ ...filters, version: versionSelect.value }));
rangeSelect.addEventListener('change', () => setFilters({ ...filters, range: rangeSelect.value as Filters['range'] }));
$<HTMLFormElement>('#filters').addEventListener('submit', (event) => event.preventDefault());
window.addEventListener('popstate', () => setFilters(readFilters(location.search)));
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') void refresh();
});
void refresh();
