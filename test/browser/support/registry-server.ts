// One server per spec file: the repository (harness page, dist/) and, under /registry/,
// a registry directory, same origin, with the faults a real network produces.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, resolve, sep } from 'node:path';
import { parseRange, startStaticServer } from '../../../scripts/static-server.js';

export interface Faults {
  /** Answer requests for these registry paths with these bytes instead of the file. */
  overrides: Map<string, Uint8Array>;
  /** Cut the connection after this many body bytes of the next request for the path. */
  cutOnce: Map<string, number>;
  /** Bodies for the next requests of a path, one per request in order (`undefined`: the file itself). */
  sequence: Map<string, Array<Uint8Array | undefined>>;
  /** Ignore Range headers (a server or CDN that does not support them). */
  ignoreRange: boolean;
  /** Fail every registry request at the socket, as a dead network would. */
  offline: boolean;
  /** Answer requests for these paths with this status and no body (e.g. 503), while set. */
  status: Map<string, number>;
  /** Send these paths one byte every 50 ms after the headers, as a slow-retrieval attacker would. */
  trickle: Set<string>;
}

export interface RegistryServer {
  origin: string;
  faults: Faults;
  /** Body bytes sent per registry path since the last reset. */
  sent: Map<string, number>;
  requests: Array<{ path: string; range?: string; ifNoneMatch?: string; status?: number }>;
  reset(): void;
  close(): Promise<void>;
}

export async function startRegistryServer(registryDir: string, repoRoot = process.cwd()): Promise<RegistryServer> {
  const faults: Faults = { overrides: new Map(), cutOnce: new Map(), sequence: new Map(), ignoreRange: false, offline: false, status: new Map(), trickle: new Set() };
  const sent = new Map<string, number>();
  const requests: RegistryServer['requests'] = [];
  const root = resolve(registryDir);

  const intercept = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/registry/')) return false;
    const path = decodeURIComponent(url.pathname.slice('/registry/'.length));
    const record: RegistryServer['requests'][number] = {
      path,
      ...(req.headers.range ? { range: req.headers.range } : {}),
      ...(req.headers['if-none-match'] ? { ifNoneMatch: req.headers['if-none-match'] } : {}),
    };
    requests.push(record);
    if (faults.offline) {
      req.socket.destroy();
      return true;
    }
    const status = faults.status.get(path);
    if (status !== undefined) {
      record.status = status;
      res.writeHead(status, { 'content-type': 'text/plain' }).end('unavailable');
      return true;
    }
    let body: Uint8Array | undefined = faults.sequence.get(path)?.shift() ?? faults.overrides.get(path);
    if (!body) {
      const file = normalize(join(root, path));
      if (!file.startsWith(root + sep)) {
        res.writeHead(403).end();
        return true;
      }
      body = await fs.readFile(file).catch(() => undefined);
    }
    if (!body) {
      record.status = 404;
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return true;
    }
    // A strong validator, as static hosts and CDNs send: an unchanged file costs a 304.
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
    if (req.headers['if-none-match'] === etag) {
      record.status = 304;
      res.writeHead(304, { etag }).end();
      return true;
    }
    const range = faults.ignoreRange ? undefined : parseRange(req.headers.range, body.byteLength);
    if (range === 'invalid') {
      res.writeHead(416, { 'content-range': `bytes */${body.byteLength}` }).end();
      return true;
    }
    const slice = range ? body.subarray(range.start, range.end + 1) : body;
    const headers: Record<string, string | number> = {
      'content-type': path.endsWith('.json') ? 'application/json' : 'application/octet-stream',
      'content-length': slice.byteLength,
      'accept-ranges': faults.ignoreRange ? 'none' : 'bytes',
      etag,
    };
    record.status = range ? 206 : 200;
    if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${body.byteLength}`;
    res.writeHead(range ? 206 : 200, headers);
    if (faults.trickle.has(path)) {
      let at = 0;
      const timer = setInterval(() => {
        if (at >= slice.byteLength || req.socket.destroyed) {
          clearInterval(timer);
          if (at >= slice.byteLength) res.end();
          return;
        }
        res.write(slice.subarray(at, at + 1));
        sent.set(path, (sent.get(path) ?? 0) + 1);
        at++;
      }, 50);
      req.socket.once('close', () => clearInterval(timer));
      return true;
    }
    const cut = faults.cutOnce.get(path);
    if (cut !== undefined && cut < slice.byteLength) {
      faults.cutOnce.delete(path);
      sent.set(path, (sent.get(path) ?? 0) + cut);
      // The connection stalls, then dies, as a dropped mobile link does. The pause lets
      // the browser read what did arrive: a close right after the write can make it drop
      // bytes it had not handed to the page yet, and the resume point would depend on
      // how busy the machine is.
      res.write(slice.subarray(0, cut), () => setTimeout(() => req.socket.destroy(), 500));
      return true;
    }
    sent.set(path, (sent.get(path) ?? 0) + slice.byteLength);
    res.end(slice);
    return true;
  };

  const server: Server = await startStaticServer({ root: repoRoot, port: 0, intercept });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    faults,
    sent,
    requests,
    reset() {
      sent.clear();
      requests.length = 0;
      faults.overrides.clear();
      faults.cutOnce.clear();
      faults.sequence.clear();
      faults.ignoreRange = false;
      faults.offline = false;
      faults.status.clear();
      faults.trickle.clear();
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
