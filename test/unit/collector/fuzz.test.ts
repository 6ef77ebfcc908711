import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serveCollector, type RunningCollector } from '../../../src/collector/server.js';
import { openSqliteStore } from '../../../src/collector/store/sqlite.js';
import type { Store } from '../../../src/collector/store/types.js';
import { FUZZ_KINDS, fuzzCases } from './fuzz-cases.js';
import { httpClient } from './http-client.js';
import { tempDir } from './otlp.js';

const CASES = 10_000;
const CONCURRENCY = 4;

let temp: ReturnType<typeof tempDir>;
let store: Store;
let collector: RunningCollector;
beforeAll(async () => {
  temp = tempDir();
  store = openSqliteStore({ file: join(temp.dir, 'fuzz.db') });
  collector = await serveCollector({ port: 0, store, processMetrics: false, retentionIntervalMs: 0 });
});
afterAll(async () => {
  await collector?.close();
  temp?.remove();
});

it(`answers ${CASES} malformed payloads with 4xx, stays up and writes nothing`, async () => {
  const cases = fuzzCases(CASES);
  const wrong: string[] = [];
  const seenKinds = new Set<string>();
  let sent = 0;
  const client = httpClient(collector.url, CONCURRENCY);
  async function worker() {
    for (let next = cases.next(); !next.done; next = cases.next()) {
      const c = next.value;
      seenKinds.add(c.kind);
      const res = await client.send('POST', c.path, c.headers, c.body);
      sent++;
      if (res.status < 400 || res.status >= 500) wrong.push(`${c.kind}: ${res.status}`);
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  client.close();
  expect(sent).toBe(CASES);
  expect([...seenKinds].sort()).toEqual([...FUZZ_KINDS].sort());
  expect(wrong.slice(0, 10)).toEqual([]);
  const health = await fetch(`${collector.url}/healthz`);
  expect(health.status).toBe(200);
  expect(await store.stats()).toEqual({ series: 0, rollups: 0, records: 0, idempotencyKeys: 0 });
}, 300_000);
