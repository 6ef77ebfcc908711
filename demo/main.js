// The demo: signed delivery through createRuntime(), then a backend comparison with
// WASM as the baseline measured in the same page.
import { createRuntime, isOutpostError } from '../dist/index.js';

const REGISTRY = new URL('./registry/', import.meta.url);
// A real app ships its root with its code; the demo reads the one `npm start` wrote.
const trustedRoot = await (await fetch(new URL('root.json', REGISTRY))).text();
const runtime = createRuntime({ registryUrl: REGISTRY, trustedRoot, storage: { dbName: 'outpost-demo' } });

const $ = (id) => document.getElementById(id);
$('isolated').textContent = String(crossOriginIsolated);
$('webgpu').textContent = 'gpu' in navigator ? 'exposed' : 'not exposed';

const describe = (error) => (isOutpostError(error) ? `${error.code}: ${error.message}` : String(error));

function row(tbody, cells, className) {
  const tr = document.createElement('tr');
  if (className) tr.className = className;
  for (const cell of cells) tr.insertCell().textContent = cell;
  $(tbody).append(tr);
}

async function showCache() {
  $('cache').replaceChildren();
  for (const entry of await runtime.cache.list()) row('cache', [entry.name, entry.version, entry.bytes.toLocaleString(), entry.pinned ? 'yes' : 'no']);
}

$('load').addEventListener('click', async () => {
  $('load').disabled = true;
  const started = performance.now();
  try {
    const model = await runtime.load('silero-vad', {
      onProgress: ({ phase, loaded, total }) => {
        $('phase').textContent = `${phase} ${loaded.toLocaleString()} / ${total.toLocaleString()}`;
        $('progress').value = total ? loaded / total : 0;
      },
    });
    const info = model.backendInfo;
    $('loaded').textContent = `${model.name}@${model.version} on ${model.backend} (${info.reason}) in ${(performance.now() - started).toFixed(0)} ms`;
    await model.dispose();
  } catch (error) {
    $('loaded').textContent = describe(error);
    $('loaded').className = 'error';
  } finally {
    $('load').disabled = false;
    await showCache();
  }
});

$('clear').addEventListener('click', async () => {
  for (const entry of await runtime.cache.list()) await runtime.cache.remove(entry.name, entry.version);
  await showCache();
});

const MODELS = [
  {
    name: 'silero-vad',
    feeds: () => ({
      input: { type: 'float32', data: new Float32Array(512).map(() => Math.random() - 0.5), dims: [1, 512] },
      state: { type: 'float32', data: new Float32Array(256), dims: [2, 1, 128] },
      sr: { type: 'int64', data: BigInt64Array.of(16000n), dims: [] },
    }),
  },
  {
    name: 'ppocr-det',
    label: 'ppocr-det (320×320)',
    feeds: () => ({ x: { type: 'float32', data: new Float32Array(3 * 320 * 320).map(() => Math.random()), dims: [1, 3, 320, 320] } }),
    maxRuns: 10,
  },
];

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function measure(spec, backend, runs) {
  const t0 = performance.now();
  const model = await runtime.load(spec.name, { backend });
  const load = performance.now() - t0;
  const feeds = spec.feeds();
  await model.run(feeds);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await model.run(feeds);
    times.push(performance.now() - start);
  }
  await model.dispose();
  times.sort((a, b) => a - b);
  return { load, median: quantile(times, 0.5), p90: quantile(times, 0.9) };
}

$('bench').addEventListener('click', async () => {
  $('bench').disabled = true;
  $('results').replaceChildren();
  for (const spec of MODELS) {
    const runs = Math.min(Number($('runs').value) || 50, spec.maxRuns ?? Infinity);
    let baseline;
    for (const backend of ['wasm', 'webgpu']) {
      $('status').textContent = `Running ${spec.name} on ${backend} (${runs} runs)…`;
      try {
        const r = await measure(spec, backend, runs);
        baseline ??= r.median;
        row('results', [spec.label ?? spec.name, backend, r.load.toFixed(1), r.median.toFixed(2), r.p90.toFixed(2), `${(r.median / baseline).toFixed(2)}×`]);
      } catch (error) {
        row('results', [spec.label ?? spec.name, backend, '—', '—', '—', describe(error)], 'error');
      }
    }
  }
  $('status').textContent = 'Done.';
  $('bench').disabled = false;
  await showCache();
});

await showCache();
