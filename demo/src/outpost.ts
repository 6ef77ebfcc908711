// The library as an app ships it: the page imports the built `/dist/index.js` at run
// time (it brings its worker and onnxruntime files along), so the benchmark measures
// exactly the published files. Types come from the sources.
import type * as Outpost from '../../src/index.js';

export type { Model, Runtime, LoadProgress, TensorLike, Backend } from '../../src/index.js';
export type OutpostModule = typeof Outpost;

export async function importOutpost(): Promise<OutpostModule> {
  const url = new URL('/dist/index.js', location.href).href;
  return (await import(/* @vite-ignore */ url)) as OutpostModule;
}
