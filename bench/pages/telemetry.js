// Telemetry overhead: the same model loaded twice, one session recording latency and
// binning every drift feature into a reference made here, one not. Both sessions live in
// one worker by default, so the two differ only by what recording costs; `twoWorkers`
// puts each in its own worker (what an A/A check then shows is the worker-to-worker spread).
import { openBytesEngine, FeatureSamples, runFeatures, computeReference, DriftBinner, SnapshotArena, Aggregator } from '/dist/internal.js';

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

let latencyOnly = false;

function init({ twoWorkers = false, latencyOnly: noDrift = false } = {}) {
  latencyOnly = noDrift;
  off = openBytesEngine();
  on = twoWorkers ? openBytesEngine() : off;
  return true;
}

/** Loads the model untracked and tracked; the tracked one gets a reference of every feature. */
async function setup({ name, url, feeds: specs, aa = false }) {
  const bytes = await (await fetch(url)).arrayBuffer();
  const plain = await off.loadBytes(bytes.slice(0), { name, backend: 'wasm' });
  const samples = new FeatureSamples();
  const runs = [];
  for (let i = 0; i < 8; i++) {
    const feeds = makeFeeds(specs, i * 7);
    const outputs = await plain.run(makeFeeds(specs, i * 7));
    runFeatures(feeds, outputs, samples);
    runs.push({ feeds, outputs });
  }
  const reference = computeReference(samples.toSamples(), 10);
  // A/A: the same second worker, recording nothing, to show what two workers differ by.
  const telemetry = aa ? {} : { telemetry: { model: name, version: '1.0.0', ...(latencyOnly ? {} : { reference }) } };
  const tracked = await on.loadBytes(bytes.slice(0), { name, backend: 'wasm', ...telemetry });
  const feeds = () => makeFeeds(specs);
  models.set(name, { off: plain, on: tracked, feeds, features: reference.features.length, reference, runs });
  return { features: reference.features.length };
}

/** `count` calls back to back: each call's time, and the block's whole time (one timer read per end, so the timer's step does not limit it). */
async function block(name, variant, count) {
  const entry = models.get(name);
  const model = entry[variant];
  const all = Array.from({ length: count }, () => entry.feeds());
  const times = new Array(count);
  const first = performance.now();
  let start = first;
  for (let i = 0; i < count; i++) {
    await model.run(all[i]);
    const end = performance.now();
    times[i] = end - start;
    start = end;
  }
  return { times, total: start - first };
}

/**
 * What the worker's drift work costs per run, timed here on the page with the same code
 * (the copy made on the reply path, and the binning that waits for an idle moment), over
 * `rounds` batches of `batch` runs after 10 discarded ones: the median µs per run of each.
 * Calls sent back to back leave 32 runs waiting at most; a call that takes longer than
 * the worker's hot wait (2 ms) is binned before the next, so its batch is 1.
 */
function driftCost(name, rounds, batch) {
  const { reference, runs } = models.get(name);
  const binner = new DriftBinner(new Aggregator(), reference, name, '1.0.0');
  const arena = new SnapshotArena();
  const copy = [];
  const bin = [];
  for (let r = 0; r < rounds + 10; r++) {
    const snapshots = new Array(batch);
    let start = performance.now();
    for (let i = 0; i < batch; i++) {
      const run = runs[i % runs.length];
      snapshots[i] = binner.snapshot(run.feeds, run.outputs, arena);
    }
    copy.push(((performance.now() - start) / batch) * 1000);
    start = performance.now();
    for (const snapshot of snapshots) binner.record(snapshot.inputs, snapshot.outputs);
    bin.push(((performance.now() - start) / batch) * 1000);
    arena.reset();
    if (r < 10) copy.length = bin.length = 0;
  }
  const med = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
  return { copyUs: med(copy), binUs: med(bin) };
}

/** What the recording worker aggregated: proof that "on" did its work. */
async function recorded() {
  const window = await on.drainTelemetry();
  return window.points.map((p) => ({ metric: p.metric, feature: p.attributes['outpost.drift.feature'], count: p.count }));
}

window.bench = { init, setup, block, recorded, driftCost };
window.benchReady = true;
