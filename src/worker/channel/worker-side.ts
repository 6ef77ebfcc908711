import { serializeError } from '../../errors.js';
import type { TensorLike } from '../../tensor/types.js';
import { decodeTensors, encodeTensors, encodedSize } from './codec.js';
import {
  BELL_DONE,
  BELL_SENT,
  CLOSED,
  LENGTH,
  REQUEST,
  RESPONSE,
  STATUS,
  STATUS_ERROR,
  STATUS_OK,
  STATUS_OVERFLOW,
  answer,
  dataRegion,
  header,
} from './layout.js';

/** How long the worker blocks for the next request before going back to its event loop. */
export const DEFAULT_HOT_WAIT_MS = 2;
/**
 * How long it first spins. Calls in a row (frames of a stream, pages of a file) come
 * back within a fraction of a millisecond; a sleeping thread takes about that long to
 * wake and then runs on cold caches, which costs a 0.6 ms Silero VAD call 0.1-0.2 ms
 * on a 2-core machine. The spin is bounded, so a caller that runs once in a while
 * pays at most this much CPU per call.
 */
export const DEFAULT_SPIN_MS = 0.25;

export interface ChannelTiming {
  /** Spin for the next request this long (ms) … */
  spinMs?: number;
  /** … then block for it this long (ms), then wait without blocking. */
  hotWaitMs?: number;
}

/**
 * Right after a run: spins, then blocks, until the page sends anything more (a run
 * request for any session, or a message) or the time is up. Returns at once when
 * something is already waiting. See the bell in layout.ts.
 */
function waitHot(bell: Int32Array, { spinMs, hotWaitMs }: Required<ChannelTiming>): void {
  const sent = Atomics.load(bell, BELL_SENT);
  if (sent !== Atomics.load(bell, BELL_DONE)) return;
  if (spinMs > 0) {
    const end = performance.now() + spinMs;
    do {
      if (Atomics.load(bell, BELL_SENT) !== sent) return;
    } while (performance.now() < end);
  }
  Atomics.wait(bell, BELL_SENT, sent, hotWaitMs);
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

  readonly #bell: Int32Array;
  readonly #timing: Required<ChannelTiming>;
  readonly #busy: () => boolean;

  /**
   * `bell` is the worker's (layout.ts), shared by every session's channel. `busy` says
   * whether other runs are still going in this worker (a WebGPU run awaiting the GPU):
   * blocking would hold them up, so the loop then waits without blocking.
   */
  constructor(
    buffer: SharedArrayBuffer,
    bell: Int32Array,
    private readonly handler: RunHandler,
    options: { timing?: ChannelTiming; busy?: () => boolean } = {},
  ) {
    this.#buffer = buffer;
    this.#bell = bell;
    this.#timing = { spinMs: options.timing?.spinMs ?? DEFAULT_SPIN_MS, hotWaitMs: options.timing?.hotWaitMs ?? DEFAULT_HOT_WAIT_MS };
    this.#busy = options.busy ?? (() => false);
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
    /** True right after serving a run: only then is the next one likely to follow at once. */
    let hot = false;
    while (!this.#stopped && this.#buffer === buffer && Atomics.load(head, CLOSED) === 0) {
      // Right after a run another often follows (a stream of audio frames): spin, then
      // block briefly for it, which wakes far faster than an event-loop task. Blocking
      // holds the whole worker, so anything else the page sends ends it at once (the
      // bell); then the loop waits without blocking, leaving the thread to the rest.
      if (Atomics.load(head, REQUEST) === seen) {
        if (hot && !this.#busy()) waitHot(this.#bell, this.#timing);
        hot = false;
        if (Atomics.load(head, REQUEST) === seen && Atomics.load(head, CLOSED) === 0) {
          const wait = Atomics.waitAsync(head, REQUEST, seen);
          if (wait.async) await wait.value;
        }
      }
      const seq = Atomics.load(head, REQUEST);
      if (seq === seen) continue;
      seen = seq;
      answer(this.#bell);
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
      hot = true;
    }
  }
}

function wake(buffer: SharedArrayBuffer): void {
  const head = header(buffer);
  Atomics.store(head, CLOSED, 1);
  Atomics.add(head, REQUEST, 0);
  Atomics.notify(head, REQUEST);
}
