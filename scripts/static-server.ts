import { createReadStream, promises as fs } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wav': 'audio/wav',
};

export interface StaticServerOptions {
  root: string;
  port: number;
  host?: string;
  /** URL prefixes served from other folders, e.g. `{ prefix: '/demo/', dir: 'site' }`; the longest match wins. */
  mounts?: ReadonlyArray<{ prefix: string; dir: string }>;
  /** Runs before the file handler; returns true when it answered the request itself. */
  intercept?: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;
}

/**
 * Serves files cross-origin isolated (COOP/COEP, so onnxruntime-web gets WASM threads)
 * with byte ranges, as a CDN would serve a registry.
 */
export function startStaticServer(options: StaticServerOptions): Promise<Server> {
  const mounts = [...(options.mounts ?? []), { prefix: '/', dir: options.root }]
    .map((mount) => ({ prefix: mount.prefix, dir: resolve(mount.dir) }))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(error instanceof Error ? error.message : 'internal error');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setIsolationHeaders(res);
    if (options.intercept && (await options.intercept(req, res))) return;
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    const pathname = decodeURIComponent(url.pathname);
    const mount = mounts.find((m) => pathname.startsWith(m.prefix)) ?? mounts[mounts.length - 1]!;
    const root = mount.dir;
    let path = normalize(join(root, pathname.slice(mount.prefix.length)));
    if (path !== root && !path.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    let stat = await fs.stat(path).catch(() => undefined);
    if (stat?.isDirectory()) {
      path = join(path, 'index.html');
      stat = await fs.stat(path).catch(() => undefined);
    }
    if (!stat?.isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    sendFile(req, res, path, stat);
  }

  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolvePromise(server));
  });
}

export function setIsolationHeaders(res: ServerResponse): void {
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', 'Content-Length, Content-Range, Accept-Ranges, ETag');
  res.setHeader('Cache-Control', 'no-store');
}

/**
 * A validator from the file's size and modification time, as nginx makes one: a file
 * replaced on disk (a new signed index) gets a new one, so a conditional request for
 * an unchanged file costs a 304 and no body, as from a CDN.
 */
function etagOf(stat: { size: number; mtimeMs: number }): string {
  return `"${Math.round(stat.mtimeMs * 1000).toString(16)}-${stat.size.toString(16)}"`;
}

function sendFile(req: IncomingMessage, res: ServerResponse, path: string, stat: { size: number; mtimeMs: number }): void {
  const { size } = stat;
  const type = MIME[extname(path)] ?? 'application/octet-stream';
  const etag = etagOf(stat);
  const matches = req.headers['if-none-match']?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
  if (matches && req.headers.range === undefined) {
    res.writeHead(304, { etag }).end();
    return;
  }
  const range = parseRange(req.headers.range, size);
  if (range === 'invalid') {
    res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
    return;
  }
  const headers: Record<string, string | number> = { 'content-type': type, 'accept-ranges': 'bytes', etag };
  if (range) {
    headers['content-range'] = `bytes ${range.start}-${range.end}/${size}`;
    headers['content-length'] = range.end - range.start + 1;
    res.writeHead(206, headers);
  } else {
    headers['content-length'] = size;
    res.writeHead(200, headers);
  }
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(path, range ? { start: range.start, end: range.end } : {}).pipe(res);
}

/** A single `bytes=a-b` / `bytes=a-` / `bytes=-n` range; anything else is served whole. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'invalid' | undefined {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  let start: number;
  let end: number;
  if (first === '') {
    start = Math.max(0, size - Number(last));
    end = size - 1;
  } else {
    start = Number(first);
    end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  }
  if (start >= size || start > end) return 'invalid';
  return { start, end };
}
