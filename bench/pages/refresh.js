// The refresh benchmark's page: one runtime at a time with a model loaded, its index
// checks recorded; bench/refresh.ts measures what those checks cost around it.
// Imports the BUILT package.
import { createRuntime } from '/dist/index.js';

let open;

function environment() {
  return {
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    crossOriginIsolated: globalThis.crossOriginIsolated,
  };
}

/** A fresh runtime (own database) checking every `interval` ms (0 = never), `name` loaded. */
async function start({ name, rootText, interval, dbName }) {
  await stop();
  const runtime = createRuntime({ registryUrl: '/registry/', trustedRoot: rootText, backend: 'wasm', storage: { dbName }, refreshInterval: interval, telemetry: false });
  const checks = [];
  runtime.addEventListener('refresh', (event) => checks.push(event.detail));
  const model = await runtime.load(name);
  open = { runtime, model, checks, dbName };
  return model.version;
}

/** The checks seen since `start`, and forgets them. */
function takeChecks() {
  return open?.checks.splice(0) ?? [];
}

async function stop() {
  if (!open) return;
  const { runtime, model, dbName } = open;
  open = undefined;
  await model.dispose();
  await runtime.close();
  await new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(dbName);
    request.onsuccess = request.onerror = request.onblocked = () => resolve(undefined);
  });
}

window.bench = { environment, start, takeChecks, stop };
window.benchReady = true;
