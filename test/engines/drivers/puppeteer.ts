// Chromium (DevTools protocol) and Firefox (WebDriver BiDi) through puppeteer-core,
// driving the browsers Debian installs.
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { callSource, ERROR_TRAP, type EngineDriver, type EnginePage } from './driver.js';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export async function launchPuppeteer(name: 'chromium' | 'firefox'): Promise<EngineDriver> {
  const browser: Browser =
    name === 'firefox'
      ? await puppeteer.launch({
          browser: 'firefox',
          protocol: 'webDriverBiDi',
          executablePath: process.env.OUTPOST_FIREFOX ?? '/usr/bin/firefox-esr',
          headless: true,
        })
      : await puppeteer.launch({ executablePath: process.env.OUTPOST_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  return {
    name,
    version: () => browser.version(),
    async newPage() {
      // A fresh context per page: its own IndexedDB, as a new visitor has.
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error instanceof Error ? error.message : String(error)));
      return wrap(page, errors, () => context.close());
    },
    close: () => browser.close(),
  };
}

function wrap(page: Page, errors: string[], close: () => Promise<void>): EnginePage {
  return {
    async goto(url) {
      await page.goto(url, { waitUntil: 'load' });
      await page.evaluate(ERROR_TRAP);
    },
    evaluate: (fn, arg) => page.evaluate(callSource(fn, arg)) as Promise<never>,
    async errors() {
      const trapped = (await page.evaluate('window.__engineErrors || []').catch(() => [])) as string[];
      return [...new Set([...errors, ...trapped])];
    },
    close,
  };
}
