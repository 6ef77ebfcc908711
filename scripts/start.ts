// `npm start`: the whole system on one machine. Makes sure the models, the build, dev
// keys and a signed demo registry exist (reusing whatever is already there), starts the
// collector when this checkout has one, then serves the demo page cross-origin isolated.
// Ctrl-C stops everything it started.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DATA_DIR, DEMO_DIR, ensureDemoRegistry } from './demo-registry.js';
import { syncModels } from './models.js';
import { writeReferenceInputs } from './reference-inputs.js';
import { startStaticServer } from './static-server.js';

const SITE_DIR = join(DATA_DIR, 'demo-site');
const COLLECTOR_DB = join(DATA_DIR, 'collector.db');

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '5173' },
    'collector-port': { type: 'string', default: process.env.COLLECTOR_PORT ?? '4318' },
  },
});
const port = Number(values.port);
const collectorPort = Number(values['collector-port']);

/** One line, then out: what a user needs to act on, without a stack trace. */
function fail(message: string): never {
  console.error(`npm start: ${message}`);
  process.exit(1);
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'registry' || entry === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) fail(`${command} ${args.join(' ')} failed`);
}

/** Binds and releases a port, so a busy one is reported before minutes of building. */
function assertPortFree(p: number, what: string): Promise<void> {
  if (p === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      fail(error.code === 'EADDRINUSE' ? `port ${p} (${what}) is already in use; stop what holds it or choose another port` : `cannot listen on port ${p} (${what}): ${error.code ?? error.message}`),
    );
    probe.listen(p, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/** The library and CLI, rebuilt only when a source is newer than the build. */
function ensureBuild(): void {
  const built = Math.min(newestMtime('dist/index.js'), newestMtime('dist/node/cli/main.js'), existsSync('dist/ort') ? Infinity : 0, newestMtime('dist/dashboard/index.html'));
  if (built === 0 || Math.max(newestMtime('src'), newestMtime('dashboard')) > built) run('npm', ['run', '--silent', 'build']);
}

/** The demo page's Vite build, redone only when demo/ changed. */
async function ensureDemoSite(): Promise<void> {
  if (existsSync(join(SITE_DIR, 'index.html')) && newestMtime('demo') <= newestMtime(join(SITE_DIR, 'index.html'))) return;
  const { build } = await import('vite');
  await build({ configFile: join('demo', 'vite.config.ts') });
}

/** Feature detection: the collector verb and drift references land on their own branches. */
const hasCollector = () => existsSync(join('src', 'collector')) && existsSync(join('dist', 'node', 'collector'));
const hasReferenceInputs = () => readFileSync(join('src', 'cli', 'commands', 'publish.ts'), 'utf8').includes('reference-inputs');

/** Builds (or reuses) the signed demo registry, with drift references when the CLI can sign them. */
async function buildRegistry() {
  const referenceInputs = hasReferenceInputs() ? writeReferenceInputs(join(DATA_DIR, 'reference-inputs')) : undefined;
  return ensureDemoRegistry(referenceInputs ? { referenceInputs } : {});
}

interface Collector {
  url: string;
  /** Whether it serves the operator dashboard at `/` (not every checkout builds it yet). */
  dashboard: boolean;
  stop(): Promise<void>;
}

/** `outpost collector` on SQLite, pointed at the demo registry for drift references. */
async function startCollector(registryDir: string, root: string): Promise<Collector> {
  const args = ['bin/outpost.js', 'collector', '--port', String(collectorPort), '--db', COLLECTOR_DB, '--registry', registryDir, '--root', root];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${collectorPort}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const healthy = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (healthy) break;
    const done = await Promise.race([exited, new Promise((r) => setTimeout(r, 250, 'waiting'))]);
    if (done !== 'waiting') fail(`the collector exited (${String(done)}) before it was healthy`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      fail(`the collector on port ${collectorPort} did not answer /healthz in 30 s`);
    }
  }
  const dashboard = await fetch(`${url}/`).then((r) => r.ok, () => false);
  return {
    url,
    dashboard,
    async stop() {
      if (child.exitCode !== null) return;
      // SIGINT lets it close SQLite, which checkpoints the WAL.
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function serveDemo(collector: Collector | undefined): Promise<Server> {
  const dashboard = collector?.dashboard ? { dashboard: `${collector.url.replace('127.0.0.1', 'localhost')}/` } : {};
  const pageConfig = JSON.stringify(collector ? { collector: collector.url, ...dashboard } : {});
  try {
    // Only the site, the library build and the registry are reachable: never the data folder's keys.
    return await startStaticServer({
      root: SITE_DIR,
      port,
      mounts: [
        { prefix: '/demo/registry/', dir: DEMO_DIR },
        { prefix: '/demo/', dir: SITE_DIR },
        { prefix: '/dist/', dir: 'dist' },
      ],
      intercept(req, res) {
        const path = new URL(req.url ?? '/', 'http://localhost').pathname;
        if (path === '/' || path === '/demo') {
          res.writeHead(302, { Location: '/demo/' }).end();
          return true;
        }
        if (path === '/demo/config.json') {
          res.writeHead(200, { 'content-type': 'application/json' }).end(pageConfig);
          return true;
        }
        if (!path.startsWith('/demo/') && !path.startsWith('/dist/') && path !== '/healthz') {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
          return true;
        }
        return false;
      },
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    fail(code === 'EADDRINUSE' ? `port ${port} (demo page) is already in use; stop what holds it or set PORT` : `cannot serve on port ${port}: ${code ?? String(error)}`);
  }
}

const collectorAvailable = hasCollector();
await assertPortFree(port, 'demo page');
if (collectorAvailable) await assertPortFree(collectorPort, 'collector');

const started = performance.now();
await syncModels();
ensureBuild();
const registry = await buildRegistry();
await ensureDemoSite();
const collector = collectorAvailable ? await startCollector(registry.dir, registry.root) : undefined;
const server = await serveDemo(collector);
const address = server.address();
const actualPort = typeof address === 'object' && address ? address.port : port;

console.log(`\nOutpost is running (ready in ${((performance.now() - started) / 1000).toFixed(1)} s; registry ${registry.action}):`);
console.log(`  demo:      http://localhost:${actualPort}/demo/`);
if (collector?.dashboard) console.log(`  dashboard: ${collector.url.replace('127.0.0.1', 'localhost')}/  (telemetry: ${collector.url})`);
else if (collector) console.log(`  collector: ${collector.url}  (telemetry in; /metrics, /api/v1/latency, /api/v1/drift, /api/v1/alerts; no dashboard page yet)`);
else console.log('  dashboard: not in this checkout yet (no `outpost collector`)');
console.log('Press Ctrl+C to stop.');

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  server.closeAllConnections();
  await Promise.all([new Promise((resolve) => server.close(resolve)), collector?.stop()]);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
