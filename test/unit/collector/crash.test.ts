import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/collector/store/sqlite.js';
import { httpClient } from './http-client.js';
import { counterRequest, kv, tempDir } from './otlp.js';

const SCRIPT = fileURLToPath(new URL('./serve-process.ts', import.meta.url));
const temp = tempDir();
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  temp.remove();
});

function start(file: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, '--port', '0', '--db', file, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve({ child, url: match[1] as string });
    });
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`collector exited with ${code}: ${out}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', (code) => resolve(code))));
}

it('keeps every acknowledged point through a SIGKILL during load', async () => {
  const file = join(temp.dir, 'crash.db');
  const { child, url } = await start(file);
  const client = httpClient(url, 8);
  const acked = new Map<string, number>();
  const sent = new Map<string, number>();
  let stop = false;
  let n = 0;
  async function worker(): Promise<void> {
    while (!stop) {
      const code = `C${n++ % 20}`;
      sent.set(code, (sent.get(code) ?? 0) + 1);
      const body = Buffer.from(JSON.stringify(counterRequest('outpost.errors', 1, [kv('error.code', code)])));
      try {
        const res = await client.send('POST', '/v1/metrics', { 'content-type': 'application/json', 'idempotency-key': `k${n}` }, body);
        if (res.status === 200) acked.set(code, (acked.get(code) ?? 0) + 1);
      } catch {
        return; // the process is gone
      }
    }
  }
  const workers = Array.from({ length: 8 }, worker);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  child.kill('SIGKILL');
  stop = true;
  await Promise.all(workers);
  client.close();
  await exited(child);
  const ackedTotal = [...acked.values()].reduce((a, b) => a + b, 0);
  expect(ackedTotal).toBeGreaterThan(20);

  const store = openSqliteStore({ file });
  const totals = await store.totals({ metric: 'outpost.errors' });
  await store.close();
  const stored = new Map(totals.map((t) => [t.series.attributes['error.code'] as string, t.sum]));
  for (const [code, count] of acked) {
    expect(stored.get(code) ?? 0).toBeGreaterThanOrEqual(count);
    expect(stored.get(code) ?? 0).toBeLessThanOrEqual(sent.get(code) ?? 0);
  }
}, 60_000);

it('exits 0 on SIGTERM after a checkpoint, and the data is there', async () => {
  const file = join(temp.dir, 'term.db');
  const { child, url } = await start(file);
  const client = httpClient(url);
  const res = await client.send('POST', '/v1/metrics', { 'content-type': 'application/json' }, Buffer.from(JSON.stringify(counterRequest('outpost.errors', 5))));
  expect(res.status).toBe(200);
  client.close();
  child.kill('SIGTERM');
  expect(await exited(child)).toBe(0);
  const store = openSqliteStore({ file });
  expect((await store.totals({ metric: 'outpost.errors' }))[0]?.sum).toBe(5);
  await store.close();
}, 60_000);
