import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { buildRegistry, type RegistryFixture } from './support/registry-fixture.js';
import { startRegistryServer, type RegistryServer } from './support/registry-server.js';
import { resign, signer } from './support/resign.js';
import { expectCode, expectLoaded, load, openRuntimePage } from './support/delivery.js';

// The timestamp role (TUF's timestamp) against a hostile registry: a frozen (expired)
// timestamp, a timestamp pinning other index bytes, an old timestamp replayed. A root
// without the role loads exactly as before and never asks for timestamp.json.

const VAD = 'models/silero_vad_v5.onnx';
const CHUNK = 256 * 1024;

test.describe.configure({ mode: 'serial' });

let db = 0;
const nextDb = () => `timestamp-${++db}-${Date.now()}`;

async function registry(timestamp = true): Promise<{ fx: RegistryFixture; server: RegistryServer }> {
  const fx = await buildRegistry({ chunkSize: CHUNK, timestamp, models: [{ name: 'vad', version: '1.0.0', file: VAD }] });
  return { fx, server: await startRegistryServer(fx.dir) };
}

const timestampKey = (fx: RegistryFixture) => signer(join(fx.keysDir, 'timestamp.private.json'));

test('a registry with a timestamp role loads: timestamp.json first, then the index it pins; offline the cached version loads', async ({ page }) => {
  const { fx, server } = await registry();
  try {
    const dbName = nextDb();
    const open = () => openRuntimePage(page, server, fx.rootText, { storage: { dbName }, refreshInterval: 0 });
    await open();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
    const paths = server.requests.map((r) => r.path);
    expect(paths.indexOf('timestamp.json')).toBeGreaterThanOrEqual(0);
    expect(paths.indexOf('timestamp.json')).toBeLessThan(paths.indexOf('index.json'));

    // A fresh timestamp pinning the index already held costs no index request.
    await fx.cli('timestamp', fx.dir, '--key', join(fx.keysDir, 'timestamp.private.json'));
    server.reset();
    await open();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
    expect(server.requests.map((r) => r.path)).toContain('timestamp.json');
    expect(server.requests.map((r) => r.path)).not.toContain('index.json');

    server.reset();
    server.faults.offline = true;
    await open();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
  } finally {
    await server.close();
  }
});

test('an expired timestamp.json freezes updates even though the index it pins is valid and unexpired', async ({ page }) => {
  const { fx, server } = await registry();
  try {
    const frozen = await resign(await fx.read('timestamp.json'), (t) => {
      t.version += 1;
      t.expires = new Date(Date.now() - 60_000).toISOString();
    }, [await timestampKey(fx)]);
    server.faults.overrides.set('timestamp.json', frozen);
    await openRuntimePage(page, server, fx.rootText, { storage: { dbName: nextDb() }, refreshInterval: 0 });
    expectCode(await load(page, 'vad'), 'METADATA_EXPIRED');
  } finally {
    await server.close();
  }
});

test('a timestamp.json pinning other bytes than the index served is refused', async ({ page }) => {
  const { fx, server } = await registry();
  try {
    // The attacker holds the timestamp key but not the targets key: the index is still the operator's.
    const forged = await resign(await fx.read('timestamp.json'), (t) => {
      t.version += 1;
      t.index.sha256 = 'f'.repeat(64);
    }, [await timestampKey(fx)]);
    server.faults.overrides.set('timestamp.json', forged);
    await openRuntimePage(page, server, fx.rootText, { storage: { dbName: nextDb() }, refreshInterval: 0 });
    expectCode(await load(page, 'vad'), 'INTEGRITY_MISMATCH');
    // Signed by a key that is not the timestamp role's (the targets key): refused too.
    const wrongKey = await resign(await fx.read('timestamp.json'), (t) => (t.version += 1), [await signer(join(fx.keysDir, 'targets1.private.json'))]);
    server.faults.overrides.set('timestamp.json', wrongKey);
    await openRuntimePage(page, server, fx.rootText, { storage: { dbName: nextDb() }, refreshInterval: 0 });
    expectCode(await load(page, 'vad'), 'SIGNATURE_INVALID');
  } finally {
    await server.close();
  }
});

test('an old timestamp.json replayed after a newer one was trusted is refused as a rollback', async ({ page }) => {
  const { fx, server } = await registry();
  try {
    const dbName = nextDb();
    const open = () => openRuntimePage(page, server, fx.rootText, { storage: { dbName }, refreshInterval: 0 });
    const old = await fx.read('timestamp.json');
    await fx.cli('timestamp', fx.dir, '--key', join(fx.keysDir, 'timestamp.private.json'));
    await open();
    await expectLoaded(await load(page, 'vad'), '1.0.0');
    server.faults.overrides.set('timestamp.json', old);
    await open();
    expectCode(await load(page, 'vad'), 'ROLLBACK_DETECTED');
  } finally {
    await server.close();
  }
});

test('a registry without the role loads as before and never asks for timestamp.json', async ({ page }) => {
  const { fx, server } = await registry(false);
  try {
    await openRuntimePage(page, server, fx.rootText, { storage: { dbName: nextDb() }, refreshInterval: 0 });
    await expectLoaded(await load(page, 'vad'), '1.0.0');
    expect(server.requests.map((r) => r.path)).not.toContain('timestamp.json');
  } finally {
    await server.close();
  }
});

test('live refresh with a timestamp role: an unchanged timestamp costs a 304, a new one pinning the held index no index request, a revocation still arrives', async ({ page }) => {
  const { fx, server } = await registry();
  try {
    await openRuntimePage(page, server, fx.rootText, { storage: { dbName: nextDb() }, refreshInterval: 1500 });
    await expectLoaded(await load(page, 'vad', {}, 'm'), '1.0.0');
    await page.evaluate(() => (window as any).harness.listen('r'));
    const refreshes = async (count: number) => {
      const seen = () => page.evaluate(() => (window as any).harness.events.r.filter((e: any) => e.type === 'refresh'));
      const before = (await seen()).length;
      await page.waitForFunction((n) => (window as any).harness.events.r.filter((e: any) => e.type === 'refresh').length >= n, before + count, { timeout: 60_000 });
      return (await seen()).slice(before).map((e: any) => e.detail.status);
    };
    await refreshes(1);
    server.reset();
    expect(await refreshes(2)).toEqual(['unchanged', 'unchanged']);
    const stamps = server.requests.filter((r) => r.path === 'timestamp.json');
    expect(stamps.length).toBeGreaterThanOrEqual(2);
    expect(stamps.every((r) => r.ifNoneMatch !== undefined && r.status === 304)).toBe(true);
    expect(server.requests.some((r) => r.path === 'index.json')).toBe(false);

    await fx.cli('timestamp', fx.dir, '--key', join(fx.keysDir, 'timestamp.private.json'));
    server.reset();
    expect(await refreshes(2)).toEqual(['unchanged', 'unchanged']);
    expect(server.requests.some((r) => r.path === 'timestamp.json' && r.status === 200)).toBe(true);
    expect(server.requests.some((r) => r.path === 'index.json')).toBe(false);

    await fx.cli('revoke', fx.dir, '--name', 'vad', '--version', '1.0.0',
      '--key', join(fx.keysDir, 'targets1.private.json'), '--key', join(fx.keysDir, 'timestamp.private.json'));
    await page.waitForFunction(() => (window as any).harness.events.r.some((e: any) => e.type === 'revoked'), undefined, { timeout: 60_000 });
  } finally {
    await server.close();
  }
});
