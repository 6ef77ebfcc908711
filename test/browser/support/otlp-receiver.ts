// A small OTLP/HTTP receiver on loopback for the telemetry specs: records every
// request, answers CORS preflights, and fails on demand.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  key: string | undefined;
  body: unknown;
  at: number;
}

export interface OtlpReceiver {
  endpoint: string;
  requests: ReceivedRequest[];
  /** Answers for the next requests, in order; empty means 200. */
  answers: Array<{ status: number; headers?: Record<string, string> }>;
  /** Requests answered 200, one per Idempotency-Key. */
  delivered(): ReceivedRequest[];
  close(): Promise<void>;
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST',
  'access-control-allow-headers': 'content-type, idempotency-key, authorization',
  'access-control-expose-headers': 'retry-after',
  'cross-origin-resource-policy': 'cross-origin',
};

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const requests: ReceivedRequest[] = [];
  const answers: OtlpReceiver['answers'] = [];
  const deliveredKeys = new Map<string, ReceivedRequest>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'OPTIONS') return void res.writeHead(204, CORS).end();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const key = req.headers['idempotency-key'] as string | undefined;
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = undefined;
      }
      const request = { path: req.url ?? '', key, body, at: Date.now() };
      requests.push(request);
      const answer = answers.shift() ?? { status: 200 };
      if (answer.status === 200 && key !== undefined && !deliveredKeys.has(key)) deliveredKeys.set(key, request);
      res.writeHead(answer.status, { ...CORS, 'content-type': 'application/json', ...answer.headers }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    answers,
    delivered: () => [...deliveredKeys.values()],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
