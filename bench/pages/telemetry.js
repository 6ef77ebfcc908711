// Telemetry overhead: the same model in two workers of the same page, one recording
// latency and binning every drift feature into a reference made here, one not.
import { openBytesEngine, FeatureSamples, runFeatures, computeReference } from '/dist/internal.js';

const models = new Map();
let off;
let on;

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

function makeFeeds(specs, seed = 0) {
  const feeds = {};
  for (const [index, { name, type, dims, fill }] of specs.entries()) {
    const length = dims.reduce((a, b) => a * b, 1);
    let data;
    if (fill === 'noise') data = noise(length, 1234 + index + seed);
    else if (type === 'int64') data = new BigInt64Array(length).fill(BigInt(fill ?? 0));
    else data = new Float32Array(length).fill(fill ?? 0);
    feeds[name] = { type, data, dims };
  }
  return feeds;
}

function init() {
  off = openBytesEngine();
  on = openBytesEngine();
  return true;
}

/** Loads the model untracked and tracked; the tracked one gets a reference of every feature. */
async function setup({ name, url, feeds: specs, aa = false }) {
  const bytes = await (await fetch(url)).arrayBuffer();
  const plain = await off.loadBytes(bytes.slice(0), { name, backend: 'wasm' });
  const samples = new FeatureSamples();
  for (let i = 0; i < 8; i++) {
    const feeds = makeFeeds(specs, i * 7);
    runFeatures(feeds, await plain.run(makeFeeds(specs, i * 7)), samples);
  }
  const reference = computeReference(samples.toSamples(), 10);
  // A/A: the same second worker, recording nothing, to show what two workers differ by.
  const telemetry = aa ? {} : { telemetry: { model: name, version: '1.0.0', reference } };
  const tracked = await on.loadBytes(bytes.slice(0), { name, backend: 'wasm', ...telemetry });
  const feeds = () => makeFeeds(specs);
  models.set(name, { off: plain, on: tracked, feeds, features: reference.features.length });
  return { features: reference.features.length };
}

async function block(name, variant, count) {
  const entry = models.get(name);
  const model = entry[variant];
  const times = new Array(count);
  for (let i = 0; i < count; i++) {
    const feeds = entry.feeds();
    const start = performance.now();
    await model.run(feeds);
    times[i] = performance.now() - start;
  }
  return times;
}

/** What the recording worker aggregated: proof that "on" did its work. */
async function recorded() {
  const window = await on.drainTelemetry();
  return window.points.map((p) => ({ metric: p.metric, feature: p.attributes['outpost.drift.feature'], count: p.count }));
}

window.bench = { init, setup, block, recorded };
window.benchReady = true;
