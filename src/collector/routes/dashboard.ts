/**
 * `/` → the operator dashboard: the static files Vite built from dashboard/ (into
 * dist/dashboard), served by @fastify/static. When they are missing (a checkout that
 * was never built), `/` answers 503 with what to run and the collector logs it once
 * at start, so "no dashboard" is never a silent 404.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** What `/` answers when the dashboard was not built. */
export const DASHBOARD_MISSING = 'The operator dashboard is not built: run `npm run build` in the outpost package, then restart the collector. The API (/api/v1/...) and /metrics work without it.';

/**
 * The package's dist/dashboard, found by walking up from this module to outpost's
 * package.json (this file runs from src/ under tsx and from dist/node when built).
 *
 * @example
 * ```ts
 * defaultDashboardDir(); // '<package>/dist/dashboard'
 * ```
 */
export function defaultDashboardDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'outpost') return join(dir, 'dist', 'dashboard');
      } catch {
        // not ours; keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Registers `/` and the dashboard's assets.
 *
 * @example
 * ```ts
 * await app.register(dashboardRoute, { dir: 'dist/dashboard' });
 * ```
 */
export async function dashboardRoute(app: FastifyInstance, options: { dir: string | undefined }): Promise<void> {
  const dir = options.dir;
  if (dir === undefined || !existsSync(join(dir, 'index.html'))) {
    app.log.warn({ dir }, DASHBOARD_MISSING);
    app.get('/', async (_request, reply) => reply.code(503).type('text/plain; charset=utf-8').send(DASHBOARD_MISSING));
    return;
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    index: ['index.html'],
    // Only the files that exist at start get routes: nothing outside the folder, no directory listing.
    wildcard: false,
    // Cache-Control is set below per file, not by the plugin's one maxAge.
    cacheControl: false,
    setHeaders: (res, path) => {
      // Hashed assets never change; the page itself must be re-read after an upgrade.
      if (/[\\/]assets[\\/]/.test(path)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      else res.setHeader('Cache-Control', 'no-cache');
    },
  });
}
