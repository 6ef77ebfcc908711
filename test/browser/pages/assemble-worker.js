// A worker of the assembly spec's own: assembles a cached version with the built
// package's assembleFromCache while collecting garbage after every turn of its event
// loop (the page is started with --expose-gc), as a busy worker's collector would at
// the worst moments. Replies { ok, bytes } or { error }.
import { assembleFromCache } from '/dist/internal.js';

self.onmessage = async ({ data: source }) => {
  let collecting = true;
  const collect = () => {
    if (!collecting) return;
    self.gc();
    setTimeout(collect, 0);
  };
  collect();
  try {
    const payload = await assembleFromCache(source);
    self.postMessage({ ok: true, bytes: payload.bytes }, [payload.bytes]);
  } catch (error) {
    self.postMessage({ ok: false, error: String(error) });
  } finally {
    collecting = false;
  }
};
