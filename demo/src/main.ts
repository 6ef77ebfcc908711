// The demo page: a backend comparison on real inputs, VAD on a clip and the microphone,
// text detection, and the cache, all through createRuntime() on a signed registry.
import { backendConfigs, type BackendConfig } from './backends.js';
import { measureBackend, type BackendResult } from './bench.js';
import { baselineMedian, showResults } from './bench-view.js';
import { showCache } from './cache-view.js';
import { $ } from './dom.js';
import { adapterFacts } from './explain.js';
import { deviceFacts, download, resultsCsv, resultsJson } from './export.js';
import { ocrInput, vadInput } from './inputs.js';
import { setupOcr } from './ocr-view.js';
import { importOutpost, type Runtime } from './outpost.js';
import { formatBytes } from './stats.js';
import { setupVad } from './vad-view.js';
import { parseWav } from './wav.js';

interface PageConfig {
  /** OTLP endpoint of the collector `npm start` runs, when it runs one. */
  collector?: string;
  dashboard?: string;
}

const outpost = await importOutpost();
const config: PageConfig = await fetch('./config.json').then((r) => (r.ok ? (r.json() as Promise<PageConfig>) : {}), () => ({}));
const REGISTRY = new URL('./registry/', location.href);
// A real app ships its root with its code; the demo reads the one `npm start` signed.
const trustedRoot = await (await fetch(new URL('root.json', REGISTRY))).text();
const adapter = await adapterFacts();
const device = deviceFacts(adapter);

$('isolated').textContent = String(crossOriginIsolated);
$('cores').textContent = String(device.cores);
$('adapter').textContent = adapter.available ? `${device.adapter}${adapter.software ? ' (software)' : ''}` : 'none';
if (config.dashboard) {
  const link = $<HTMLAnchorElement>('dashboard');
  link.href = config.dashboard;
  link.textContent = config.dashboard;
} else {
  $('dashboard-line').textContent = 'Operator dashboard: run `npm start` with the collector to see this page\'s telemetry.';
}

// One runtime per WASM thread count: threads are fixed when onnxruntime starts in the worker.
const runtimes = new Map<number, Runtime>();
function runtimeFor(threads: number): Runtime {
  let runtime = runtimes.get(threads);
  if (!runtime) {
    runtime = outpost.createRuntime({
      registryUrl: REGISTRY,
      trustedRoot,
      storage: { dbName: 'outpost-demo' },
      wasm: { threads },
      ...(config.collector ? { telemetry: { endpoint: config.collector } } : {}),
    });
    runtimes.set(threads, runtime);
  }
  return runtime;
}
const mainRuntime = (): Runtime => runtimeFor(backendConfigs()[1]!.threads);
const describe = (error: unknown) => (outpost.isOutpostError(error) ? `${error.code}: ${error.message}` : String(error));

const clip = parseWav(await (await fetch('./speech.wav')).arrayBuffer()).samples;
const ocrCanvas = $<HTMLCanvasElement>('ocr-canvas');

// Backend choices: WebGPU only where the browser exposes it.
const choices = $('backend-choices');
for (const backend of backendConfigs()) {
  const label = document.createElement('label');
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.name = 'backend';
  box.value = backend.id;
  box.checked = backend.id !== 'webgpu' || adapter.available;
  box.disabled = backend.id === 'webgpu' && !adapter.available;
  label.append(box, ` ${backend.label}`);
  choices.append(label);
}

let lastResults: BackendResult[] = [];
$('bench-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void runComparison();
});

async function runComparison(): Promise<void> {
  const button = $<HTMLButtonElement>('bench');
  button.disabled = true;
  const status = $('bench-status');
  const model = $<HTMLSelectElement>('model').value;
  const runs = Math.max(1, Math.min(1000, Number($<HTMLInputElement>('runs').value) || 20));
  const selected = new Set([...choices.querySelectorAll<HTMLInputElement>('input:checked')].map((b) => b.value));
  const configs: BackendConfig[] = backendConfigs().filter((c) => selected.has(c.id));
  const input = model === 'ppocr-det' ? ocrInput(ocrCanvas) : vadInput(clip);
  const results: BackendResult[] = [];
  const progress = $<HTMLProgressElement>('download-progress');
  try {
    for (const backend of configs) {
      status.textContent = `Measuring ${model} on ${backend.label}: cold load, warm load, ${runs} runs…`;
      try {
        results.push(
          await measureBackend(runtimeFor(backend.threads), input, backend, runs, (p) => {
            progress.max = Math.max(1, p.total);
            progress.value = p.loaded;
            $('download-text').textContent = `${formatBytes(p.loaded)} of ${formatBytes(p.total)}`;
          }),
        );
        showResults(results, adapter);
      } catch (error) {
        status.textContent = `${backend.label}: ${describe(error)}`;
        status.className = 'error';
      }
    }
    lastResults = results;
    if (status.className !== 'error') status.textContent = `Done: ${model}, ${results.length} backend(s), ${runs} runs each.`;
    $<HTMLButtonElement>('export-json').disabled = results.length === 0;
    $<HTMLButtonElement>('export-csv').disabled = results.length === 0;
  } finally {
    button.disabled = false;
    await showCache(mainRuntime());
  }
}

$('export-json').addEventListener('click', () => download('outpost-benchmark.json', 'application/json', resultsJson(device, lastResults, baselineMedian(lastResults))));
$('export-csv').addEventListener('click', () => download('outpost-benchmark.csv', 'text/csv', resultsCsv(device, lastResults, baselineMedian(lastResults))));

const refreshCache = () => void showCache(mainRuntime());
setupVad(mainRuntime, clip, describe, refreshCache);
setupOcr(mainRuntime, ocrCanvas, describe, refreshCache);
await showCache(mainRuntime());
document.body.dataset.ready = 'true';
