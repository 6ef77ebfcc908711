// The collector process bench/collector.ts loads: the real one on a SQLite file, or
// (BENCH_NULL_STORE=1) the same app on a store that keeps nothing, the baseline that
// shows what storage costs.
import { serveCollector } from '../src/collector/server.js';
import { openSqliteStore } from '../src/collector/store/sqlite.js';
import type { Store } from '../src/collector/store/types.js';

const nullStore: Store = {
  write: async (batches) => batches.map(() => 'applied' as const),
  rollups: async () => [],
  totals: async () => [],
  records: async () => [],
  prune: async () => ({ rollups: 0, records: 0, idempotencyKeys: 0 }),
  probe: async () => true,
  stats: async () => ({ series: 0, rollups: 0, records: 0, idempotencyKeys: 0 }),
  close: async () => {},
};

const file = process.argv[2] as string;
const store = process.env.BENCH_NULL_STORE === '1' ? nullStore : openSqliteStore({ file });
const collector = await serveCollector({ port: 0, store, processMetrics: false });
process.stdout.write(`listening on ${collector.url}\n`);
const stop = () => void collector.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
