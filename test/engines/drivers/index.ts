import type { EngineDriver } from './driver.js';
import { launchPuppeteer } from './puppeteer.js';
import { launchWebKit } from './webkit.js';

export type EngineName = EngineDriver['name'];
export const ENGINES: readonly EngineName[] = ['chromium', 'firefox', 'webkit'];

export function launchEngine(name: EngineName): Promise<EngineDriver> {
  return name === 'webkit' ? launchWebKit() : launchPuppeteer(name);
}

export type { EngineDriver, EnginePage } from './driver.js';
