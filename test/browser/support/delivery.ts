import { expect, type Page } from '@playwright/test';
import type { RegistryServer } from './registry-server.js';

export interface LoadResult {
  ok: boolean;
  info?: { name: string; version: string; backend: string; inputs: unknown[]; outputs: unknown[] };
  error?: { name: string; code?: string; message: string; details?: Record<string, unknown> };
  phases: Array<{ phase: string; loaded: number; total: number }>;
}

/** Opens the harness on the registry server's origin and creates runtime `r`. */
export async function openRuntimePage(page: Page, server: RegistryServer, rootText: string, options: Record<string, unknown> = {}): Promise<void> {
  await page.goto(`${server.origin}/test/browser/pages/harness.html`);
  await page.waitForFunction(() => (window as any).harnessReady === true);
  await page.evaluate(
    ([root, extra]) =>
      (window as any).harness.openRuntime('r', {
        registryUrl: '/registry/',
        trustedRoot: root,
        retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 50 },
        // Delivery specs are about bytes, not backends: skip the measured choice.
        backend: 'wasm',
        ...extra,
      }),
    [rootText, options] as const,
  );
}

export function load(page: Page, name: string, options: Record<string, unknown> = {}, modelId?: string): Promise<LoadResult> {
  return page.evaluate(([n, o, id]) => (window as any).harness.load('r', n, o, id), [name, options, modelId] as const);
}

export async function cacheList(page: Page): Promise<Array<{ name: string; version: string; bytes: number; pinned: boolean }>> {
  const result = await page.evaluate(() => (window as any).harness.cache('r', 'list'));
  expect(result.ok, JSON.stringify(result.error)).toBe(true);
  return result.value;
}

export async function expectLoaded(result: LoadResult, version: string): Promise<void> {
  expect(result.error, JSON.stringify(result.error)).toBeUndefined();
  expect(result.info?.version).toBe(version);
}

export function expectCode(result: LoadResult, code: string): void {
  expect(result.ok, `expected ${code}, load succeeded`).toBe(false);
  expect(result.error?.name).toBe('OutpostError');
  expect(result.error?.code, result.error?.message).toBe(code);
}
