/**
 * The collector as a process: listen, and on SIGTERM/SIGINT stop accepting, finish the
 * requests in flight, commit what they queued, checkpoint the WAL, and resolve.
 */
import type { FastifyInstance } from 'fastify';
import { buildCollectorApp } from './app.js';
import type { CollectorOptions } from './options.js';

export interface ServeOptions extends CollectorOptions {
  port: number;
  /** @default '127.0.0.1' */
  host?: string;
}

export interface RunningCollector {
  app: FastifyInstance;
  /** e.g. http://127.0.0.1:4318 */
  url: string;
  /** Graceful stop; resolves once the store is closed. */
  close(): Promise<void>;
}

/**
 * Starts a collector listening on `port` (0 picks a free one).
 *
 * @example
 * ```ts
 * const collector = await serveCollector({ port: 0, store: openSqliteStore({ file: 'data/collector.db' }) });
 * console.log(collector.url);
 * await collector.close();
 * ```
 */
export async function serveCollector(options: ServeOptions): Promise<RunningCollector> {
  const { port, host = '127.0.0.1', ...collectorOptions } = options;
  const app = await buildCollectorApp(collectorOptions);
  const address = await app.listen({ port, host });
  let closing: Promise<void> | undefined;
  return { app, url: address, close: () => (closing ??= app.close()) };
}

/**
 * Resolves with the signal's name once SIGTERM or SIGINT arrived and `collector` closed.
 *
 * @example
 * ```ts
 * await closeOnSignal(collector); // 'SIGTERM'
 * ```
 */
export function closeOnSignal(collector: RunningCollector): Promise<NodeJS.Signals> {
  return new Promise((resolve, reject) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      collector.app.log.info({ signal }, 'shutting down');
      collector.close().then(() => resolve(signal), reject);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
