/** A lean keep-alive HTTP client for the load, fuzz and crash tests (fetch costs more CPU per request). */
import { Agent, request } from 'node:http';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export function httpClient(baseUrl: string, maxSockets = 16) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  return {
    send(method: string, path: string, headers: Record<string, string> = {}, body?: Buffer): Promise<HttpAnswer> {
      return new Promise((resolve, reject) => {
        const req = request(new URL(path, baseUrl), { method, headers: body ? { ...headers, 'content-length': String(body.length) } : headers, agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}
