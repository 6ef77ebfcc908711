// One local origin for a whole benchmark run: the page, the built package and the
// registry are served by the same cross-origin isolated server, so every variant
// pays the same network and the same COOP/COEP rules.
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startStaticServer } from '../../scripts/static-server.js';
import { progress } from './report.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

export interface Site {
  origin: string;
  /** Scratch folder for this run (built package, registry); removed by close(). */
  workDir: string;
  close(): Promise<void>;
}

export interface SiteOptions {
  /** Folder served at /dist/ (a fresh build, or the checkout's dist/). */
  distDir: string;
  /** Folder served at /registry/, if any. */
  registryDir?: string;
  workDir: string;
  /** Answers some requests itself first (returns true when it did), e.g. a registry file that changes per request. */
  intercept?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/** A scratch folder for one benchmark run. */
export function makeWorkDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'outpost-bench-'));
}

/**
 * Builds the library into `outDir` with the project's own Vite config, so the bench
 * measures the sources without touching the checkout's dist/ (others may be testing
 * against it). With `ref`, builds that commit (exported with `git archive`) instead of
 * the working tree, so half-finished edits elsewhere cannot skew or break the run.
 */
export async function buildPackage(outDir: string, ref?: string): Promise<string> {
  let root = REPO_ROOT;
  if (ref) {
    root = join(dirname(outDir), 'source');
    await mkdir(root, { recursive: true });
    const { execFileSync } = await import('node:child_process');
    const archive = execFileSync('git', ['archive', '--format=tar', ref, 'src', 'vite.config.ts', 'package.json', 'tsconfig.json'], {
      cwd: REPO_ROOT,
      maxBuffer: 256 * 2 ** 20,
    });
    execFileSync('tar', ['-x', '-C', root], { input: archive });
    await symlink(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  }
  const { build } = await import('vite');
  await build({
    root,
    configFile: join(root, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
  return outDir;
}

/** Which code the numbers belong to, for the report: a commit, the working tree on top of one, or a prebuilt dist/. */
export async function describeSource(args: Record<string, string | boolean | undefined>): Promise<string> {
  const { execFileSync } = await import('node:child_process');
  const git = (...argv: string[]) => execFileSync('git', argv, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  if (args['no-build']) return "the checkout's prebuilt dist/";
  if (typeof args.ref === 'string') return `commit ${git('rev-parse', '--short', args.ref)}`;
  const dirty = git('status', '--porcelain', '--', 'src', 'vite.config.ts') !== '';
  return `working tree at ${git('rev-parse', '--short', 'HEAD')}${dirty ? ' with uncommitted changes in src/' : ''}`;
}

/** The package the page imports as /dist/: built from the working tree, from `--ref`, or the checkout's dist/. */
export async function preparePackage(args: Record<string, string | boolean | undefined>, workDir: string): Promise<string> {
  if (args['no-build']) {
    progress("using the checkout's dist/ as it is");
    return join(REPO_ROOT, 'dist');
  }
  const ref = typeof args.ref === 'string' ? args.ref : undefined;
  progress(`building the package from ${ref ? `commit ${ref}` : 'the working tree'} (vite) …`);
  return buildPackage(join(workDir, 'dist'), ref);
}

/**
 * Serves a site root made of links: /bench/, /models/ and /node_modules/ from the checkout,
 * /dist/ and /registry/ from wherever this run put them.
 */
export async function startSite(options: SiteOptions): Promise<Site> {
  const root = join(options.workDir, 'site');
  await mkdir(root, { recursive: true });
  await symlink(join(REPO_ROOT, 'bench'), join(root, 'bench'));
  await symlink(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  await symlink(join(REPO_ROOT, 'models'), join(root, 'models'));
  await symlink(resolve(options.distDir), join(root, 'dist'));
  if (options.registryDir) await symlink(resolve(options.registryDir), join(root, 'registry'));
  const intercept = options.intercept;
  const server: Server = await startStaticServer({
    root,
    port: 0,
    intercept: (req, res) => (intercept?.(req, res) ?? false) || cacheAppAssets(req, res),
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    workDir: options.workDir,
    async close() {
      await new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      });
      await rm(options.workDir, { recursive: true, force: true });
    },
  };
}

/**
 * The app's own files (the package, onnxruntime-web's .mjs/.wasm) are cacheable, as a
 * CDN serves them, so Chromium keeps its compiled-WASM cache across the many fresh
 * workers a run starts; without it every worker recompiles onnxruntime's .wasm (seconds
 * here) and that fixed cost drowns what the bench compares. Registry files stay
 * `no-store`: every cold load and every plain fetch really crosses the network.
 */
function cacheAppAssets(req: IncomingMessage, res: ServerResponse): boolean {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path.startsWith('/dist/') || path.startsWith('/node_modules/')) res.setHeader('Cache-Control', 'public, max-age=3600');
  return false;
}

/** Runs `npm run models` when a model the bench needs is missing. */
export async function ensureModels(files: string[]): Promise<void> {
  const { access } = await import('node:fs/promises');
  const missing = await Promise.all(files.map((file) => access(join(REPO_ROOT, file)).then(() => false, () => true)));
  if (!missing.some(Boolean)) return;
  const { execFileSync } = await import('node:child_process');
  execFileSync('npx', ['tsx', 'scripts/models.ts'], { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
}
