import { serializeError } from '../../errors.js';
import type { TensorLike } from '../../tensor/types.js';
import { decodeTensors, encodeTensors, encodedSize } from './codec.js';
import { CLOSED, LENGTH, REQUEST, RESPONSE, STATUS, STATUS_ERROR, STATUS_OK, STATUS_OVERFLOW, dataRegion, header } from './layout.js';

/** How long the worker blocks for the next request before going back to its event loop. */
const HOT_WAIT_MS = 2;
/**
 * How long it first spins. Calls in a row (frames of a stream, pages of a file) come
 * back within a fraction of a millisecond; a sleeping thread takes about that long to
 * wake and then runs on cold caches, which costs a 0.6 ms Silero VAD call 0.1-0.2 ms
 * on a 2-core machine. The spin is bounded, so a caller that runs once in a while
 * pays at most this much CPU per call.
 */
export const DEFAULT_SPIN_MS = 0.25;

/** Spins until a request newer than `seen` arrives (true) or `ms` pass (false). */
function spinFor(head: Int32Array, seen: number, ms: number): boolean {
  if (ms <= 0) return false;
  const end = performance.now() + ms;
  do {
    if (Atomics.load(head, REQUEST) !== seen) return true;
  } while (performance.now() < end);
  return false;
}

export type RunHandler = (feeds: Record<string, TensorLike>) => Promise<Record<string, TensorLike>>;

/**
 * Serves run requests arriving through `buffer` until it is closed or replaced.
 * Waits with Atomics.waitAsync, so the worker's event loop stays free for other calls.
 */
export class ChannelServer {
  #buffer: SharedArrayBuffer;
  #overflow: Record<string, TensorLike> | undefined;
  #stopped = false;

  constructor(
    buffer: SharedArrayBuffer,
    private readonly handler: RunHandler,
    private readonly spinMs = DEFAULT_SPIN_MS,
  ) {
    this.#buffer = buffer;
    void this.#serve(buffer);
  }

  /** Switches to a larger buffer; the old loop ends after its current request. */
  replace(buffer: SharedArrayBuffer): void {
    const old = this.#buffer;
    this.#buffer = buffer;
    wake(old);
    void this.#serve(buffer);
  }

  /** Outputs that did not fit, handed over once by message instead. */
  takeOverflow(): Record<string, TensorLike> | undefined {
    const outputs = this.#overflow;
    this.#overflow = undefined;
    return outputs;
  }

  stop(): void {
    this.#stopped = true;
    wake(this.#buffer);
  }

  async #serve(buffer: SharedArrayBuffer): Promise<void> {
    const head = header(buffer);
    const data = dataRegion(buffer);
    let seen = Atomics.load(head, REQUEST);
    while (!this.#stopped && this.#buffer === buffer && Atomics.load(head, CLOSED) === 0) {
      // Right after a run another often follows (a stream of audio frames): spin, then
      // block briefly for it, which wakes far faster than an event-loop task, then yield
      // the thread to other messages and wait asynchronously.
      if (!spinFor(head, seen, this.spinMs) && Atomics.wait(head, REQUEST, seen, HOT_WAIT_MS) === 'timed-out') {
        const wait = Atomics.waitAsync(head, REQUEST, seen);
        if (wait.async) await wait.value;
      }
      const seq = Atomics.load(head, REQUEST);
      if (seq === seen) continue;
      seen = seq;
      let status = STATUS_OK;
      let length = 0;
      try {
        const feeds = decodeTensors(data.subarray(0, Atomics.load(head, LENGTH)), false);
        const outputs = await this.handler(feeds);
        length = encodeTensors(outputs, data);
        if (length < 0) {
          status = STATUS_OVERFLOW;
          length = encodedSize(outputs);
          this.#overflow = outputs;
        }
      } catch (error) {
        status = STATUS_ERROR;
        const bytes = new TextEncoder().encode(JSON.stringify(serializeError(error)));
        length = Math.min(bytes.byteLength, data.byteLength);
        data.set(bytes.subarray(0, length));
      }
      Atomics.store(head, STATUS, status);
      Atomics.store(head, LENGTH, length);
      Atomics.store(head, RESPONSE, seq);
      Atomics.notify(head, RESPONSE);
    }
  }
}

function wake(buffer: SharedArrayBuffer): void {
  const head = header(buffer);
  Atomics.store(head, CLOSED, 1);
  Atomics.add(head, REQUEST, 0);
  Atomics.notify(head, REQUEST);
}
