#!/usr/bin/env node
// The CLI is compiled to dist/node by `npm run build` (run automatically by `npm ci`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/node/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('outpost: the CLI is not built yet; run `npm run build` in the package first.');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
