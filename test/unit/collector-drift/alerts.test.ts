import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertBook, type Verdict } from '../../../src/collector/drift/alerts.js';
import { createWebhookNotifier } from '../../../src/collector/drift/webhook.js';

const key = { model: 'vad', version: '1.0.0', feature: 'input.input.mean' };
const v = (status: Verdict['status'], psi: number | null): Verdict => ({ ...key, status, psi });

describe('AlertBook', () => {
  it('opens on alert, stays open through warn, resolves after a calm window', () => {
    const book = new AlertBook({ resolveAfterMs: 1000 });
    expect(book.step([v('warn', 0.2)], 0)).toEqual([]);
    expect(book.step([v('alert', 0.4)], 100)).toEqual([{ type: 'open', ...key, psi: 0.4, since: 100, at: 100 }]);
    expect(book.open()).toEqual([{ ...key, psi: 0.4, since: 100 }]);
    expect(book.step([v('alert', 0.5)], 200)).toEqual([]);
    expect(book.step([v('ok', 0.05)], 300)).toEqual([]);
    // warn breaks the calm window: the clock starts again at the next ok.
    expect(book.step([v('warn', 0.12)], 900)).toEqual([]);
    expect(book.step([v('ok', 0.05)], 1000)).toEqual([]);
    expect(book.step([v('insufficient', null)], 1500)).toEqual([]);
    expect(book.open()).toEqual([{ ...key, psi: 0.05, since: 100 }]);
    expect(book.step([v('ok', 0.04)], 2000)).toEqual([{ type: 'resolve', ...key, psi: 0.04, since: 100, at: 2000 }]);
    expect(book.open()).toEqual([]);
  });

  it('keeps features apart', () => {
    const book = new AlertBook();
    book.step([v('alert', 0.3), { ...key, feature: 'input.input.std', status: 'alert', psi: 0.9 }], 5);
    expect(book.open().map((a) => a.feature).sort()).toEqual(['input.input.mean', 'input.input.std']);
  });
});

describe('webhook notifier', () => {
  let server: ReturnType<typeof createServer> | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function listen(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<string> {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => handler(req, body, res));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/hook`;
  }

  const event = { type: 'open' as const, ...key, psi: 0.4, since: 1, at: 1 };

  it('retries a 503 and delivers the event as JSON', async () => {
    const bodies: string[] = [];
    let calls = 0;
    const url = await listen((_req, body, res) => {
      calls += 1;
      bodies.push(body);
      res.writeHead(calls === 1 ? 503 : 204).end();
    });
    const webhook = createWebhookNotifier({ url, backoffMs: 1 });
    webhook.notify(event);
    await webhook.drain();
    expect(calls).toBe(2);
    expect(JSON.parse(bodies[1]!)).toEqual(event);
    expect(webhook.stats).toEqual({ sent: 1, failed: 0, dropped: 0 });
  });

  it('gives up after the attempts, and does not retry a 400', async () => {
    let calls = 0;
    const url = await listen((req, _body, res) => {
      calls += 1;
      res.writeHead(req.url === '/hook' ? 500 : 400).end();
    });
    const webhook = createWebhookNotifier({ url, backoffMs: 1, attempts: 3 });
    webhook.notify(event);
    await webhook.drain();
    expect(calls).toBe(3);
    const bad = createWebhookNotifier({ url: url.replace('/hook', '/bad'), backoffMs: 1, attempts: 3 });
    bad.notify(event);
    await bad.drain();
    expect(calls).toBe(4);
    expect(bad.stats).toEqual({ sent: 0, failed: 1, dropped: 0 });
  });

  it('bounds its queue, dropping and counting the oldest', async () => {
    const seen: number[] = [];
    const url = await listen((_req, body, res) => {
      seen.push((JSON.parse(body) as { at: number }).at);
      res.writeHead(200).end();
    });
    const webhook = createWebhookNotifier({ url, maxQueue: 2 });
    for (let at = 0; at < 5; at++) webhook.notify({ ...event, at });
    await webhook.drain();
    // Event 0 left the queue at once; of 1..4 only the last two fit.
    expect(seen).toEqual([0, 3, 4]);
    expect(webhook.stats).toEqual({ sent: 3, failed: 0, dropped: 2 });
  });
});
