// The filters live in the URL (model, version, range), so a view can be bookmarked,
// shared and reloaded; every change replaces the query string.

export const RANGES = { '1h': 3_600_000, '6h': 6 * 3_600_000, '24h': 24 * 3_600_000, '7d': 7 * 24 * 3_600_000 } as const;
export type RangeName = keyof typeof RANGES;

export interface Filters {
  model: string;
  version: string;
  range: RangeName;
  /** Auto-refresh period in seconds; 0 turns it off. */
  refresh: number;
}

function isRange(value: string | null): value is RangeName {
  return value !== null && Object.hasOwn(RANGES, value);
}

/** The filters in `search` (a location.search), defaults for anything missing or odd. */
export function readFilters(search: string): Filters {
  const params = new URLSearchParams(search);
  const range = params.get('range');
  const refresh = Number(params.get('refresh') ?? '15');
  return {
    model: params.get('model') ?? '',
    version: params.get('version') ?? '',
    range: isRange(range) ? range : '6h',
    refresh: Number.isFinite(refresh) && refresh >= 0 && refresh <= 3600 ? Math.round(refresh) : 15,
  };
}

/** `filters` as a query string, leaving defaults out. */
export function writeFilters(filters: Filters): string {
  const params = new URLSearchParams();
  if (filters.model) params.set('model', filters.model);
  if (filters.version) params.set('version', filters.version);
  if (filters.range !== '6h') params.set('range', filters.range);
  if (filters.refresh !== 15) params.set('refresh', String(filters.refresh));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** The time range the filters select, ending now (epoch ms). */
export function timeRange(filters: Filters, now: number): { from: number; to: number } {
  return { from: now - RANGES[filters.range], to: now };
}
