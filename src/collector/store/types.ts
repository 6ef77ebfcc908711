/**
 * The store contract: what the collector keeps and how it reads it back. SQLite
 * implements it (./sqlite.ts); a server database can replace it without touching the
 * receiver or the processor. Every method is async so that a networked store fits.
 */

/** How a metric's points combine. */
export type MetricKind = 'histogram' | 'sum' | 'gauge';

/**
 * One series: a metric and the attributes that tell its points apart. `model`,
 * `version` and `backend` are copied out of the point attributes `model.name`,
 * `model.version` and `outpost.backend` ('' when absent) so queries can filter on them;
 * `browser` is the family derived from the resource ('chrome', 'firefox', …, 'other').
 * Histogram series include their explicit `bounds`: only buckets with the same bounds
 * can be added.
 *
 * @example
 * ```ts
 * const series: SeriesKey = {
 *   metric: 'outpost.drift.feature', kind: 'histogram', model: 'vad', version: '1.0.0', backend: '',
 *   browser: 'chrome', bounds: [0.1, 0.5], attributes: { 'outpost.drift.feature': 'input.mean', 'model.name': 'vad', 'model.version': '1.0.0' },
 * };
 * ```
 */
export interface SeriesKey {
  metric: string;
  kind: MetricKind;
  model: string;
  version: string;
  backend: string;
  browser: string;
  /** Explicit bucket bounds of a histogram series; [] for sums and gauges. */
  bounds: number[];
  /** The data point attributes, values as text (non-text values JSON-encoded). */
  attributes: Record<string, string>;
}

/**
 * What one minute of one series adds up to. For histograms `buckets` has
 * `bounds.length + 1` counts (OTLP rule: bucket i holds (bounds[i-1], bounds[i]]) and
 * `count`/`sum` are the points' own; for sums `count` is the number of points and `sum`
 * their total; for gauges `sum / count` is the mean value of the minute.
 *
 * @example
 * ```ts
 * const delta: RollupDelta = { series, minute: 1_700_000_040_000, count: 3, sum: 12.5, min: 1, max: 9, buckets: [1, 2, 0] };
 * ```
 */
export interface RollupDelta {
  series: SeriesKey;
  /** Start of the minute (epoch ms, a multiple of 60,000) that holds the point's time. */
  minute: number;
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  /** Histogram bucket counts; [] for sums and gauges. */
  buckets: number[];
}

/** A stored rollup row: a delta with the id of its series. */
export interface RollupRow extends RollupDelta {
  seriesId: number;
}

/** A series with all its minutes in a time range added up. */
export interface SeriesTotal extends Omit<RollupRow, 'minute'> {
  /** First and last minute that contributed (epoch ms). */
  firstMinute: number;
  lastMinute: number;
}

/**
 * A raw record (an OTLP log record: opt-in samples). Capped in number by the store and
 * in size by the receiver.
 *
 * @example
 * ```ts
 * const record: RawRecord = { time: Date.now(), severity: 'INFO', model: 'vad', version: '1.0.0', browser: 'chrome', attributes: {}, body: '"sample"' };
 * ```
 */
export interface RawRecord {
  time: number;
  severity: string;
  model: string;
  version: string;
  browser: string;
  attributes: Record<string, string>;
  /** The record's body as JSON text (truncated by the receiver). */
  body: string;
}

/**
 * What one accepted request writes, applied atomically: all of it or none of it.
 * With an `idempotencyKey` already stored, nothing is applied and the outcome is
 * 'duplicate'.
 */
export interface WriteBatch {
  /** Scoped by signal ("metrics:<key>"), so one key may be used for metrics and logs. */
  idempotencyKey?: string;
  rollups: RollupDelta[];
  records: RawRecord[];
}

export type WriteOutcome = 'applied' | 'duplicate';

/**
 * Which rollups to read. Every field is optional; `from` and `to` (epoch ms) select
 * minutes with `from <= minute <= to`; `attributes` must all match.
 *
 * @example
 * ```ts
 * const filter: RollupFilter = { metric: 'outpost.drift.feature', model: 'vad', from: Date.now() - 3_600_000 };
 * ```
 */
export interface RollupFilter {
  metric?: string;
  model?: string;
  version?: string;
  backend?: string;
  browser?: string;
  from?: number;
  to?: number;
  attributes?: Record<string, string>;
}

/** Row counts, for benchmarks and the operator view. */
export interface StoreStats {
  series: number;
  rollups: number;
  records: number;
  idempotencyKeys: number;
}

/** What a retention pass deleted. */
export interface PruneResult {
  rollups: number;
  records: number;
  idempotencyKeys: number;
}

/**
 * The storage the collector writes to. Implementations must make `write` atomic per
 * batch and durable before it resolves (the collector answers 200 only after it).
 *
 * @example
 * ```ts
 * const store: Store = openSqliteStore({ file: 'data/collector.db' });
 * await store.write([{ rollups: [delta], records: [], idempotencyKey: 'metrics:abc' }]);
 * const totals = await store.totals({ metric: 'outpost.inference.duration', model: 'vad' });
 * await store.close();
 * ```
 */
export interface Store {
  /** Applies `batches` in order, each atomically; one outcome per batch. */
  write(batches: readonly WriteBatch[]): Promise<WriteOutcome[]>;
  /** Rollup rows, ordered by series then minute. */
  rollups(filter: RollupFilter): Promise<RollupRow[]>;
  /** One total per series over the filter's minutes (buckets, counts and sums added). */
  totals(filter: RollupFilter): Promise<SeriesTotal[]>;
  /** The newest raw records, newest first. */
  records(filter: Pick<RollupFilter, 'model' | 'version' | 'from' | 'to'>, limit: number): Promise<RawRecord[]>;
  /**
   * Deletes at most `limit` rollups and records older than `before` (epoch ms) and
   * idempotency keys older than `keysBefore`; callers loop until less than `limit` went.
   */
  prune(before: number, keysBefore: number, limit: number): Promise<PruneResult>;
  /** True when a write goes through (the health check). */
  probe(): Promise<boolean>;
  stats(): Promise<StoreStats>;
  /** Flushes (SQLite: checkpoints the WAL) and closes; later calls reject. */
  close(): Promise<void>;
}
