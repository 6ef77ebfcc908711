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
