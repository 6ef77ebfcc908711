import HtmlWebpackPlugin from 'html-webpack-plugin';

// Nothing Outpost-specific: webpack 5 follows the package's
// `new Worker(new URL('./engine-worker.js', import.meta.url))` and
// `new URL('./ort/…', import.meta.url)` references and emits those files itself.
export default {
  entry: './src/index.js',
  output: { clean: true },
  plugins: [new HtmlWebpackPlugin({ title: 'Outpost in a webpack app', templateContent: '<!doctype html><html><head><meta charset="utf-8"></head><body><pre id="result">loading…</pre></body></html>' })],
};
