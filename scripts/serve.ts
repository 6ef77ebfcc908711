// Serves the repository root, cross-origin isolated, for the browser tests and demo.
import { parseArgs } from 'node:util';
import { startStaticServer } from './static-server.js';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '5180' }, root: { type: 'string', default: '.' } },
});
const port = Number(values.port);
await startStaticServer({ root: values.root ?? '.', port });
console.log(`serving ${values.root} at http://127.0.0.1:${port}/`);
