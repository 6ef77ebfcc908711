// Serves the repository root, cross-origin isolated, for the browser tests and demo.
import { parseArgs } from 'node:util';
import { startStaticServer } from './static-server.js';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '5180' }, root: { type: 'string', default: '.' } },
});
const port = Number(values.port);
await startStaticServer({
  root: values.root ?? '.',
  port,
  // `?isolated=0` serves a page without COOP/COEP, so tests can reach the paths a
  // page that is not cross-origin isolated takes (no SharedArrayBuffer, no threads).
  intercept(req, res) {
    if (new URL(req.url ?? '/', 'http://localhost').searchParams.get('isolated') === '0') {
      res.removeHeader('Cross-Origin-Opener-Policy');
      res.removeHeader('Cross-Origin-Embedder-Policy');
    }
    return false;
  },
});
console.log(`serving ${values.root} at http://127.0.0.1:${port}/`);
