// Memory of the browser a bench launched: the summed resident set of every process
// descended from this one (Chromium's browser, renderer, GPU and utility processes).
import { readdir, readFile } from 'node:fs/promises';

async function parents(): Promise<Map<number, { ppid: number; rss: number }>> {
  const table = new Map<number, { ppid: number; rss: number }>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const status = await readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
    const ppid = /^PPid:\s+(\d+)/m.exec(status)?.[1];
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    if (ppid !== undefined) table.set(Number(entry), { ppid: Number(ppid), rss: Number(rss ?? 0) * 1024 });
  }
  return table;
}

/** Bytes resident in all processes below this one (this process itself not counted). */
export async function browserRss(): Promise<number> {
  const table = await parents();
  let sum = 0;
  for (const [pid, { rss }] of table) {
    let up = table.get(pid)?.ppid;
    while (up !== undefined && up !== process.pid && up > 1) up = table.get(up)?.ppid;
    if (up === process.pid) sum += rss;
  }
  return sum;
}

/** Samples {@link browserRss} every `everyMs` until stopped; the highest seen. */
export class RssSampler {
  #peak = 0;
  #running = true;
  readonly #done: Promise<void>;

  constructor(everyMs: number) {
    this.#done = (async () => {
      while (this.#running) {
        this.#peak = Math.max(this.#peak, await browserRss());
        await new Promise((done) => setTimeout(done, everyMs));
      }
    })();
  }

  async stop(): Promise<number> {
    this.#running = false;
    await this.#done;
    return this.#peak;
  }
}
