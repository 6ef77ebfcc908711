// One browser engine, reduced to what the cross-engine scenarios need: open a page,
// evaluate an async function in it, and report the page's uncaught errors.

export interface EnginePage {
  /** Navigates and waits for the load event. */
  goto(url: string): Promise<void>;
  /**
   * Runs `fn(arg)` in the page and resolves with its (JSON) result. `fn` is sent as
   * source text, so it may use only page globals and its argument.
   */
  evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  /** Uncaught errors and unhandled rejections seen since the page was opened. */
  errors(): Promise<string[]>;
  close(): Promise<void>;
}

export interface EngineDriver {
  readonly name: 'chromium' | 'firefox' | 'webkit';
  /** Engine and version, as the browser reports them. */
  version(): Promise<string>;
  /** A fresh page (a new profile or session for engines that cannot open more tabs). */
  newPage(): Promise<EnginePage>;
  close(): Promise<void>;
}

/** Source of an expression that calls `fn` with `arg` and yields a promise. */
export function callSource<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): string {
  return `Promise.resolve((${fn.toString()})(${JSON.stringify(arg ?? null)}))`;
}

/**
 * Installed before the page's scripts where the driver can (and re-checked after load):
 * collects what the page threw, since WebDriver has no page-error event.
 */
export const ERROR_TRAP = `(() => {
  if (window.__engineErrors) return;
  window.__engineErrors = [];
  addEventListener('error', (e) => window.__engineErrors.push(String(e.message || e.error)));
  addEventListener('unhandledrejection', (e) => window.__engineErrors.push('unhandled rejection: ' + String(e.reason && e.reason.message || e.reason)));
})()`;
