import type { Page } from '@playwright/test';

/**
 * Opens the harness page (built package) and waits for it: cross-origin isolated
 * unless `isolated` is false.
 */
export async function openHarness(page: Page, { isolated = true }: { isolated?: boolean } = {}): Promise<void> {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`/test/browser/pages/harness.html${isolated ? '' : '?isolated=0'}`);
  await page.waitForFunction(() => (window as unknown as { harnessReady?: boolean }).harnessReady === true, undefined, {
    timeout: 30_000,
  }).catch((error: unknown) => {
    throw new Error(`harness did not start: ${problems.join('; ') || String(error)}`);
  });
}
