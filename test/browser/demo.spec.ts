import { expect, test } from '@playwright/test';
import { ensureDemoRegistry } from '../../scripts/demo-registry.js';

// The demo page as a visitor uses it: signed delivery, then a cached reload.

test.beforeAll(async () => {
  await ensureDemoRegistry();
});

test('the demo loads a verified model, then serves it from the cache', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto('/demo/');
  await expect(page.locator('#isolated')).toHaveText('true');
  await page.click('#load');
  await expect(page.locator('#loaded')).toContainText('silero-vad@1.0.0 on wasm', { timeout: 60_000 });
  await expect(page.locator('#cache tr')).toHaveCount(1);
  await expect(page.locator('#cache tr td').first()).toHaveText('silero-vad');
  await page.click('#load');
  await expect(page.locator('#loaded')).toContainText('(remembered)', { timeout: 60_000 });
  await page.click('#clear');
  await expect(page.locator('#cache tr')).toHaveCount(0);
  expect(errors).toEqual([]);
});
