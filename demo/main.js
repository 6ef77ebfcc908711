// A first look at the engine on this device: median latency per backend, with WASM as
// the baseline measured in the same page. Model bytes come from models/ (npm run models).
import { isOutpostError } from '../dist/index.js';
import { openBytesEngine } from '../dist/internal.js';

const MODELS = [
  {
    name: 'silero_vad_v5',
    url: '../models/silero_vad_v5.onnx',
    feeds: () => ({
      input: { type: 'float32', data: new Float32Array(512).map(() => Math.random() - 0.5), dims: [1, 512] },
      state: { type: 'float32', data: new Float32Array(256), dims: [2, 1, 128] },
      sr: { type: 'int64', data: BigInt64Array.of(16000n), dims: [] },
    }),
  },
  {
    name: 'ppocr_det (320×320)',
    url: '../models/ppocr_det.onnx',
    feeds: () => ({ x: { type: 'float32', data: new Float32Array(3 * 320 * 320).map(() => Math.random()), dims: [1, 3, 320, 320] } }),
    maxRuns: 10,
  },
];

const $ = (id) => document.getElementById(id);
$('isolated').textContent = String(crossOriginIsolated);
$('webgpu').textContent = 'gpu' in navigator ? 'exposed' : 'not exposed';

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function row(cells, className) {
  const tr = document.createElement('tr');
  if (className) tr.className = className;
  for (const cell of cells) tr.insertCell().textContent = cell;
  $('results').append(tr);
}

async function measure(engine, model, backend, runs) {
  const bytes = await (await fetch(model.url)).arrayBuffer();
  const t0 = performance.now();
  const session = await engine.loadBytes(bytes, { name: model.name, backend });
  const load = performance.now() - t0;
  const feeds = model.feeds();
  await session.run(feeds);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await session.run(feeds);
    times.push(performance.now() - start);
  }
  await session.dispose();
  times.sort((a, b) => a - b);
  return { load, median: quantile(times, 0.5), p90: quantile(times, 0.9) };
}

$('start').addEventListener('click', async () => {
  $('start').disabled = true;
  $('results').replaceChildren();
  const engine = openBytesEngine();
  try {
    for (const model of MODELS) {
      const runs = Math.min(Number($('runs').value) || 50, model.maxRuns ?? Infinity);
      let baseline;
      for (const backend of ['wasm', 'webgpu']) {
        $('status').textContent = `Running ${model.name} on ${backend} (${runs} runs)…`;
        try {
          const r = await measure(engine, model, backend, runs);
          baseline ??= r.median;
          row([model.name, backend, r.load.toFixed(1), r.median.toFixed(2), r.p90.toFixed(2), `${(r.median / baseline).toFixed(2)}×`]);
        } catch (error) {
          const code = isOutpostError(error) ? error.code : 'ERROR';
          row([model.name, backend, '—', code, '', error.message], 'error');
        }
      }
    }
    $('status').textContent = 'Done. A software WebGPU adapter (e.g. SwiftShader) is far slower than WASM: that is expected.';
  } finally {
    engine.close();
    $('start').disabled = false;
  }
});
