// `npm run test:engines`: the cross-engine scenarios in Chromium, Firefox and WebKit,
// against the built package (run `npm run build:lib` and `npm run models` first).
// OUTPOST_ENGINES=firefox,webkit picks engines; OUTPOST_ENGINE_REPORT=file.json writes
// the measured features of each engine (the README's engine table).
import { writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEMO_DIR, ensureDemoRegistry } from '../../scripts/demo-registry.js';
import { startStaticServer } from '../../scripts/static-server.js';
import { startOtlpReceiver, type OtlpReceiver } from '../browser/support/otlp-receiver.js';
import { buildRegistry, type RegistryFixture } from '../browser/support/registry-fixture.js';
import { startRegistryServer, type RegistryServer } from '../browser/support/registry-server.js';
import { ENGINES, launchEngine, type EngineDriver, type EngineName } from './drivers/index.js';
import { serveCollector, type RunningCollector } from '../../src/collector/server.js';
import { openSqliteStore } from '../../src/collector/store/sqlite.js';
import { histogramPoint, metricsRequest } from '../unit/collector/otlp.js';
import { CHUNK, delivery, execution, expectDashboardRenders, expectNoPageErrors, measureFeatures, telemetry, VAD, type Context } from './scenarios.js';

const chosen = (process.env.OUTPOST_ENGINES?.split(',') ?? ENGINES) as EngineName[];
const report: Record<string, unknown> = {};

let fx: RegistryFixture;
let demoServer: Server | undefined;
// Absolute: Vite resolves a relative outDir against demo/, the server against the checkout.
const DEMO_SITE = resolve('.cache', 'engines-demo-site');
let server: RegistryServer;
let collector: RunningCollector | undefined;

before(async () => {
  fx = await buildRegistry({
    chunkSize: CHUNK,
    models: [
      { name: 'vad', version: '1.0.0', file: VAD },
      { name: 'vad', version: '1.1.0', file: VAD, release: false },
      { name: 'vad', version: '1.2.0', file: VAD, release: false },
      { name: 'tiny', version: '1.0.0', file: 'models/tiny_affine.onnx' },
      { name: 'tiny-sampled', version: '1.0.0', file: 'models/tiny_affine.onnx', flags: ['--sample-inputs', '1'] },
    ],
  });
  server = await startRegistryServer(fx.dir);
  // A collector holding a few runs and loads, for the dashboard scenario.
  collector = await serveCollector({ port: 0, store: openSqliteStore({ file: ':memory:' }), processMetrics: false, retentionIntervalMs: 0 });
  const loadPoint = (phase: string) => histogramPoint({ bounds: [10, 100], buckets: [1, 1, 0], sum: 60, extra: [{ key: 'outpost.load.phase', value: { stringValue: phase } }, { key: 'outpost.load.cache', value: { stringValue: 'miss' } }] });
  for (const body of [metricsRequest([histogramPoint({ bounds: [5, 10], buckets: [3, 4, 1] })]), metricsRequest([loadPoint('metadata'), loadPoint('compile')], 'outpost.load.duration')]) {
    const answer = await fetch(`${collector.url}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (answer.status !== 200) throw new Error(`collector refused the seed data: ${answer.status}`);
  }
  await ensureDemoRegistry();
  // The demo page as `npm start` serves it: its Vite build, the registry and dist/.
  const { build } = await import('vite');
  await build({ configFile: join('demo', 'vite.config.ts'), build: { outDir: DEMO_SITE } });
  demoServer = await startStaticServer({
    root: DEMO_SITE,
    port: 0,
    mounts: [
      { prefix: '/demo/registry/', dir: DEMO_DIR },
      { prefix: '/demo/', dir: DEMO_SITE },
      { prefix: '/dist/', dir: 'dist' },
    ],
    intercept(req, res) {
      if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/demo/config.json') return false;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return true;
    },
  });
});

after(async () => {
  await server?.close();
  await collector?.close();
  demoServer?.closeAllConnections();
  demoServer?.close();
  if (process.env.OUTPOST_ENGINE_REPORT) await writeFile(process.env.OUTPOST_ENGINE_REPORT, `${JSON.stringify(report, null, 2)}\n`);
});

for (const name of chosen) {
  describe(name, { concurrency: false, timeout: 900_000 }, () => {
    let driver: EngineDriver;
    let ctx: Context;
    before(async () => {
      driver = await launchEngine(name);
    });
    after(async () => {
      await driver?.close();
    });

    for (const [group, scenarios] of [['delivery', delivery], ['execution', execution], ['telemetry', telemetry]] as const) {
      describe(group, { concurrency: false }, () => {
        before(async () => {
          server.reset();
          ctx = { page: await driver.newPage(), fx, server };
        });
        after(async () => {
          await ctx?.page.close();
        });
        for (const [title, scenario] of Object.entries(scenarios)) {
          test(title, async () => {
            // Each telemetry scenario gets a receiver of its own: counts start at zero.
            let receiver: OtlpReceiver | undefined;
            if (group === 'telemetry') ctx.receiver = receiver = await startOtlpReceiver();
            try {
              await scenario(ctx);
            } finally {
              server.reset();
              await receiver?.close();
            }
            const errors = await ctx.page.errors();
            if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
          });
        }
      });
    }

    test('features measured', async () => {
      const page = await driver.newPage();
      try {
        report[name] = { version: await driver.version(), ...(await measureFeatures({ page, fx, server })) };
        console.log(`${name}: ${JSON.stringify(report[name])}`);
      } finally {
        await page.close();
      }
    });

    test('the operator dashboard renders its charts', async () => {
      const page = await driver.newPage();
      try {
        await expectDashboardRenders(page, collector!.url);
      } finally {
        await page.close();
      }
    });

    test('the demo page renders without page errors', async () => {
      const page = await driver.newPage();
      try {
        const origin = `http://127.0.0.1:${(demoServer!.address() as AddressInfo).port}`;
        await expectNoPageErrors({ page, fx, server: { ...server, origin } }, '/demo/');
      } finally {
        await page.close();
      }
    });
  });
}
