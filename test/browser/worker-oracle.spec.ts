import { expect, test } from '@playwright/test';
import { oracleRun } from './support/oracle.js';
import { openHarness } from './support/page.js';
import { fromWire, maxAbsDiff, randomFloat32, toWire, type NodeTensor, type WireTensor } from './support/tensors.js';

// Runs real models in the engine worker (built package, bytes in, no URLs) and compares
// every output with onnxruntime-node on the same feeds.

interface RunResult {
  ok: boolean;
  info?: { backend: string; inputs: unknown[]; outputs: unknown[] };
  results?: Array<Record<string, WireTensor>>;
  error?: { name: string; code?: string; message: string };
}

function vadFeeds(seed: number): Record<string, NodeTensor> {
  return {
    input: randomFloat32([1, 512], seed, 0.5),
    state: randomFloat32([2, 1, 128], seed + 1, 0.1),
    sr: { type: 'int64', dims: [], data: BigInt64Array.of(16000n) },
  };
}

function detFeeds(seed: number): Record<string, NodeTensor> {
  return { x: randomFloat32([1, 3, 320, 320], seed, 2) };
}

const CASES = [
  { model: 'silero_vad_v5.onnx', feeds: [vadFeeds(1), vadFeeds(7), vadFeeds(42)], tolerance: { wasm: 1e-4, webgpu: 1e-4 } },
  // The detection map is a sigmoid probability per pixel; seen here: ~2e-7 on both
  // backends, so the same 1e-4 bound holds for det as for VAD.
  { model: 'ppocr_det.onnx', feeds: [detFeeds(3)], tolerance: { wasm: 1e-4, webgpu: 1e-4 } },
] as const;

test.describe('engine worker vs onnxruntime-node', () => {
  test('the test page is cross-origin isolated (WASM threads available)', async ({ page }) => {
    await openHarness(page);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const env = await page.evaluate(async () => {
      const engine = (window as any).harness.internal.openBytesEngine();
      try {
        return await engine.environment();
      } finally {
        engine.close();
      }
    });
    expect(env.crossOriginIsolated).toBe(true);
    expect(env.webgpu.available).toBe(true);
    expect(env.webgpu.software).toBe(true);
    expect(env.simd).toBe(true);
    expect(env.threads).toBe(true);
  });

  for (const backend of ['wasm', 'webgpu'] as const) {
    for (const testCase of CASES) {
      test(`${testCase.model} on ${backend} matches the oracle`, async ({ page }) => {
        test.setTimeout(240_000);
        await openHarness(page);
        const expected = await oracleRun(`models/${testCase.model}`, [...testCase.feeds]);
        const wireFeeds = testCase.feeds.map((feeds) => Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, toWire(v)])));
        const result: RunResult = await page.evaluate(
          ([url, b, feeds]) => (window as any).harness.runModel(url, b, feeds),
          [`/models/${testCase.model}`, backend, wireFeeds] as const,
        );
        expect(result.error, JSON.stringify(result.error)).toBeUndefined();
        expect(result.info?.backend).toBe(backend);
        const tolerance = testCase.tolerance[backend];
        expected.forEach((outputs, i) => {
          const actual = result.results?.[i] ?? {};
          expect(Object.keys(actual).sort()).toEqual(Object.keys(outputs).sort());
          for (const [name, want] of Object.entries(outputs)) {
            const got = fromWire(actual[name]!);
            expect(got.dims, `${name} dims`).toEqual(want.dims);
            const diff = maxAbsDiff(got, want);
            console.log(`${testCase.model} ${backend} run ${i} ${name}: max abs diff ${diff.toExponential(2)}`);
            expect(diff, `${name} max abs diff`).toBeLessThanOrEqual(tolerance);
          }
        });
      });
    }
  }
});
