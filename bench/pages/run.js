// The run benchmark's page: the same model on the same backend (wasm) six ways,
// timed call by call; bench/run.ts interleaves the blocks and does the statistics.
import * as ortInPage from '/node_modules/onnxruntime-web/dist/ort.min.mjs';
import * as ortWasmInPage from '/node_modules/onnxruntime-web/dist/ort.wasm.min.mjs';
import { openBytesEngine } from '/dist/internal.js';

const ORT_DIR = '/node_modules/onnxruntime-web/dist/';
const ARRAYS = { float32: Float32Array, int64: BigInt64Array, int32: Int32Array, uint8: Uint8Array };

/** Per model: the feeds (plain { type, data, dims }) and one runner per variant. */
const models = new Map();
let ortProxy;
let engine;
let engineNoSpin;

function environment() {
  return {
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    crossOriginIsolated: globalThis.crossOriginIsolated,
  };
}

/**
 * onnxruntime-web in the page twice: the default entry (`import 'onnxruntime-web'`, the
 * JSEP build that also does WebGPU) and the WASM-only entry (`'onnxruntime-web/wasm'`,
 * the build outpost runs 'wasm' sessions on). The proxy variant is a separate module
 * instance of the default entry (the query string makes it one), so `proxy` can be set
 * on it before its first session without touching the in-page one. numThreads is left
 * to onnxruntime's default everywhere, as outpost's worker leaves it.
 */
async function init() {
  for (const ort of [ortInPage, ortWasmInPage]) {
    ort.env.wasm.wasmPaths = ORT_DIR;
    ort.env.logLevel = 'error';
  }
  ortProxy = await import(`${ORT_DIR}ort.min.mjs?proxy`);
  ortProxy.env.wasm.wasmPaths = ORT_DIR;
  ortProxy.env.wasm.proxy = true;
  ortProxy.env.logLevel = 'error';
  engine = openBytesEngine();
  engineNoSpin = openBytesEngine({ channel: { spinMs: 0 } });
  return true;
}

/** Deterministic pseudo-random floats in [-1, 1), so every variant sees the same input. */
function noise(length, seed) {
  const out = new Float32Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = ((x >>> 0) / 2 ** 32) * 2 - 1;
  }
  return out;
}

function makeFeeds(specs) {
  const feeds = {};
  for (const [index, { name, type, dims, fill }] of specs.entries()) {
    const length = dims.reduce((a, b) => a * b, 1);
    let data;
    if (fill === 'noise') data = noise(length, 1234 + index);
    else if (type === 'int64') data = new BigInt64Array(length).fill(BigInt(fill ?? 0));
    else data = new ARRAYS[type](length).fill(fill ?? 0);
    feeds[name] = { type, data, dims };
  }
  return feeds;
}

const sessionOptions = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };

/** Creates the model in all three places and runs each once (outputs checked to agree). */
async function setup({ name, url, feeds: specs }) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const bytes = await response.arrayBuffer();
  const feeds = makeFeeds(specs);
  const inPage = await ortInPage.InferenceSession.create(new Uint8Array(bytes.slice(0)), sessionOptions);
  const inPageWasm = await ortWasmInPage.InferenceSession.create(new Uint8Array(bytes.slice(0)), sessionOptions);
  const proxied = await ortProxy.InferenceSession.create(new Uint8Array(bytes.slice(0)), sessionOptions);
  const bare = await bareWorker(bytes.slice(0), feeds);
  const model = await engine.loadBytes(bytes.slice(0), { name, backend: 'wasm' });
  const modelNoSpin = await engineNoSpin.loadBytes(bytes.slice(0), { name, backend: 'wasm' });
  const ortFeeds = (ort, plain) => Object.fromEntries(Object.entries(plain).map(([k, t]) => [k, new ort.Tensor(t.type, t.data, t.dims)]));
  /** Fresh copies of the inputs, for the variants that transfer (detach) them: ort's proxy does, always. */
  const copies = () => Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, { ...t, data: t.data.slice() }]));
  const runners = {
    inpage: { prepare: () => feeds, run: (f) => inPage.run(ortFeeds(ortInPage, f)) },
    'inpage-wasm': { prepare: () => feeds, run: (f) => inPageWasm.run(ortFeeds(ortWasmInPage, f)) },
    proxy: { prepare: copies, run: (f) => proxied.run(ortFeeds(ortProxy, f)) },
    bare: { prepare: () => feeds, run: (f) => bare.run(f) },
    outpost: { prepare: () => feeds, run: (f) => model.run(f) },
    'outpost-nospin': { prepare: () => feeds, run: (f) => modelNoSpin.run(f) },
  };
  models.set(name, runners);
  const first = {};
  for (const [variant, runner] of Object.entries(runners)) {
    const outputs = await runner.run(runner.prepare());
    first[variant] = Object.values(outputs)[0].data;
  }
  const reference = first.inpage;
  const maxDiff = {};
  for (const [variant, data] of Object.entries(first)) {
    let worst = 0;
    for (let i = 0; i < data.length; i++) worst = Math.max(worst, Math.abs(data[i] - reference[i]));
    maxDiff[variant] = worst;
  }
  return { bytes: bytes.byteLength, numThreads: { inpage: ortInPage.env.wasm.numThreads, proxy: ortProxy.env.wasm.numThreads }, maxDiff };
}

/**
 * The bare worker (bare-worker.js): inputs and outputs at fixed offsets in one
 * SharedArrayBuffer, a call is "write feeds, bump, wait for the reply, copy outputs out".
 */
async function bareWorker(bytes, feeds) {
  let offset = 8;
  const inputs = Object.entries(feeds).map(([name, { type, data, dims }]) => {
    offset = (offset + 7) & ~7;
    const slot = { name, type, dims, offset, length: data.length };
    offset += data.byteLength;
    return slot;
  });
  const sab = new SharedArrayBuffer(offset + 64 * 2 ** 20);
  const view = ({ type, offset: at, length }) => new ARRAYS[type](sab, at, length);
  // The worker's first run (which places the outputs) reads these.
  for (const slot of inputs) view(slot).set(feeds[slot.name].data);
  const worker = new Worker(new URL('./bare-worker.js', import.meta.url), { type: 'module' });
  const { outputs, bytesNeeded } = await new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => resolve(data);
    worker.onerror = (event) => reject(new Error(`bare worker: ${event.message}`));
    worker.postMessage({ bytes, sab, inputs }, [bytes]);
  });
  if (bytesNeeded > sab.byteLength) throw new Error(`bare worker: outputs need ${bytesNeeded} bytes`);
  const head = new Int32Array(sab, 0, 2);
  let seq = 0;
  return {
    async run(f) {
      for (const slot of inputs) view(slot).set(f[slot.name].data);
      seq += 1;
      Atomics.store(head, 0, seq);
      Atomics.notify(head, 0);
      const wait = Atomics.waitAsync(head, 1, seq - 1);
      if (wait.async) await wait.value;
      return Object.fromEntries(outputs.map((slot) => [slot.name, { type: slot.type, data: view(slot).slice(), dims: slot.dims }]));
    },
  };
}

/** `count` calls of one variant, one after another; per-call milliseconds. */
async function block(name, variant, count) {
  const runner = models.get(name)[variant];
  const times = new Array(count);
  globalThis.gc?.();
  for (let i = 0; i < count; i++) {
    const feeds = runner.prepare();
    const start = performance.now();
    await runner.run(feeds);
    times[i] = performance.now() - start;
  }
  return times;
}

/** Two sessions of one model in outpost's worker, for calls in turn (bench/run.ts). */
let pair;
async function setupPair(url, specs) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const bytes = await response.arrayBuffer();
  const first = await engine.loadBytes(bytes.slice(0), { name: 'first', backend: 'wasm' });
  const second = await engine.loadBytes(bytes.slice(0), { name: 'second', backend: 'wasm' });
  pair = { first, second, feeds: makeFeeds(specs) };
  return true;
}

/** `count` calls: all on one model ('one') or alternating between the two ('turns'). */
async function pairBlock(mode, count) {
  const times = new Array(count);
  globalThis.gc?.();
  for (let i = 0; i < count; i++) {
    const model = mode === 'turns' && i % 2 === 1 ? pair.second : pair.first;
    const start = performance.now();
    await model.run(pair.feeds);
    times[i] = performance.now() - start;
  }
  return times;
}

window.bench = { environment, init, setup, block, setupPair, pairBlock };
window.benchReady = true;
