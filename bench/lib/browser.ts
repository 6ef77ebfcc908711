// Headless Chromium with the same flags as the browser tests, and one bench page in it.
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumArgs } from '../../playwright.config.js';

export interface BenchPage {
  page: Page;
  browser: Browser;
  /** Page errors and console errors seen so far (reported if a step fails). */
  problems: string[];
  close(): Promise<void>;
}

/**
 * Opens `url` and waits until the page sets `window.benchReady`; the page must be
 * cross-origin isolated, or onnxruntime-web would silently run without threads.
 */
export async function openBenchPage(url: string, extraArgs: string[] = []): Promise<BenchPage> {
  const browser = await chromium.launch({
    executablePath: process.env.OUTPOST_CHROMIUM ?? '/usr/bin/chromium',
    // gc() lets a page start every timed variant from the same heap, not from the last one's garbage.
    args: [...chromiumArgs, '--js-flags=--expose-gc', ...extraArgs],
  });
  const problems: string[] = [];
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()} ${new URL(response.url()).pathname}`);
    });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.goto(url);
    await page
      .waitForFunction(() => (window as unknown as { benchReady?: boolean }).benchReady === true, undefined, { timeout: 60_000 })
      .catch((error: unknown) => {
        throw new Error(`bench page did not start: ${problems.join('; ') || String(error)}`);
      });
    const isolated = await page.evaluate(() => globalThis.crossOriginIsolated);
    if (!isolated) throw new Error('bench page is not cross-origin isolated: WASM would run single-threaded');
    return { page, browser, problems, close: () => browser.close() };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

/** Calls `window.bench[name](...args)` in the page and returns its (JSON) result. */
export async function callPage<T>(bench: BenchPage, name: string, ...args: unknown[]): Promise<T> {
  try {
    return (await bench.page.evaluate(
      ([fn, rest]) => (window as unknown as { bench: Record<string, (...a: unknown[]) => unknown> }).bench[fn as string]!(...(rest as unknown[])),
      [name, args] as const,
    )) as T;
  } catch (error) {
    const seen = bench.problems.length ? ` (page said: ${bench.problems.join('; ')})` : '';
    throw new Error(`${name} failed in the page: ${error instanceof Error ? error.message : String(error)}${seen}`);
  }
}
