import { serializeError } from '../../errors.js';
import type { TensorLike } from '../../tensor/types.js';
import { decodeTensors, encodeTensors, encodedSize } from './codec.js';
import { CLOSED, LENGTH, REQUEST, RESPONSE, STATUS, STATUS_ERROR, STATUS_OK, STATUS_OVERFLOW, dataRegion, header } from './layout.js';

/** How long the worker blocks for the next request before going back to its event loop. */
const HOT_WAIT_MS = 2;

export type RunHandler = (feeds: Record<string, TensorLike>) => Promise<Record<string, TensorLike>>;

/**
 * Serves run requests arriving through `buffer` until it is closed or replaced.
 * Waits with Atomics.waitAsync, so the worker's event loop stays free for other calls.
 */
export class ChannelServer {
  #buffer: SharedArrayBuffer;
  #overflow: Record<string, TensorLike> | undefined;
  #stopped = false;

  constructor(buffer: SharedArrayBuffer, private readonly handler: RunHandler) {
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
      // Right after a run another often follows (a stream of audio frames): block briefly
      // for it, which wakes far faster than an event-loop task, then yield the thread to
      // other messages and wait asynchronously.
      if (Atomics.wait(head, REQUEST, seen, HOT_WAIT_MS) === 'timed-out') {
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
