/**
 * The processor for logs: OTLP log records (opt-in raw samples) to stored records,
 * each body cut to `maxBodyBytes` so the capped table stays small.
 */
import type { RawRecord } from '../store/types.js';
import type { LogsRequest } from '../receiver/otlp-schema.js';
import { flattenAttributes, valueText } from './attributes.js';
import { browserFamily } from './browser.js';
import type { TimeWindow } from './rollup.js';

export interface RecordsResult {
  records: RawRecord[];
  accepted: number;
  rejected: number;
  problems: string[];
}

/**
 * Stored records for `request`.
 *
 * @example
 * ```ts
 * const { records } = toRecords(request, { now: Date.now(), maxAgeMs: 86_400_000, maxSkewMs: 600_000 }, 4096);
 * ```
 */
export function toRecords(request: LogsRequest, window: TimeWindow, maxBodyBytes: number): RecordsResult {
  const records: RawRecord[] = [];
  let rejected = 0;
  for (const resourceLogs of request.resourceLogs) {
    const browser = browserFamily(resourceLogs.resource.attributes);
    for (const scope of resourceLogs.scopeLogs) {
      for (const record of scope.logRecords) {
        const time = record.timeUnixNano || record.observedTimeUnixNano || window.now;
        if (time < window.now - window.maxAgeMs || time > window.now + window.maxSkewMs) {
          rejected++;
          continue;
        }
        const attributes = flattenAttributes(record.attributes);
        const body = JSON.stringify(record.body === undefined ? null : valueText(record.body));
        records.push({
          time,
          severity: record.severityText ?? String(record.severityNumber ?? 0),
          model: attributes['model.name'] ?? '',
          version: attributes['model.version'] ?? '',
          browser,
          attributes,
          body: body.length > maxBodyBytes ? JSON.stringify(`${body.slice(0, maxBodyBytes)}…`) : body,
        });
      }
    }
  }
  return {
    records,
    accepted: records.length,
    rejected,
    problems: rejected > 0 ? ['records outside the accepted time window'] : [],
  };
}
