// WebKit (Safari's engine) through WebKitWebDriver, which drives MiniBrowser. MiniBrowser
// has no headless mode, so it runs on a private Xvfb display.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Builder, type WebDriver } from 'selenium-webdriver';
import { callSource, ERROR_TRAP, type EngineDriver, type EnginePage } from './driver.js';

const MINIBROWSER = process.env.OUTPOST_MINIBROWSER ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

export async function launchWebKit(): Promise<EngineDriver> {
  const display = `:${90 + Math.floor(Math.random() * 400)}`;
  const xvfb = spawn('Xvfb', [display, '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
  const port = await freePort();
  // WebKitGTK takes navigator.language from the locale: under LANG=C it is "C", which
  // Intl refuses (RangeError), as no Safari user's language ever is. uPlot formats with
  // it when its module loads, so the dashboard never started here.
  const env = { ...process.env, DISPLAY: display, LANG: 'en_US.UTF-8', LANGUAGE: 'en_US' };
  const driver = spawn('WebKitWebDriver', [`--port=${port}`], { stdio: 'ignore', env });
  const stop = () => {
    driver.kill();
    xvfb.kill();
  };
  try {
    await waitForServer(`http://127.0.0.1:${port}/status`, driver);
  } catch (error) {
    stop();
    throw error;
  }
  const sessions = new Set<WebDriver>();
  let version = '';
  return {
    name: 'webkit',
    async version() {
      return version;
    },
    async newPage() {
      // Every automation session is ephemeral: a new one is a new visitor.
      const session = await startSession(port);
      sessions.add(session);
      const caps = await session.getCapabilities();
      version ||= `WebKitGTK ${String(caps.get('browserVersion'))}`;
      await session.manage().setTimeouts({ script: 240_000, pageLoad: 60_000 });
      return wrap(session, async () => {
        sessions.delete(session);
        await session.quit().catch(() => undefined);
      });
    },
    async close() {
      for (const session of sessions) await session.quit().catch(() => undefined);
      stop();
    },
  };
}

/**
 * A new MiniBrowser session. Now and then MiniBrowser never answers WebKitWebDriver's
 * start under Xvfb, and the request would wait for ever: each try gets 60 s, then one
 * more try; a session that turns up late is quit.
 */
async function startSession(port: number): Promise<WebDriver> {
  for (let attempt = 1; ; attempt++) {
    const starting = new Builder()
      .usingServer(`http://127.0.0.1:${port}`)
      .withCapabilities({ browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } })
      .build();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(resolve, 60_000, 'late')));
    const outcome = await Promise.race([Promise.resolve(starting), late]);
    clearTimeout(timer);
    if (outcome !== 'late') return outcome;
    void Promise.resolve(starting).then((session) => session.quit(), () => undefined);
    if (attempt === 2) throw new Error('MiniBrowser did not start a WebDriver session in 60 s, twice');
  }
}

function wrap(session: WebDriver, close: () => Promise<void>): EnginePage {
  return {
    async goto(url) {
      await session.get(url);
      await session.executeScript(ERROR_TRAP);
    },
    async evaluate(fn, arg) {
      const script = `const done = arguments[arguments.length - 1];
        ${callSource(fn, arg)}.then((value) => done({ value }), (error) => done({ thrown: String(error && error.stack || error) }));`;
      const outcome = (await session.executeAsyncScript(script)) as { value?: never; thrown?: string };
      if (outcome.thrown !== undefined) throw new Error(`in page: ${outcome.thrown}`);
      return outcome.value as never;
    },
    async errors() {
      return ((await session.executeScript('return window.__engineErrors || []').catch(() => [])) as string[]) ?? [];
    },
    close,
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitForServer(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`WebKitWebDriver exited with ${child.exitCode}`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`WebKitWebDriver did not answer at ${url}`);
}
