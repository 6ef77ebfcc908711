import { afterEach, describe, expect, it } from 'vitest';
import { encodeInputSamples } from '../../../src/telemetry/otlp-logs.js';
import type { InputSample } from '../../../src/telemetry/input-samples.js';
import { JSON_HEADERS, testApp } from './otlp.js';

// The device's sampled-input logs (src/telemetry/otlp-logs.ts) as the collector stores
// them: a record whose raw inputs are within the device's default cap (8 KiB) is kept
// whole, so its exact input values can be read back from the store.

type TestApp = Awaited<ReturnType<typeof testApp>>;
let current: TestApp | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
}

/** A Silero VAD run's inputs: 512 + 256 float32 and one int64, 3,080 bytes. */
function vadSample(): InputSample {
  const input = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i) / 3);
  const state = Float32Array.from({ length: 256 }, (_, i) => i * 1e-3);
  return {
    time: Date.now(),
    model: 'vad',
    version: '1.0.0',
    backend: 'wasm',
    inputs: {
      input: { type: 'float32', dims: [1, 512], bytes: bytesOf(input) },
      sr: { type: 'int64', dims: [1], bytes: bytesOf(new BigInt64Array([16000n])) },
      state: { type: 'float32', dims: [2, 1, 128], bytes: bytesOf(state) },
    },
  };
}

describe('sampled inputs in the collector', () => {
  it('stores a device record whole: model, version and the exact input bytes read back', async () => {
    current = await testApp();
    const sample = vadSample();
    const [body, ...more] = encodeInputSamples([sample], { 'service.name': 'app.example' });
    expect(more).toHaveLength(0);
    const res = await current.app.inject({ method: 'POST', url: '/v1/logs', headers: { ...JSON_HEADERS, 'idempotency-key': 'sample-1' }, payload: body! });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({});
    const records = await current.store.records({}, 10);
    expect(records).toHaveLength(1);
    const [record] = records;
    expect(record).toMatchObject({ model: 'vad', version: '1.0.0', severity: 'INFO' });
    expect(record!.attributes).toMatchObject({ 'event.name': 'outpost.input.sample', 'outpost.backend': 'wasm' });
    // The body is the record's kvlist as JSON text: input name → that input's kvlist as JSON text.
    const inputs = JSON.parse(JSON.parse(record!.body)) as Record<string, string>;
    expect(Object.keys(inputs).sort()).toEqual(['input', 'sr', 'state']);
    for (const [name, tensor] of Object.entries(sample.inputs)) {
      const stored = JSON.parse(inputs[name]!) as { type: string; dims: string; data: string };
      expect(stored.type).toBe(tensor.type);
      expect(JSON.parse(stored.dims).map(Number)).toEqual(tensor.dims);
      expect(new Uint8Array(Buffer.from(stored.data, 'base64'))).toEqual(tensor.bytes);
    }
    // A repeat under the same key is stored once.
    await current.app.inject({ method: 'POST', url: '/v1/logs', headers: { ...JSON_HEADERS, 'idempotency-key': 'sample-1' }, payload: body! });
    expect(await current.store.records({}, 10)).toHaveLength(1);
  });

  it('accepts a record up to the largest cap a manifest may set (256 KiB raw) and cuts its stored body to the limit', async () => {
    current = await testApp();
    const big = new Uint8Array(256 * 1024).fill(7);
    const sample: InputSample = { ...vadSample(), inputs: { x: { type: 'uint8', dims: [big.length], bytes: big } } };
    const [body] = encodeInputSamples([sample], {});
    const res = await current.app.inject({ method: 'POST', url: '/v1/logs', headers: JSON_HEADERS, payload: body! });
    expect(res.statusCode).toBe(200);
    const [record] = await current.store.records({}, 10);
    // Cut near the 16 KiB default (the cut text is JSON-escaped once more).
    expect(record!.body.length).toBeLessThan(17_000);
  });
});
