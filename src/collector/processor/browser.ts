/**
 * The browser family of a client, from its resource attributes: OpenTelemetry's
 * `browser.brands` (User-Agent Client Hints brands, e.g. "Google Chrome 120") first,
 * then `user_agent.original`. Families, not versions, so series stay few.
 */
import type { OtlpKeyValue } from '../receiver/otlp-schema.js';
import { findValue, valueText } from './attributes.js';

/** The families the collector tells apart; anything else is 'other'. */
export type BrowserFamily = 'chrome' | 'edge' | 'opera' | 'samsung' | 'chromium' | 'firefox' | 'safari' | 'other';

const BRAND_FAMILIES: ReadonlyArray<[RegExp, BrowserFamily]> = [
  [/microsoft edge/i, 'edge'],
  [/opera/i, 'opera'],
  [/samsung/i, 'samsung'],
  [/google chrome/i, 'chrome'],
  [/firefox/i, 'firefox'],
  [/safari/i, 'safari'],
  [/chromium/i, 'chromium'],
];

// Order matters: Edge and Opera user agents also say Chrome, and Chrome's says Safari.
const AGENT_FAMILIES: ReadonlyArray<[RegExp, BrowserFamily]> = [
  [/\bEdg(e|A|iOS)?\//, 'edge'],
  [/\bOPR\//, 'opera'],
  [/\bSamsungBrowser\//, 'samsung'],
  [/\b(Firefox|FxiOS)\//, 'firefox'],
  [/\b(Chrome|CriOS)\//, 'chrome'],
  [/\bChromium\//, 'chromium'],
  [/\bVersion\/[\d.]+.*Safari\//, 'safari'],
];

function brandsOf(resource: readonly OtlpKeyValue[]): string[] {
  const value = findValue(resource, 'browser.brands');
  if (value === undefined) return [];
  if (value.arrayValue !== undefined) return value.arrayValue.values.map(valueText);
  const text = valueText(value);
  return text === '' ? [] : text.split(',');
}

/**
 * The browser family named by resource attributes.
 *
 * @example
 * ```ts
 * browserFamily([{ key: 'browser.brands', value: { arrayValue: { values: [{ stringValue: 'Not_A Brand 8' }, { stringValue: 'Chromium 120' }, { stringValue: 'Google Chrome 120' }] } } }]); // 'chrome'
 * browserFamily([{ key: 'user_agent.original', value: { stringValue: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' } }]); // 'firefox'
 * ```
 */
export function browserFamily(resource: readonly OtlpKeyValue[]): BrowserFamily {
  const brands = brandsOf(resource);
  for (const [pattern, family] of BRAND_FAMILIES) if (brands.some((brand) => pattern.test(brand))) return family;
  const agent = valueText(findValue(resource, 'user_agent.original'));
  for (const [pattern, family] of AGENT_FAMILIES) if (pattern.test(agent)) return family;
  return 'other';
}

/**
 * Point attribute the collector adds to `outpost.inference.duration` series: the
 * browser's major version, so latency can be read per browser version. Only there:
 * other series stay per family, so their count does not grow with browser releases.
 */
export const BROWSER_VERSION_ATTRIBUTE = 'browser.version';

const BRAND_VERSION = /\s(\d{1,5})(?:\.[\d.]*)?$/;
const AGENT_VERSION: Partial<Record<BrowserFamily, RegExp>> = {
  edge: /\bEdg(?:e|A|iOS)?\/(\d{1,5})/,
  opera: /\bOPR\/(\d{1,5})/,
  samsung: /\bSamsungBrowser\/(\d{1,5})/,
  firefox: /\b(?:Firefox|FxiOS)\/(\d{1,5})/,
  chrome: /\b(?:Chrome|CriOS)\/(\d{1,5})/,
  chromium: /\bChromium\/(\d{1,5})/,
  safari: /\bVersion\/(\d{1,5})/,
};

/**
 * The major version of `family` named by the resource ('' when none is given): the
 * matching brand's version first, then the user agent's.
 *
 * @example
 * ```ts
 * browserMajorVersion([{ key: 'browser.brands', value: { arrayValue: { values: [{ stringValue: 'Google Chrome 120' }] } } }], 'chrome'); // '120'
 * ```
 */
export function browserMajorVersion(resource: readonly OtlpKeyValue[], family: BrowserFamily): string {
  const pattern = BRAND_FAMILIES.find(([, f]) => f === family)?.[0];
  const brand = pattern === undefined ? undefined : brandsOf(resource).find((b) => pattern.test(b));
  const fromBrand = brand === undefined ? undefined : BRAND_VERSION.exec(brand.trim())?.[1];
  if (fromBrand !== undefined) return fromBrand;
  const agentPattern = AGENT_VERSION[family];
  return (agentPattern && agentPattern.exec(valueText(findValue(resource, 'user_agent.original')))?.[1]) ?? '';
}
