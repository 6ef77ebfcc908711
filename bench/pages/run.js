// The run benchmark's page: the same model on the same backend (wasm) three ways,
// timed call by call; bench/run.ts interleaves the blocks and does the statistics.
import * as ortInPage from '/node_modules/onnxruntime-web/dist/ort.min.mjs';
import { openBytesEngine } from '/dist/internal.js';

const ORT_DIR = '/node_modules/onnxruntime-web/dist/';
const ARRAYS = { float32: Float32Array, int64: BigInt64Array, int32: Int32Array, uint8: Uint8Array };

/** Per model: the feeds (plain { type, data, dims }) and one runner per variant. */
const models = new Map();
let ortProxy;
let engine;

function environment() {
  return {
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    crossOriginIsolated: globalThis.crossOriginIsolated,
  };
}

/**
 * Two onnxruntime-web instances from the same ort.min.mjs build: the second is a
 * separate module instance (the query string makes it one), so `proxy` can be set on
 * it before its first session without touching the in-page one. numThreads is left to
 * onnxruntime's default, as outpost's worker leaves it.
 */
async function init() {
  ortInPage.env.wasm.wasmPaths = ORT_DIR;
  ortInPage.env.logLevel = 'error';
  ortProxy = await import(`${ORT_DIR}ort.min.mjs?proxy`);
  ortProxy.env.wasm.wasmPaths = ORT_DIR;
  ortProxy.env.wasm.proxy = true;
  ortProxy.env.logLevel = 'error';
  engine = openBytesEngine();
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
  const proxied = await ortProxy.InferenceSession.create(new Uint8Array(bytes.slice(0)), sessionOptions);
  const model = await engine.loadBytes(bytes.slice(0), { name, backend: 'wasm' });
  const ortFeeds = (ort, plain) => Object.fromEntries(Object.entries(plain).map(([k, t]) => [k, new ort.Tensor(t.type, t.data, t.dims)]));
  /** Fresh copies of the inputs, for the variants that transfer (detach) them: ort's proxy does, always. */
  const copies = () => Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, { ...t, data: t.data.slice() }]));
  const runners = {
    inpage: { prepare: () => feeds, run: (f) => inPage.run(ortFeeds(ortInPage, f)) },
    proxy: { prepare: copies, run: (f) => proxied.run(ortFeeds(ortProxy, f)) },
    outpost: { prepare: () => feeds, run: (f) => model.run(f) },
    'outpost-transfer': { prepare: copies, run: (f) => model.run(f, { transfer: true }) },
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

window.bench = { environment, init, setup, block };
window.benchReady = true;
