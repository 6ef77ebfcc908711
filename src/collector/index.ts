/** The collector's public surface (Node only). */
export { buildCollectorApp } from './app.js';
export type { CollectorContext } from './context.js';
export { CollectorError, REJECTION_STATUS, type RejectionReason } from './errors.js';
export { DEFAULT_BODY_LIMIT, DEFAULT_RETENTION_DAYS, type CollectorOptions } from './options.js';
export { openSqliteStore, type SqliteStoreOptions } from './store/sqlite.js';
export { seriesKey } from './store/series-key.js';
export type * from './store/types.js';
export { quantiles, type HistogramInput } from './query/quantiles.js';
export { encodeProtobufRequest, decodeProtobufResponse } from './receiver/protobuf.js';
