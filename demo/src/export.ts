// Results as JSON and CSV, each row carrying the device facts so files from several
// machines can be put side by side.
import type { BackendResult } from './bench.js';
import { PHASES } from './bench.js';

export interface DeviceFacts {
  browser: string;
  platform: string;
  cores: number;
  crossOriginIsolated: boolean;
  adapter: string;
  softwareAdapter: boolean;
}

export function deviceFacts(adapter: { available: boolean; vendor?: string; architecture?: string; description?: string; software: boolean }): DeviceFacts {
  const uaData = (navigator as Navigator & { userAgentData?: { brands: Array<{ brand: string; version: string }>; platform: string } }).userAgentData;
  const brands = uaData?.brands.filter((b) => !/not.?a.?brand/i.test(b.brand)).map((b) => `${b.brand} ${b.version}`) ?? [];
  return {
    browser: brands.length > 0 ? brands.join(', ') : navigator.userAgent,
    platform: uaData?.platform ?? navigator.platform,
    cores: navigator.hardwareConcurrency || 0,
    crossOriginIsolated,
    adapter: adapter.available ? [adapter.vendor, adapter.architecture, adapter.description].filter(Boolean).join(' / ') || 'unnamed adapter' : 'none',
    softwareAdapter: adapter.software,
  };
}

export function resultsJson(device: DeviceFacts, results: readonly BackendResult[], baseline: number | undefined): string {
  return JSON.stringify(
    {
      generatedAt: new Date().toISOString(),
      device,
      results: results.map((r) => ({
        model: r.model,
        version: r.version,
        backend: r.config.label,
        ranOn: r.ranOn,
        threads: r.config.backend === 'webgpu' ? null : r.config.threads,
        ...r.summary,
        ratioToWasm: baseline ? r.summary.median / baseline : null,
        coldLoadMs: r.cold,
        warmLoadMs: r.warm,
        timesMs: r.times,
        backendInfo: r.backendInfo,
      })),
    },
    null,
    2,
  );
}

const csvCell = (value: unknown) => {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(Math.round(value * 1000) / 1000) : '') : String(value ?? '');
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export function resultsCsv(device: DeviceFacts, results: readonly BackendResult[], baseline: number | undefined): string {
  const phaseColumns = (prefix: string) => PHASES.map((p) => `${prefix}_${p.replace(' ', '_')}_ms`);
  const header = [
    'model', 'version', 'backend', 'ran_on', 'threads', 'runs', 'median_ms', 'p10_ms', 'p90_ms', 'mean_ms', 'runs_per_s', 'ratio_to_wasm',
    ...phaseColumns('cold'), ...phaseColumns('warm'),
    'browser', 'platform', 'cores', 'cross_origin_isolated', 'adapter', 'software_adapter',
  ];
  const rows = results.map((r) => [
    r.model, r.version, r.config.label, r.ranOn, r.config.backend === 'webgpu' ? '' : r.config.threads,
    r.summary.runs, r.summary.median, r.summary.p10, r.summary.p90, r.summary.mean, r.summary.throughput,
    baseline ? r.summary.median / baseline : '',
    ...PHASES.map((p) => r.cold[p]), ...PHASES.map((p) => r.warm[p]),
    device.browser, device.platform, device.cores, device.crossOriginIsolated, device.adapter, device.softwareAdapter,
  ]);
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}

export function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
