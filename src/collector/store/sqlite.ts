/**
 * The embedded store: SQLite in WAL mode through better-sqlite3. One process owns the
 * file. `synchronous = NORMAL` in WAL mode makes every committed transaction survive a
 * crash of the process (SIGKILL); only a power loss can take the last commits, which
 * `durability: 'full'` closes at the cost of an fsync per commit.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';
import { seriesKey } from './series-key.js';
import type {
  MetricKind,
  PruneResult,
  RawRecord,
  RollupDelta,
  RollupFilter,
  RollupRow,
  SeriesTotal,
  Store,
  StoreStats,
  WriteBatch,
  WriteOutcome,
} from './types.js';

export interface SqliteStoreOptions {
  /** Database file; ':memory:' for a throwaway store. Its folder is created. */
  file: string;
  /** 'normal' survives process crashes, 'full' also power loss. @default 'normal' */
  durability?: 'normal' | 'full';
  /** Raw records kept at most; the oldest go first. @default 10000 */
  maxRecords?: number;
}

interface SeriesRow {
  id: number;
  metric: string;
  kind: MetricKind;
  model: string;
  version: string;
  backend: string;
  browser: string;
  bounds: string;
  attributes: string;
}

interface JoinedRow extends SeriesRow {
  minute: number;
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  buckets: string;
}

function addBuckets(into: number[], from: readonly number[]): number[] {
  if (into.length === 0) return [...from];
  for (let i = 0; i < from.length; i++) into[i] = (into[i] ?? 0) + (from[i] as number);
  return into;
}

/** Adds `from`'s count, sum, min, max and buckets into `into` (mutated). */
function addInto(into: { count: number; sum: number; min: number | null; max: number | null; buckets: number[] }, from: Omit<RollupDelta, 'series' | 'minute'>): void {
  into.count += from.count;
  into.sum += from.sum;
  into.min = minOf(into.min, from.min);
  into.max = maxOf(into.max, from.max);
  into.buckets = addBuckets(into.buckets, from.buckets);
}

function minOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

function maxOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}

/**
 * Opens (creating and migrating) a SQLite store.
 *
 * @example
 * ```ts
 * const store = openSqliteStore({ file: 'data/collector.db' });
 * console.log(await store.stats());
 * await store.close();
 * ```
 */
export function openSqliteStore(options: SqliteStoreOptions): Store {
  if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
  const db = new Database(options.file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);
  const maxRecords = options.maxRecords ?? 10_000;

  const seriesIds = new Map<string, number>();
  const statements = {
    findSeries: db.prepare<[string], { id: number }>('SELECT id FROM series WHERE key = ?'),
    insertSeries: db.prepare(
      'INSERT INTO series (key, metric, kind, model, version, backend, browser, bounds, attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    findRollup: db.prepare<[number, number], { count: number; sum: number; min: number | null; max: number | null; buckets: string }>(
      'SELECT count, sum, min, max, buckets FROM rollups WHERE series_id = ? AND minute = ?',
    ),
    upsertRollup: db.prepare(
      'INSERT OR REPLACE INTO rollups (series_id, minute, count, sum, min, max, buckets) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    insertRecord: db.prepare(
      'INSERT INTO records (time, severity, model, version, browser, attributes, body) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    trimRecords: db.prepare('DELETE FROM records WHERE id <= (SELECT id FROM records ORDER BY id DESC LIMIT 1 OFFSET ?)'),
    claimKey: db.prepare('INSERT OR IGNORE INTO idempotency (key, received) VALUES (?, ?)'),
    // WITHOUT ROWID: rollups are pruned by their primary key.
    pruneRollups: db.prepare(
      'DELETE FROM rollups WHERE (series_id, minute) IN (SELECT series_id, minute FROM rollups WHERE minute < ? LIMIT ?)',
    ),
    pruneRecords: db.prepare('DELETE FROM records WHERE id IN (SELECT id FROM records WHERE time < ? LIMIT ?)'),
    pruneKeys: db.prepare('DELETE FROM idempotency WHERE key IN (SELECT key FROM idempotency WHERE received < ? LIMIT ?)'),
    probe: db.prepare('UPDATE health SET checked = ? WHERE id = 1'),
  };

  function seriesId(delta: RollupDelta): number {
    const key = seriesKey(delta.series);
    const cached = seriesIds.get(key);
    if (cached !== undefined) return cached;
    const found = statements.findSeries.get(key);
    let id: number;
    if (found) id = found.id;
    else {
      const s = delta.series;
      const info = statements.insertSeries.run(key, s.metric, s.kind, s.model, s.version, s.backend, s.browser, JSON.stringify(s.bounds), JSON.stringify(s.attributes));
      id = Number(info.lastInsertRowid);
    }
    seriesIds.set(key, id);
    return id;
  }

  // Rows of recent minutes as last written, so adding to a row does not read it back
  // first: this process is the file's only writer. Dropped whole when a transaction
  // fails (its writes were rolled back) and thinned to recent minutes as time moves.
  interface CachedRollup {
    count: number;
    sum: number;
    min: number | null;
    max: number | null;
    buckets: number[];
  }
  const recent = new Map<string, CachedRollup>();
  let recentFloor = 0;
  const RECENT_MS = 3 * 60_000;

  function forgetOldMinutes(now: number): void {
    const floor = now - RECENT_MS;
    if (floor - recentFloor < 60_000) return;
    recentFloor = floor;
    for (const key of recent.keys()) if (Number(key.slice(key.indexOf('@') + 1)) < floor) recent.delete(key);
  }

  function applyRollup(id: number, delta: RollupDelta): void {
    const key = `${id}@${delta.minute}`;
    let row = recent.get(key);
    if (row === undefined) {
      const old = statements.findRollup.get(id, delta.minute);
      row = old === undefined ? undefined : { count: old.count, sum: old.sum, min: old.min, max: old.max, buckets: JSON.parse(old.buckets) as number[] };
    }
    const next: CachedRollup = row === undefined ? { count: 0, sum: 0, min: null, max: null, buckets: [] } : { ...row, buckets: [...row.buckets] };
    addInto(next, delta);
    statements.upsertRollup.run(id, delta.minute, next.count, next.sum, next.min, next.max, JSON.stringify(next.buckets));
    if (delta.minute >= recentFloor) recent.set(key, next);
  }

  /** The transaction's deltas added up per series and minute, so each row is written once. */
  function mergeDeltas(deltas: Iterable<RollupDelta>): Map<string, { id: number; delta: RollupDelta }> {
    const merged = new Map<string, { id: number; delta: RollupDelta }>();
    for (const delta of deltas) {
      const id = seriesId(delta);
      const key = `${id}@${delta.minute}`;
      const into = merged.get(key);
      if (into === undefined) {
        merged.set(key, { id, delta: { ...delta, buckets: [...delta.buckets] } });
        continue;
      }
      addInto(into.delta, delta);
    }
    return merged;
  }

  const writeAll = db.transaction((batches: readonly WriteBatch[], now: number): WriteOutcome[] => {
    let recordsAdded = false;
    const applied: RollupDelta[] = [];
    const outcomes = batches.map((batch): WriteOutcome => {
      if (batch.idempotencyKey !== undefined && statements.claimKey.run(batch.idempotencyKey, now).changes === 0) return 'duplicate';
      for (const delta of batch.rollups) applied.push(delta);
      for (const r of batch.records) {
        statements.insertRecord.run(r.time, r.severity, r.model, r.version, r.browser, JSON.stringify(r.attributes), r.body);
        recordsAdded = true;
      }
      return 'applied';
    });
    for (const { id, delta } of mergeDeltas(applied).values()) applyRollup(id, delta);
    if (recordsAdded) statements.trimRecords.run(maxRecords);
    return outcomes;
  });

  function where(filter: RollupFilter): { sql: string; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    for (const column of ['metric', 'model', 'version', 'backend', 'browser'] as const) {
      const value = filter[column];
      if (value !== undefined) clauses.push(`s.${column} = ?`), params.push(value);
    }
    if (filter.from !== undefined) clauses.push('r.minute >= ?'), params.push(filter.from);
    if (filter.to !== undefined) clauses.push('r.minute <= ?'), params.push(filter.to);
    for (const [name, value] of Object.entries(filter.attributes ?? {})) {
      clauses.push('json_extract(s.attributes, ?) = ?');
      params.push(`$."${name.replace(/"/g, '""')}"`, value);
    }
    return { sql: clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`, params };
  }

  function* joined(filter: RollupFilter): Generator<JoinedRow> {
    const { sql, params } = where(filter);
    const statement = db.prepare<unknown[], JoinedRow>(
      `SELECT s.*, r.minute, r.count, r.sum, r.min, r.max, r.buckets FROM rollups r JOIN series s ON s.id = r.series_id ${sql} ORDER BY r.series_id, r.minute`,
    );
    yield* statement.iterate(...params);
  }

  function toRow(row: JoinedRow): RollupRow {
    return {
      seriesId: row.id,
      series: {
        metric: row.metric,
        kind: row.kind,
        model: row.model,
        version: row.version,
        backend: row.backend,
        browser: row.browser,
        bounds: JSON.parse(row.bounds) as number[],
        attributes: JSON.parse(row.attributes) as Record<string, string>,
      },
      minute: row.minute,
      count: row.count,
      sum: row.sum,
      min: row.min,
      max: row.max,
      buckets: JSON.parse(row.buckets) as number[],
    };
  }

  let closed = false;
  function open(): void {
    if (closed) throw new Error('the store is closed');
  }

  return {
    async write(batches) {
      open();
      const now = Date.now();
      forgetOldMinutes(now);
      try {
        return writeAll(batches, now);
      } catch (error) {
        // The transaction rolled back: what the cache learned in it is not on disk.
        recent.clear();
        throw error;
      }
    },
    async rollups(filter) {
      open();
      return Array.from(joined(filter), toRow);
    },
    async totals(filter) {
      open();
      const totals = new Map<number, SeriesTotal>();
      for (const raw of joined(filter)) {
        const total = totals.get(raw.id);
        const buckets = JSON.parse(raw.buckets) as number[];
        if (total === undefined) {
          const { minute, ...rest } = toRow(raw);
          totals.set(raw.id, { ...rest, firstMinute: minute, lastMinute: minute });
          continue;
        }
        addInto(total, { ...raw, buckets });
        total.lastMinute = raw.minute;
      }
      return [...totals.values()];
    },
    async records(filter, limit) {
      open();
      const clauses: string[] = [];
      const params: unknown[] = [];
      if (filter.model !== undefined) clauses.push('model = ?'), params.push(filter.model);
      if (filter.version !== undefined) clauses.push('version = ?'), params.push(filter.version);
      if (filter.from !== undefined) clauses.push('time >= ?'), params.push(filter.from);
      if (filter.to !== undefined) clauses.push('time <= ?'), params.push(filter.to);
      const sql = `SELECT * FROM records ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
      const rows = db.prepare<unknown[], Omit<RawRecord, 'attributes'> & { attributes: string }>(sql).all(...params, limit);
      return rows.map((row) => ({
        time: row.time,
        severity: row.severity,
        model: row.model,
        version: row.version,
        browser: row.browser,
        attributes: JSON.parse(row.attributes) as Record<string, string>,
        body: row.body,
      }));
    },
    async prune(before, keysBefore, limit): Promise<PruneResult> {
      open();
      for (const key of recent.keys()) if (Number(key.slice(key.indexOf('@') + 1)) < before) recent.delete(key);
      return db.transaction(() => ({
        rollups: statements.pruneRollups.run(before, limit).changes,
        records: statements.pruneRecords.run(before, limit).changes,
        idempotencyKeys: statements.pruneKeys.run(keysBefore, limit).changes,
      }))();
    },
    async probe() {
      if (closed) return false;
      try {
        statements.probe.run(Date.now());
        return true;
      } catch {
        return false;
      }
    },
    async stats(): Promise<StoreStats> {
      open();
      const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      return { series: count('series'), rollups: count('rollups'), records: count('records'), idempotencyKeys: count('idempotency') };
    },
    async close() {
      if (closed) return;
      closed = true;
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}
