// Loads the built package exactly as an app without a bundler would, and gives the
// Playwright specs a few helpers to move tensors in and out of the page as base64.
import * as outpost from '/dist/index.js';
import * as internal from '/dist/internal.js';

function decodeTensor({ type, dims, base64 }) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return { type, dims, data: new internal.TYPED_ARRAY_FOR[type](bytes.buffer) };
}

function encodeTensor({ type, dims, data }) {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { type, dims: [...dims], base64: btoa(text) };
}

function encodeError(error) {
  return { name: error?.name, code: error?.code, message: String(error?.message ?? error), details: error?.details };
}

const engines = [];

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.arrayBuffer();
}

/** Loads `modelUrl` from bytes on `backend` and runs each feed set in turn. */
async function runModel(modelUrl, backend, feedSets) {
  const engine = internal.openBytesEngine();
  engines.push(engine);
  try {
    const model = await engine.loadBytes(await fetchBytes(modelUrl), { name: modelUrl, backend });
    const results = [];
    for (const feeds of feedSets) {
      const decoded = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, decodeTensor(v)]));
      const outputs = await model.run(decoded);
      results.push(Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, encodeTensor(v)])));
    }
    const info = { backend: model.backend, inputs: model.inputs, outputs: model.outputs };
    await model.dispose();
    return { ok: true, info, results };
  } catch (error) {
    return { ok: false, error: encodeError(error) };
  } finally {
    engine.close();
  }
}

window.harness = { outpost, internal, decodeTensor, encodeTensor, encodeError, fetchBytes, runModel };
window.harnessReady = true;

// ─── Runtime helpers (signed delivery) ──────────────────────────────────────
const runtimes = new Map();

/** Creates (or replaces) a runtime under `id` from plain options. */
function openRuntime(id, options) {
  runtimes.get(id)?.close();
  const runtime = outpost.createRuntime(options);
  runtimes.set(id, runtime);
  return true;
}

/** runtime.load() with progress recorded; the model stays open under `modelId`. */
const models = new Map();
async function load(id, name, options = {}, modelId) {
  const runtime = runtimes.get(id);
  const phases = [];
  const controller = new AbortController();
  const { abortAfterBytes, ...rest } = options;
  try {
    const model = await runtime.load(name, {
      ...rest,
      signal: controller.signal,
      onProgress: (p) => {
        phases.push(p);
        if (abortAfterBytes !== undefined && p.phase === 'download' && p.loaded >= abortAfterBytes) controller.abort();
      },
    });
    if (modelId) models.set(modelId, model);
    const info = { name: model.name, version: model.version, backend: model.backend, backendInfo: model.backendInfo, cached: model.cached, inputs: model.inputs, outputs: model.outputs };
    if (!modelId) await model.dispose();
    return { ok: true, info, phases };
  } catch (error) {
    return { ok: false, error: encodeError(error), phases };
  }
}

async function runOpen(modelId, feeds) {
  const model = models.get(modelId);
  const decoded = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, decodeTensor(v)]));
  try {
    const outputs = await model.run(decoded);
    return { ok: true, outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, encodeTensor(v)])) };
  } catch (error) {
    return { ok: false, error: encodeError(error) };
  }
}

async function disposeOpen(modelId) {
  await models.get(modelId)?.dispose();
  models.delete(modelId);
}

async function cache(id, method, ...args) {
  try {
    return { ok: true, value: await runtimes.get(id).cache[method](...args) };
  } catch (error) {
    return { ok: false, error: encodeError(error) };
  }
}

async function closeRuntime(id) {
  await runtimes.get(id)?.close();
  runtimes.delete(id);
}

/** Records the runtime's release-control events under `events[id]` as { type, detail, at }. */
const events = {};
function listen(id, types = ['update', 'revoked', 'refresh']) {
  events[id] = [];
  for (const type of types) runtimes.get(id).addEventListener(type, (event) => events[id].push({ type, detail: event.detail, at: performance.now() }));
  return true;
}

Object.assign(window.harness, { openRuntime, load, runOpen, disposeOpen, cache, closeRuntime, listen, events });

// ─── Engine helpers (execution) ─────────────────────────────────────────────
const openEngines = new Map();
const engineModels = new Map();

async function engineLoad(engineId, modelUrl, options) {
  let engine = openEngines.get(engineId);
  if (!engine) {
    engine = internal.openBytesEngine();
    openEngines.set(engineId, engine);
  }
  try {
    const model = await engine.loadBytes(await fetchBytes(modelUrl), { name: 'm', ...options });
    engineModels.set(engineId, model);
    return { ok: true, backend: model.backend, backendInfo: model.backendInfo, inputs: model.inputs };
  } catch (error) {
    return { ok: false, error: encodeError(error) };
  }
}

/** Runs the engine's model on `feeds` (wire tensors); the result settles as data, never throws. */
function engineRun(engineId, feeds, options = {}) {
  const model = engineModels.get(engineId);
  const decoded = feeds === null ? null : Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, v?.base64 !== undefined ? decodeTensor(v) : v]));
  return model.run(decoded, options).then(
    (outputs) => ({ ok: true, backend: model.backend, outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, encodeTensor(v)])) }),
    (error) => ({ ok: false, error: encodeError(error), isOutpostError: outpost.isOutpostError(error) }),
  );
}

Object.assign(window.harness, { openEngines, engineModels, engineLoad, engineRun });
