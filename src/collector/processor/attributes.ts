import type { OtlpAnyValue, OtlpKeyValue } from '../receiver/otlp-schema.js';

/** An OTLP value as text: strings as they are, everything else JSON-encoded. */
export function valueText(value: OtlpAnyValue | undefined): string {
  if (value === undefined) return '';
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return String(value.boolValue);
  if (value.intValue !== undefined) return String(value.intValue);
  if (value.doubleValue !== undefined) return String(value.doubleValue);
  if (value.bytesValue !== undefined) return value.bytesValue;
  if (value.arrayValue !== undefined) return JSON.stringify(value.arrayValue.values.map(valueText));
  if (value.kvlistValue !== undefined) return JSON.stringify(flattenAttributes(value.kvlistValue.values));
  return '';
}

/**
 * OTLP key-values as a plain record of text values (a repeated key keeps its last value).
 *
 * @example
 * ```ts
 * flattenAttributes([{ key: 'model.name', value: { stringValue: 'vad' } }]); // { 'model.name': 'vad' }
 * ```
 */
export function flattenAttributes(list: readonly OtlpKeyValue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, value } of list) out[key] = valueText(value);
  return out;
}

/** The raw OTLP value of `key`, for attributes whose structure matters (arrays). */
export function findValue(list: readonly OtlpKeyValue[], key: string): OtlpAnyValue | undefined {
  for (let i = list.length - 1; i >= 0; i--) if (list[i]?.key === key) return list[i]?.value;
  return undefined;
}
