import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { chromiumArgs } from '../../playwright.config.js';

// The demo as a new user meets it: `npm start` on a prepared checkout, then the page in
// Chromium with a fake microphone fed the same speech clip.

const CLIP = resolve('demo/public/speech.wav');
const CLIP_SPEECH: Array<[number, number]> = [
  [1.0, 3.106],
  [4.106, 5.375],
];

test.use({
  launchOptions: {
    executablePath: process.env.OUTPOST_CHROMIUM ?? '/usr/bin/chromium',
    args: [...chromiumArgs, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-audio-capture=${CLIP}`],
  },
  permissions: ['microphone'],
});

interface Started {
  child: ChildProcess;
  demoUrl: string;
  output: () => string;
}

function freePort(): Promise<number> {
  return new Promise((done, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function npmStart(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => void (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => void (text += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, output: () => text, exited };
}

let started: Started & { exited: Promise<number | null> };

test.beforeAll(async () => {
  test.setTimeout(600_000);
  const collectorPort = await freePort();
  const run = npmStart(['--port', '0', '--collector-port', String(collectorPort)]);
  const deadline = Date.now() + 580_000;
  let match: RegExpExecArray | null = null;
  while (!(match = /demo:\s+(http:\/\/\S+)/.exec(run.output()))) {
    if (run.child.exitCode !== null) throw new Error(`npm start exited ${run.child.exitCode}:\n${run.output()}`);
    if (Date.now() > deadline) throw new Error(`npm start printed no URL:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  started = { ...run, demoUrl: match[1]! };
});

test.afterAll(async () => {
  if (!started) return;
  started.child.kill('SIGINT');
  // A clean stop: exit 0, every child it started gone with it.
  expect(await started.exited).toBe(0);
});

const inside = (t: number, [a, b]: [number, number]) => t >= a && t <= b;

test('a new user compares backends on real inputs, sees VAD and OCR, exports CSV', async ({ page }, testInfo) => {
  test.setTimeout(600_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    // The one expected 404: the client asks for the next root version (TUF's root walk),
    // and "not found" is how a registry says there is none.
    const rootProbe = /\/roots\/\d+\.root\.json$/.test(message.location().url);
    if (message.type() === 'error' && !rootProbe) errors.push(`${message.text()} ${message.location().url}`);
  });
  await page.goto(started.demoUrl);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 60_000 });
  await expect(page.locator('#isolated')).toHaveText('true');

  // The comparison on every backend, few runs: SwiftShader's WebGPU is ~100× slower than WASM.
  await page.selectOption('#model', 'silero-vad');
  const boxes = page.locator('#backend-choices input');
  const count = await boxes.count();
  for (let i = 0; i < count; i++) if (await boxes.nth(i).isEnabled()) await boxes.nth(i).check();
  const enabled = await page.locator('#backend-choices input:enabled').count();
  await page.fill('#runs', '3');
  await page.click('#bench');
  await expect(page.locator('#bench-status')).toContainText('Done', { timeout: 300_000 });
  await expect(page.locator('#bench-status')).not.toHaveClass(/error/);
  const rows = page.locator('#results tbody tr');
  await expect(rows).toHaveCount(enabled);
  for (let i = 0; i < enabled; i++) {
    const median = Number(await rows.nth(i).locator('td').nth(3).textContent());
    expect(median).toBeGreaterThan(0);
  }
  await expect(page.locator('#latency-chart canvas')).toHaveCount(1);
  await expect(page.locator('#latency-summary')).toContainText('median');
  await expect(page.locator('#load-bars .bar')).toHaveCount(enabled * 2);
  await expect(page.locator('#auto-explained')).toContainText("'auto'");
  if (await page.locator('#adapter').textContent().then((t) => t?.includes('software'))) {
    await expect(page.locator('#auto-explained')).toContainText('software');
  }

  const downloadPromise = page.waitForEvent('download');
  await page.click('#export-csv');
  const csv = await readFile((await (await downloadPromise).path())!, 'utf8');
  const [header, ...lines] = csv.trim().split('\n').map((line) => line.split(','));
  expect(header).toContain('median_ms');
  expect(header).toContain('cores');
  expect(lines).toHaveLength(enabled);
  const medianColumn = header!.indexOf('median_ms');
  for (const line of lines) expect(Number(line[medianColumn])).toBeGreaterThan(0);

  // VAD on the clip: speech found where the clip has it, none in the opening silence.
  await page.click('#vad-clip');
  await expect(page.locator('#vad-summary')).toContainText('Clip', { timeout: 120_000 });
  await expect(page.locator('#vad-chart canvas')).toHaveCount(1);
  const segments = JSON.parse((await page.locator('#vad-chart').getAttribute('data-segments'))!) as Array<[number, number]>;
  for (const speech of CLIP_SPEECH) {
    expect(segments.some(([a, b]) => inside((a + b) / 2, speech) || (a <= speech[0] && b >= speech[1]))).toBe(true);
  }
  expect(segments.every(([a]) => a > 0.8)).toBe(true);

  // Text detection: every drawn line is covered by a detected box.
  await page.click('#ocr-run');
  await expect(page.locator('#ocr-summary')).toContainText('text region', { timeout: 180_000 });
  const textBoxes = JSON.parse((await page.locator('#ocr-canvas').getAttribute('data-text-boxes'))!) as Box[];
  const found = JSON.parse((await page.locator('#ocr-canvas').getAttribute('data-boxes'))!) as Box[];
  for (const text of textBoxes) expect(found.some((box) => overlapArea(text, box) > 0.5 * text.w * text.h)).toBe(true);

  // The microphone, through Chromium's fake capture device playing the same clip.
  await page.click('#vad-mic');
  await expect(page.locator('#vad-summary')).toContainText('speech at', { timeout: 60_000 });
  await page.click('#vad-mic-stop');
  await expect(page.locator('#vad-mic')).toBeEnabled();

  // The cache panel lists what the page loaded, and removes it.
  const cacheRows = page.locator('#cache tbody tr');
  await expect(cacheRows.filter({ hasText: 'silero-vad' })).toHaveCount(1);
  await expect(cacheRows.filter({ hasText: 'ppocr-det' })).toHaveCount(1);
  await expect(page.locator('#cache-usage')).toContainText('MiB');
  await page.getByRole('button', { name: 'Remove ppocr-det 1.0.0 from the cache' }).click();
  await expect(cacheRows.filter({ hasText: 'ppocr-det' })).toHaveCount(0);
  await expect(cacheRows.filter({ hasText: 'silero-vad' })).toHaveCount(1);

  await page.screenshot({ path: testInfo.outputPath('demo.png'), fullPage: true });
  // The README's picture: OUTPOST_DOCS_SCREENSHOT=docs/demo.png refreshes it.
  if (process.env.OUTPOST_DOCS_SCREENSHOT) await page.locator('section').first().screenshot({ path: process.env.OUTPOST_DOCS_SCREENSHOT });

  const axe = await new AxeBuilder({ page }).analyze();
  const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  expect(errors).toEqual([]);

  await test.step("the dashboard shows the page's runs", async () => {
    const dashboard = await page.locator('#dashboard').getAttribute('href');
    expect(dashboard).toMatch(/^http:\/\/localhost:\d+\/$/);
    // Leaving the page flushes its telemetry (pagehide, keepalive fetch).
    await page.goto('about:blank');
    const runs = async () => {
      const answer = await fetch(`${dashboard}api/v1/latency?model=silero-vad`).then((r) => r.json() as Promise<{ rows: Array<{ count: number }> }>);
      return answer.rows.reduce((n, r) => n + r.count, 0);
    };
    await expect.poll(runs, { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
    await page.goto(`${dashboard}?model=silero-vad&range=1h`);
    await expect(page.locator('body[data-loaded]')).toBeAttached({ timeout: 30_000 });
    await expect(page.locator('#latency')).toHaveAttribute('data-state', 'data');
    await expect(page.locator('#latency .latency-summary')).toContainText('silero-vad@');
    await expect(page.locator('#latency .uplot canvas')).toHaveCount(1);
    await expect(page.locator('#load')).toHaveAttribute('data-state', 'data');
    await expect(page.locator('#drift article.drift-version').first()).toBeAttached();
    await page.screenshot({ path: testInfo.outputPath('dashboard.png'), fullPage: true });
    const dashboardAxe = await new AxeBuilder({ page }).analyze();
    const dashboardSerious = dashboardAxe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(dashboardSerious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  });
});

test('a port already in use gives a one-line error naming it', async () => {
  const holder = createServer();
  await new Promise<void>((done) => holder.listen(0, '127.0.0.1', () => done()));
  const address = holder.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  try {
    const run = npmStart(['--port', String(port), '--collector-port', String(await freePort())]);
    expect(await run.exited).toBe(1);
    const lines = run.output().trim().split('\n').filter((line) => !line.startsWith('npm warn'));
    expect(lines).toEqual([expect.stringContaining(`port ${port}`)]);
  } finally {
    holder.close();
  }
});

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

function overlapArea(a: Box, b: Box): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}
