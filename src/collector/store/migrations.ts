/**
 * Schema migrations, applied in order and recorded in SQLite's `user_version`. A
 * migration is only ever appended, never edited, so an old database upgrades in place.
 */
import type Database from 'better-sqlite3';

/** Index i holds the SQL that takes the schema from version i to i + 1. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE series (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    metric TEXT NOT NULL,
    kind TEXT NOT NULL,
    model TEXT NOT NULL,
    version TEXT NOT NULL,
    backend TEXT NOT NULL,
    browser TEXT NOT NULL,
    bounds TEXT NOT NULL,
    attributes TEXT NOT NULL
  );
  CREATE INDEX series_by_metric ON series (metric, model, version, backend);
  -- One row per series and minute: the database grows with series x time, not clients.
  CREATE TABLE rollups (
    series_id INTEGER NOT NULL REFERENCES series (id),
    minute INTEGER NOT NULL,
    count INTEGER NOT NULL,
    sum REAL NOT NULL,
    min REAL,
    max REAL,
    buckets TEXT NOT NULL,
    PRIMARY KEY (series_id, minute)
  ) WITHOUT ROWID;
  CREATE INDEX rollups_by_minute ON rollups (minute);
  CREATE TABLE records (
    id INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,
    severity TEXT NOT NULL,
    model TEXT NOT NULL,
    version TEXT NOT NULL,
    browser TEXT NOT NULL,
    attributes TEXT NOT NULL,
    body TEXT NOT NULL
  );
  CREATE INDEX records_by_time ON records (time);
  CREATE TABLE idempotency (
    key TEXT PRIMARY KEY,
    received INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX idempotency_by_received ON idempotency (received);
  CREATE TABLE health (id INTEGER PRIMARY KEY CHECK (id = 1), checked INTEGER NOT NULL);
  INSERT INTO health (id, checked) VALUES (1, 0);
  `,
];

/**
 * Brings `db` to the newest schema; returns the version it started from.
 *
 * @example
 * ```ts
 * migrate(new Database('collector.db')); // 0 on a new file
 * ```
 */
export function migrate(db: Database.Database): number {
  const from = db.pragma('user_version', { simple: true }) as number;
  if (from > MIGRATIONS.length) {
    throw new Error(`database schema version ${from} is newer than this collector's ${MIGRATIONS.length}`);
  }
  for (let version = from; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
  return from;
}
