// The large-model benchmark's page: one load per page, kept alive afterwards so the
// driver can read the memory it settles at. Imports the BUILT package.
import { createRuntime } from '/dist/index.js';

const ORT_DIR = '/node_modules/onnxruntime-web/dist/';
/** What a load keeps alive: the model (or session) and its owner. */
let kept;
/** The load's last progress event, and when (ms after its start): the driver's watchdog reads it. */
let latest;

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** onnxruntime-web alone, on this page: fetch the files, create the session (WASM). */
async function ortAlone({ modelUrl, external }) {
  const ort = await import(`${ORT_DIR}ort.wasm.min.mjs`);
  ort.env.wasm.wasmPaths = ORT_DIR;
  const start = performance.now();
  const bytes = await fetchBytes(modelUrl);
  const externalData = [];
  for (const { url, location } of external) externalData.push({ path: location, data: await fetchBytes(url) });
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all', externalData });
  kept = { session };
  return performance.now() - start;
}

/** Outpost's load of the model, from the registry (cold) or its cache (warm). */
async function outpost({ name, rootText, dbName }) {
  const runtime = createRuntime({ registryUrl: '/registry/', trustedRoot: rootText, backend: 'wasm', storage: { dbName }, refreshInterval: 0 });
  const start = performance.now();
  latest = { phase: 'starting', loaded: 0, total: 0, ms: 0 };
  const model = await runtime.load(name, { onProgress: (p) => (latest = { ...p, ms: performance.now() - start }) });
  const ms = performance.now() - start;
  kept = { model, runtime };
  return ms;
}

async function release() {
  await kept?.model?.dispose();
  await kept?.runtime?.close();
  await kept?.session?.release();
  kept = undefined;
  globalThis.gc?.();
}

/** Collects the page's garbage now (the driver then reads what memory is left). */
async function collect() {
  globalThis.gc?.();
  await new Promise((done) => setTimeout(done, 500));
}

/** Where the current load stands, for the driver while it waits. */
function state() {
  return latest;
}

window.bench = { ortAlone, outpost, release, collect, state };
window.benchReady = true;
