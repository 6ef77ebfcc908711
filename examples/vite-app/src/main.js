// Loads a signed model from the registry next to the page and runs it once.
import { createRuntime } from 'outpost';
// The registry's root.json, shipped with the app as its trust anchor.
import trustedRoot from './trusted-root.json';

const result = document.querySelector('#result');

async function main() {
  const runtime = createRuntime({ registryUrl: new URL('registry/', location.href), trustedRoot });
  const model = await runtime.load('tiny');
  const { y } = await model.run({ x: { type: 'float32', data: Float32Array.of(1, 2, 3, 4), dims: [1, 4] } });
  result.textContent = JSON.stringify({ ok: true, backend: model.backend, y: Array.from(y.data) });
  await runtime.close();
}

main().catch((error) => {
  result.textContent = JSON.stringify({ ok: false, code: error.code, message: error.message });
});
