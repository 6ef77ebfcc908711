// `npm start`: make sure the models, the build and a signed demo registry exist, then
// serve the demo page cross-origin isolated. The collector joins here when it lands.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ensureDemoRegistry } from './demo-registry.js';
import { startStaticServer } from './static-server.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: process.env.PORT ?? '5173' } } });
const port = Number(values.port);

const run = (command: string) => execSync(command, { stdio: 'inherit' });
run('npm run --silent models');
if (!existsSync('dist/index.js') || !existsSync('dist/ort')) run('npm run --silent build');
await ensureDemoRegistry();

await startStaticServer({
  root: '.',
  port,
  // The site root has no page of its own: send visitors to the demo.
  intercept(req, res) {
    if (req.url !== '/') return false;
    res.writeHead(302, { Location: '/demo/' }).end();
    return true;
  },
});
console.log(`\nOutpost demo: http://localhost:${port}/demo/\n(press Ctrl+C to stop)`);
