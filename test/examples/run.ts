// The sample apps as tests: packs the package as npm would publish it, installs the
// tarball into fresh copies of examples/vite-app and examples/webpack-app, builds
// each, serves the output cross-origin isolated, and loads and runs a signed model in
// real Chromium. The Vite app also runs under `vite dev` with its SPA fallback on
// (missing files answered with index.html), and Node must import the package (SSR).
// Prints the size each build emits. Ports: OUTPOST_EXAMPLES_PORT and the next one.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { chromiumArgs } from '../../playwright.config.js';
import { startStaticServer } from '../../scripts/static-server.js';
import { buildRegistry } from '../browser/support/registry-fixture.js';

const repo = resolve(import.meta.dirname, '../..');
const basePort = Number(process.env.OUTPOST_EXAMPLES_PORT ?? 5190);
const work = mkdtempSync(join(tmpdir(), 'outpost-examples-'));
const expected = [3, 5, 7, 9]; // tiny_affine: y = 2x + 1 for x = 1, 2, 3, 4

const sh = (cwd: string, command: string, args: string[]) => {
  console.log(`$ (${cwd.replace(work, '<tmp>')}) ${command} ${args.join(' ')}`);
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
};

function bytesUnder(dir: string): Array<{ file: string; bytes: number }> {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((file) => ({ file, bytes: statSync(join(dir, file)).size }))
    .filter((entry) => statSync(join(dir, entry.file)).isFile());
}

function report(app: string, dir: string): void {
  const files = bytesUnder(dir).filter((f) => !f.file.startsWith('registry'));
  const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;
  const total = files.reduce((sum, f) => sum + f.bytes, 0);
  console.log(`${app}: ${files.length} files, ${mb(total)} in all`);
  for (const f of files.filter((f) => f.bytes > 100_000).sort((a, b) => b.bytes - a.bytes)) console.log(`  ${f.file} ${mb(f.bytes)}`);
  const wasm = files.filter((f) => f.file.endsWith('.wasm')).map((f) => f.bytes).sort((a, b) => a - b);
  // Both onnxruntime builds, emitted by the bundler itself from the package's URLs.
  assert.equal(wasm.length, 2, `${app}: expected the two onnxruntime .wasm files, found ${wasm.length}`);
  assert.equal(files.filter((f) => f.file.endsWith('.mjs')).length, 2, `${app}: expected the two onnxruntime .mjs files`);
}

async function runInChromium(url: string, label: string): Promise<void> {
  const browser = await chromium.launch({ executablePath: process.env.OUTPOST_CHROMIUM ?? '/usr/bin/chromium', args: chromiumArgs });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.log(`[${label}] page error: ${error.message}`));
    await page.goto(url);
    await page.waitForFunction(() => document.querySelector('#result')?.textContent !== 'loading…', null, { timeout: 180_000 });
    const text = (await page.textContent('#result')) ?? '';
    const result = JSON.parse(text) as { ok: boolean; backend?: string; y?: number[]; code?: string; message?: string };
    assert.ok(result.ok, `${label}: ${result.code} ${result.message}`);
    assert.deepEqual(result.y, expected, `${label}: wrong outputs`);
    assert.equal(await page.evaluate(() => crossOriginIsolated), true, `${label}: page not cross-origin isolated`);
    console.log(`ok  ${label}: ran on ${result.backend}, y = ${JSON.stringify(result.y)}`);
  } finally {
    await browser.close();
  }
}

async function serveBuilt(dir: string, port: number, label: string): Promise<void> {
  const server = await startStaticServer({ root: dir, port, host: '127.0.0.1' });
  try {
    await runInChromium(`http://127.0.0.1:${port}/`, label);
  } finally {
    await new Promise((done) => server.close(done));
  }
}

async function viteDev(dir: string, port: number): Promise<void> {
  const child: ChildProcess = spawn('npx', ['vite', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  try {
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error('vite dev did not start')), 120_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes(String(port))) {
          clearTimeout(timer);
          ready();
        }
      });
      child.on('exit', (code) => fail(new Error(`vite dev exited ${code}`)));
    });
    // The SPA fallback is on: the probe for a next root gets the app's page, with 200.
    const probe = await fetch(`http://127.0.0.1:${port}/registry/roots/2.root.json`, { headers: { accept: 'text/html' } });
    assert.equal(probe.status, 200);
    assert.match(probe.headers.get('content-type') ?? '', /html/);
    await runInChromium(`http://127.0.0.1:${port}/`, 'vite dev (SPA fallback)');
  } finally {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
  }
}

try {
  // Built here once; pack without scripts so `prepare` does not build again.
  sh(repo, 'npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work]);
  const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz')) ?? 'missing.tgz');
  const registry = await buildRegistry({ models: [{ name: 'tiny', version: '1.0.0', file: join(repo, 'models/tiny_affine.onnx') }] });

  const apps: Record<string, string> = {};
  for (const app of ['vite-app', 'webpack-app']) {
    const dir = join(work, app);
    cpSync(join(repo, 'examples', app), dir, { recursive: true, filter: (src) => !/node_modules|[\\/]dist$/.test(src) });
    writeFileSync(join(dir, 'src/trusted-root.json'), registry.rootText);
    sh(dir, 'npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball]);
    apps[app] = dir;
  }

  // SSR: importing the package in Node must not touch browser globals.
  const ssr = sh(apps['vite-app']!, 'node', ['--input-type=module', '-e', "const m = await import('outpost'); console.log(typeof m.createRuntime)"]);
  assert.equal(ssr.trim(), 'function', 'import("outpost") in Node');
  console.log('ok  SSR: import("outpost") in Node');

  const vite = apps['vite-app']!;
  cpSync(registry.dir, join(vite, 'public/registry'), { recursive: true });
  sh(vite, 'npx', ['vite', 'build']);
  report('vite build', join(vite, 'dist'));
  await serveBuilt(join(vite, 'dist'), basePort, 'vite build');
  await viteDev(vite, basePort + 1);
  // `vite build` without the plugin (and its worker format) must work as well.
  writeFileSync(join(vite, 'vite.bare.config.js'), 'export default {};\n');
  sh(vite, 'npx', ['vite', 'build', '--config', 'vite.bare.config.js', '--outDir', 'dist-bare']);
  await serveBuilt(join(vite, 'dist-bare'), basePort, 'vite build without the plugin');

  const webpack = apps['webpack-app']!;
  sh(webpack, 'npx', ['webpack', '--mode', 'production', '--no-stats']);
  report('webpack build', join(webpack, 'dist'));
  cpSync(registry.dir, join(webpack, 'dist/registry'), { recursive: true });
  await serveBuilt(join(webpack, 'dist'), basePort + 2, 'webpack build');
  console.log('examples: all passed');
} finally {
  if (!process.env.OUTPOST_KEEP_EXAMPLES) rmSync(work, { recursive: true, force: true });
}
