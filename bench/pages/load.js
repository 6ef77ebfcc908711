// The load benchmark's page: every variant runs here, against the same origin, and
// returns milliseconds to bench/load.ts, which interleaves them and does the statistics.
// Imports the BUILT package, as an app without a bundler would.
import { createRuntime } from '/dist/index.js';
import { openBytesEngine } from '/dist/internal.js';

const REGISTRY_URL = '/registry/';
/** Model bytes held in memory for variant (d); filled by prepare(). */
const held = new Map();

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.arrayBuffer();
}

function environment() {
  return {
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    crossOriginIsolated: globalThis.crossOriginIsolated,
  };
}

/** Fetches every model once, so (d) starts from bytes already in memory. */
async function prepare(models) {
  for (const { name, url } of models) held.set(name, await fetchBytes(url));
  return [...held].map(([name, bytes]) => ({ name, bytes: bytes.byteLength }));
}

/**
 * Times `work`, which calls `created()` when the bytes are ready and the model starts
 * to be created; then disposes the model and closes `owner`, untimed.
 * Returns { total, create }: create is from that mark to the model, worker start included.
 */
async function timed(work, owner) {
  const start = performance.now();
  let mark;
  let model;
  /** ms from start to the end of each metadata step (root, index, manifest), for loads through the runtime. */
  const steps = {};
  try {
    model = await work(
      () => {
        mark ??= performance.now();
      },
      (step) => {
        steps[step] ??= performance.now() - start;
      },
    );
    const end = performance.now();
    return { total: end - start, create: end - (mark ?? start), steps };
  } finally {
    await model?.dispose();
    await owner.close();
  }
}

/**
 * One variant, once. Every variant starts from a fresh engine or runtime, so each one
 * pays the same worker start (spawn, module load, onnxruntime's .wasm compile) inside
 * its time, as a page's first load does.
 */
async function variant(kind, { name, url, dbName, rootText }) {
  await settle();
  if (kind === 'fetch') {
    const engine = openBytesEngine();
    return timed(async (created) => {
      const bytes = await fetchBytes(url);
      created();
      return engine.loadBytes(bytes, { name, backend: 'wasm' });
    }, engine);
  }
  if (kind === 'memory') {
    // loadBytes transfers (detaches) its buffer: copy outside the timed part.
    const bytes = held.get(name).slice(0);
    const engine = openBytesEngine();
    return timed((created) => {
      created();
      return engine.loadBytes(bytes, { name, backend: 'wasm' });
    }, engine);
  }
  if (kind === 'cold' || kind === 'warm') {
    const runtime = createRuntime({ registryUrl: REGISTRY_URL, trustedRoot: rootText, backend: 'wasm', storage: { dbName } });
    return timed(
      (created, step) =>
        runtime.load(name, {
          backend: 'wasm',
          onProgress: (p) => {
            if (p.phase === 'metadata' && p.loaded > 0) step(['root', 'index', 'manifest'][p.loaded - 1]);
            // The first 'compile' event comes once the bytes are verified, just before the session is created.
            if (p.phase === 'compile') created();
          },
        }),
      runtime,
    );
  }
  throw new Error(`unknown variant ${kind}`);
}

/**
 * Before every timed variant: collect garbage and give the browser a moment to finish
 * what the previous one left running (IndexedDB flushes, a terminated worker's teardown).
 */
async function settle() {
  globalThis.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 500));
}

function dropDatabase(dbName) {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(dbName);
    request.onsuccess = () => resolve(true);
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error(`deleting ${dbName} is blocked: a connection is still open`));
  });
}

/**
 * WebCrypto SHA-256 over the model's chunks, as the loader verifies them: one after
 * another (while downloading) and all at once (cached chunks on a warm load). MB/s, 1 MB = 10^6 bytes.
 */
async function digest(name, chunkSize, repeats) {
  const bytes = new Uint8Array(held.get(name));
  const chunks = [];
  for (let start = 0; start < bytes.byteLength; start += chunkSize) {
    chunks.push(bytes.subarray(start, Math.min(start + chunkSize, bytes.byteLength)));
  }
  const rate = (ms) => bytes.byteLength / 1e6 / (ms / 1000);
  const sequential = [];
  const parallel = [];
  await settle();
  await crypto.subtle.digest('SHA-256', chunks[0]);
  for (let r = 0; r < repeats; r++) {
    let start = performance.now();
    for (const chunk of chunks) await crypto.subtle.digest('SHA-256', chunk);
    sequential.push(rate(performance.now() - start));
    start = performance.now();
    await Promise.all(chunks.map((chunk) => crypto.subtle.digest('SHA-256', chunk)));
    parallel.push(rate(performance.now() - start));
  }
  return { chunks: chunks.length, bytes: bytes.byteLength, sequential, parallel };
}

window.bench = { environment, prepare, variant, dropDatabase, digest };
window.benchReady = true;
