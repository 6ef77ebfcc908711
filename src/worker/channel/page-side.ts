import { deserializeError, type SerializedError } from '../../errors.js';
import type { TensorLike } from '../../tensor/types.js';
import { decodeTensors, encodeTensors, encodedSize } from './codec.js';
import {
  CLOSED,
  HEADER_BYTES,
  LENGTH,
  REQUEST,
  RESPONSE,
  STATUS,
  STATUS_ERROR,
  STATUS_OVERFLOW,
  capacityFor,
  dataRegion,
  header,
  ring,
} from './layout.js';

/** True when this page may share memory with its workers (COOP/COEP) and wait asynchronously. */
export function sharedChannelSupported(): boolean {
  return (
    globalThis.crossOriginIsolated === true &&
    typeof SharedArrayBuffer === 'function' &&
    typeof (Atomics as { waitAsync?: unknown }).waitAsync === 'function'
  );
}

export interface ChannelTransport {
  /** The worker's bell (see layout.ts), rung for every request. */
  bell: SharedArrayBuffer;
  /** Hands a (new, larger) buffer to the worker side of this session. */
  attach(buffer: SharedArrayBuffer): Promise<void>;
  /** Collects outputs that did not fit the buffer. */
  takeOverflow(): Promise<Record<string, TensorLike>>;
}

/**
 * The page end of a session's shared-memory channel: feeds are written into shared
 * memory and the reply is awaited with Atomics.waitAsync, so a run costs no structured
 * clone and no message event. Calls must not overlap (the model queues them).
 */
export class SharedRunChannel {
  #buffer: SharedArrayBuffer | undefined;
  #seq = 0;
  readonly #bell: Int32Array;

  constructor(private readonly transport: ChannelTransport) {
    this.#bell = new Int32Array(transport.bell);
  }

  run(feeds: Record<string, TensorLike>): Promise<Record<string, TensorLike>> {
    const buffer = this.#buffer;
    const length = buffer ? encodeTensors(feeds, dataRegion(buffer)) : -1;
    if (!buffer || length < 0) {
      // The first run, or feeds larger than any so far: a (larger) buffer first.
      return this.#grow(encodedSize(feeds)).then(() => this.run(feeds));
    }
    const head = header(buffer);
    const seq = ++this.#seq;
    Atomics.store(head, LENGTH, length);
    Atomics.store(head, REQUEST, seq);
    Atomics.notify(head, REQUEST);
    ring(this.#bell);
    const wait = Atomics.waitAsync(head, RESPONSE, seq - 1);
    return wait.async ? wait.value.then(() => this.#reply(buffer)) : this.#reply(buffer);
  }

  /** Reads the worker's answer to the request just made. */
  #reply(buffer: SharedArrayBuffer): Promise<Record<string, TensorLike>> {
    const head = header(buffer);
    const data = dataRegion(buffer);
    const status = Atomics.load(head, STATUS);
    const size = Atomics.load(head, LENGTH);
    if (status === STATUS_ERROR) {
      return Promise.reject(deserializeError(JSON.parse(new TextDecoder().decode(data.slice(0, size))) as SerializedError));
    }
    if (status === STATUS_OVERFLOW) {
      return this.transport.takeOverflow().then(async (outputs) => {
        await this.#grow(size);
        return outputs;
      });
    }
    return Promise.resolve(decodeTensors(data.subarray(0, size), true));
  }

  close(): void {
    if (!this.#buffer) return;
    const head = header(this.#buffer);
    Atomics.store(head, CLOSED, 1);
    Atomics.notify(head, REQUEST);
  }

  async #grow(needed: number): Promise<void> {
    const buffer = new SharedArrayBuffer(HEADER_BYTES + capacityFor(needed));
    // Sequence numbers continue across buffers, so both ends agree on what is new.
    const head = header(buffer);
    Atomics.store(head, REQUEST, this.#seq);
    Atomics.store(head, RESPONSE, this.#seq);
    await this.transport.attach(buffer);
    this.#buffer = buffer;
  }
}
