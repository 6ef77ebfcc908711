import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import { buildRegistry, type RegistryFixture } from './support/registry-fixture.js';
import { startRegistryServer, type RegistryServer } from './support/registry-server.js';
import { resign, signer } from './support/resign.js';
import { cacheList, expectLoaded, load, openRuntimePage } from './support/delivery.js';
import { randomFloat32, toWire } from './support/tensors.js';

// Live release control: a page keeps a model loaded while the operator revokes or
// releases versions; the runtime's index refresh (a short interval here) must reach it.

const VAD = 'models/silero_vad_v5.onnx';
const CHUNK = 256 * 1024;
const INTERVAL = 1500;

interface RecordedEvent {
  type: 'update' | 'revoked' | 'refresh';
  detail: any;
  at: number;
}

let fx: RegistryFixture;
let server: RegistryServer;

test.describe.configure({ mode: 'serial' });

// A fresh registry per test: the tests revoke and release in it.
test.beforeEach(async () => {
  fx = await buildRegistry({
    chunkSize: CHUNK,
    models: [
      { name: 'vad', version: '1.0.0', file: VAD },
      { name: 'vad', version: '1.1.0', file: VAD, release: false },
    ],
  });
  server = await startRegistryServer(fx.dir);
});

test.afterEach(async () => {
  await server?.close();
});

const feeds = {
  input: toWire(randomFloat32([1, 512], 1)),
  state: toWire(randomFloat32([2, 1, 128], 2, 0)),
  sr: { type: 'int64' as const, dims: [], base64: Buffer.from(BigInt64Array.of(16000n).buffer).toString('base64') },
};
const key = (name: string) => join(fx.keysDir, `${name}.private.json`);

/** A runtime with a short refresh interval, vad@1.0.0 loaded and kept open as `m`, events recorded. */
async function openWithModel(page: Page, refreshInterval = INTERVAL): Promise<void> {
  await openRuntimePage(page, server, fx.rootText, { refreshInterval });
  await expectLoaded(await load(page, 'vad', {}, 'm'), '1.0.0');
  await page.evaluate(() => (window as any).harness.listen('r'));
  server.reset();
}

const events = (page: Page): Promise<RecordedEvent[]> => page.evaluate(() => (window as any).harness.events.r);
const run = (page: Page) => page.evaluate((f) => (window as any).harness.runOpen('m', f), feeds);

async function waitForEvent(page: Page, predicate: string, timeout = 20 * INTERVAL): Promise<RecordedEvent> {
  const handle = await page.waitForFunction((p) => (window as any).harness.events.r.find(new Function('e', `return ${p}`)), predicate, { timeout });
  return (await handle.jsonValue()) as RecordedEvent;
}

/** Waits until `count` more checks of the index have finished. */
async function refreshes(page: Page, count: number): Promise<RecordedEvent[]> {
  const before = (await events(page)).filter((e) => e.type === 'refresh').length;
  await page.waitForFunction(
    ([n]) => (window as any).harness.events.r.filter((e: RecordedEvent) => e.type === 'refresh').length >= n,
    [before + count] as const,
    { timeout: 20 * INTERVAL * count },
  );
  return (await events(page)).filter((e) => e.type === 'refresh').slice(before);
}

test('revoking a running version fires revoked at the next check; its runs then reject with VERSION_REVOKED and it leaves the cache', async ({ page }) => {
  await openWithModel(page);
  // Runs back to back, as an app's inference loop would, until one is refused.
  await page.evaluate((f) => {
    const h = (window as any).harness;
    h.loop = { results: [] as any[], stop: false };
    void (async () => {
      while (!h.loop.stop) {
        const result = await h.runOpen('m', f);
        h.loop.results.push(result.ok ? 'ok' : result.error.code);
        if (h.loop.results.length > 20 && !result.ok) h.loop.stop = true;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
  }, feeds);
  await page.waitForFunction(() => (window as any).harness.loop.results.includes('ok'));
  const revokedAt = await page.evaluate(() => performance.now());
  await fx.cli('revoke', fx.dir, '--name', 'vad', '--version', '1.0.0', '--key', key('targets1'));

  const revoked = await waitForEvent(page, "e.type === 'revoked'");
  expect(revoked.detail).toEqual({ name: 'vad', version: '1.0.0' });
  // The first check after the revocation found it: it reached the page within one interval.
  const checksBetween = (await events(page)).filter((e) => e.type === 'refresh' && e.at > revokedAt && e.at < revoked.at);
  expect(checksBetween).toHaveLength(0);
  console.log(`revocation reached the page ${(revoked.at - revokedAt).toFixed(0)} ms after it was signed (interval ${INTERVAL} ms ±10 %)`);

  await page.waitForFunction(() => (window as any).harness.loop.stop === true, undefined, { timeout: 30_000 });
  const results: string[] = await page.evaluate(() => (window as any).harness.loop.results);
  const firstRefused = results.findIndex((r) => r !== 'ok');
  expect(firstRefused).toBeGreaterThan(0);
  // Once refused, always refused: no run slips through after the revocation.
  expect(new Set(results.slice(firstRefused))).toEqual(new Set(['VERSION_REVOKED']));
  const after = await run(page);
  expect(after.ok).toBe(false);
  expect(after.error.code).toBe('VERSION_REVOKED');
  expect((await cacheList(page)).map((e) => e.version)).not.toContain('1.0.0');
});

test('releasing a new version fires update with it; the app swaps without a gap', async ({ page }) => {
  await openWithModel(page);
  await fx.cli('release', fx.dir, '--name', 'vad', '--version', '1.1.0', '--key', key('targets1'));
  const update = await waitForEvent(page, "e.type === 'update'");
  expect(update.detail).toEqual({ name: 'vad', version: '1.1.0', channel: 'stable' });

  // The pattern the README gives: load the new one, switch, dispose the old.
  await expectLoaded(await load(page, 'vad', { version: update.detail.version }, 'next'), '1.1.0');
  expect((await run(page)).ok).toBe(true);
  await page.evaluate(async () => {
    const h = (window as any).harness;
    await h.disposeOpen('m');
  });
  const next = await page.evaluate((f) => (window as any).harness.runOpen('next', f), feeds);
  expect(next.ok, JSON.stringify(next.error)).toBe(true);
  // Announced once, not at every later check.
  await refreshes(page, 2);
  expect((await events(page)).filter((e) => e.type === 'update')).toHaveLength(1);
});

test('an unchanged index costs a 304 per check', async ({ page }) => {
  await openWithModel(page);
  const checks = await refreshes(page, 3);
  expect(checks.map((e) => e.detail.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  const indexRequests = server.requests.filter((r) => r.path === 'index.json');
  expect(indexRequests.length).toBeGreaterThanOrEqual(3);
  for (const request of indexRequests) {
    expect(request.ifNoneMatch).toBeTruthy();
    expect(request.status).toBe(304);
  }
  expect(server.sent.get('index.json') ?? 0).toBe(0);
  const indexBytes = (await fx.read('index.json')).byteLength;
  const ms = checks.map((e) => e.detail.durationMs as number).sort((a, b) => a - b);
  console.log(`refresh cost: unchanged index = one 304 (0 body bytes; a changed index is ${indexBytes} bytes), check wall time median ${ms[1]!.toFixed(2)} ms`);
  // Besides the index, each check walks the root: a 404 for the next root version, no body.
  expect(server.requests.every((r) => r.path === 'index.json' || (r.path === 'roots/2.root.json' && r.status === 404))).toBe(true);
  expect(server.sent.get('roots/2.root.json') ?? 0).toBe(0);
});

test('a forged or rolled-back index during a refresh changes nothing and is reported', async ({ page }) => {
  await openWithModel(page);
  await fx.cli('keygen', '--out', fx.keysDir, '--name', 'mallory');
  const revokeAll = (index: any) => {
    index.models.vad.revoked.push('1.0.0');
  };
  const forged = await resign(await fx.read('index.json'), (index) => {
    index.version += 1;
    revokeAll(index);
  }, [await signer(key('mallory'))]);
  server.faults.overrides.set('index.json', forged);
  const [forgedCheck] = await refreshes(page, 1);
  expect(forgedCheck!.detail).toMatchObject({ status: 'failed', code: 'SIGNATURE_INVALID', failures: 1 });

  // A genuinely signed but older index (a replayed one), that would revoke the running version.
  await fx.cli('resign', fx.dir, '--key', key('targets1'));
  server.faults.overrides.clear();
  const [fresh] = await refreshes(page, 1);
  expect(fresh!.detail.status).toBe('changed');
  const older = await resign(await fx.read('index.json'), (index) => {
    index.version -= 1;
    revokeAll(index);
  }, [await signer(key('targets1'))]);
  server.faults.overrides.set('index.json', older);
  const [rolledBack] = await refreshes(page, 1);
  expect(rolledBack!.detail).toMatchObject({ status: 'failed', code: 'ROLLBACK_DETECTED', failures: 2 });

  expect((await events(page)).filter((e) => e.type === 'revoked' || e.type === 'update')).toEqual([]);
  const result = await run(page);
  expect(result.ok, JSON.stringify(result.error)).toBe(true);
  expect((await cacheList(page)).map((e) => e.version)).toContain('1.0.0');
});

test('offline during refresh: models keep running, failures are counted, the next check recovers', async ({ page }) => {
  await openWithModel(page);
  server.faults.offline = true;
  const failed = await refreshes(page, 2);
  expect(failed.map((e) => e.detail.status)).toEqual(['failed', 'failed']);
  expect(failed.map((e) => e.detail.code)).toEqual(['DOWNLOAD_FAILED', 'DOWNLOAD_FAILED']);
  expect(failed[1]!.detail.failures).toBe(2);
  const result = await run(page);
  expect(result.ok, JSON.stringify(result.error)).toBe(true);

  server.faults.offline = false;
  const [recovered] = await refreshes(page, 1);
  expect(recovered!.detail.status).toBe('unchanged');
});

test('no checks while the page is hidden (one at once when visible again) nor while no model is loaded', async ({ page }) => {
  await openWithModel(page);
  await page.evaluate(() => {
    (window as any).harness.hidden = true;
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => (window as any).harness.hidden });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await page.waitForTimeout(3 * INTERVAL);
  const hiddenChecks = (await events(page)).filter((e) => e.type === 'refresh').length;
  const requestsWhileHidden = server.requests.filter((r) => r.path === 'index.json').length;
  await page.waitForTimeout(2 * INTERVAL);
  // At most the check already in flight when the page was hidden.
  expect(server.requests.filter((r) => r.path === 'index.json').length).toBe(requestsWhileHidden);
  expect((await events(page)).filter((e) => e.type === 'refresh').length).toBe(hiddenChecks);

  const shownAt = await page.evaluate(() => {
    (window as any).harness.hidden = false;
    document.dispatchEvent(new Event('visibilitychange'));
    return performance.now();
  });
  const [due] = await refreshes(page, 1);
  expect(due!.at).toBeGreaterThan(shownAt);

  await page.evaluate(() => (window as any).harness.disposeOpen('m'));
  const settled = server.requests.filter((r) => r.path === 'index.json').length;
  await page.waitForTimeout(3 * INTERVAL);
  expect(server.requests.filter((r) => r.path === 'index.json').length).toBe(settled);
});
