// The floor for any worker design: onnxruntime-web's WASM-only build (the build outpost
// runs 'wasm' sessions on) in a bare worker, fed through shared memory at fixed offsets
// and woken with Atomics — no validation, no codec, no queue, no error handling. Like
// outpost's channel it spins up to SPIN_MS for the next call before it sleeps.
import * as ort from '/node_modules/onnxruntime-web/dist/ort.wasm.min.mjs';

ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
ort.env.logLevel = 'error';

const SPIN_MS = 0.25;
const ARRAYS = { float32: Float32Array, int64: BigInt64Array, int32: Int32Array, uint8: Uint8Array };
const view = (sab, { type, offset, length }) => new ARRAYS[type](sab, offset, length);

onmessage = async ({ data: { bytes, sab, inputs } }) => {
  const session = await ort.InferenceSession.create(new Uint8Array(bytes), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const head = new Int32Array(sab, 0, 2);
  const feeds = () => Object.fromEntries(inputs.map((input) => [input.name, new ort.Tensor(input.type, view(sab, input).slice(), input.dims)]));
  // One run tells where the outputs go: packed after the inputs, 8-byte aligned.
  const first = await session.run(feeds());
  let offset = inputs.reduce((end, input) => Math.max(end, input.offset + input.length * ARRAYS[input.type].BYTES_PER_ELEMENT), 0);
  const outputs = Object.entries(first).map(([name, tensor]) => {
    offset = (offset + 7) & ~7;
    const slot = { name, type: tensor.type, dims: [...tensor.dims], offset, length: tensor.data.length };
    offset += tensor.data.byteLength;
    return slot;
  });
  postMessage({ outputs, bytesNeeded: offset });
  let seen = 0;
  for (;;) {
    const end = performance.now() + SPIN_MS;
    while (Atomics.load(head, 0) === seen && performance.now() < end);
    Atomics.wait(head, 0, seen);
    seen = Atomics.load(head, 0);
    const results = await session.run(feeds());
    for (const slot of outputs) view(sab, slot).set(results[slot.name].data);
    Atomics.store(head, 1, seen);
    Atomics.notify(head, 1);
  }
};
