/**
 * Room for the copies a run's drift snapshot makes, carved out of one reused buffer.
 * A typed array of more than a few dozen bytes gets its own backing store, which costs
 * about 3 µs to allocate — as much as binning a small run — so the worker copies into
 * views of this buffer instead, and starts it over once every waiting run is binned.
 */

/** The typed-array constructors a tensor's data can have. */
export type TypedArrayConstructor = new (buffer: ArrayBuffer, byteOffset: number, length: number) => ArrayBufferView & ArrayLike<number | bigint>;

/** Largest buffer an arena keeps; a copy that does not fit gets its own allocation. */
export const ARENA_BYTES = 1 << 20;

/**
 * @example
 * ```ts
 * const arena = new SnapshotArena();
 * const copy = arena.take(Float32Array, 512); // a view, valid until reset()
 * arena.reset(); // once no view is read any more
 * ```
 */
export class SnapshotArena {
  #buffer: ArrayBuffer;
  #used = 0;
  readonly #limit: number;

  constructor(limit = ARENA_BYTES) {
    this.#limit = limit;
    this.#buffer = new ArrayBuffer(Math.min(64 * 1024, limit));
  }

  /** A view of `length` elements for the caller to fill (it may hold old bytes), or undefined past the limit. */
  take<T extends TypedArrayConstructor>(type: T & { BYTES_PER_ELEMENT: number }, length: number): InstanceType<T> | undefined {
    const size = type.BYTES_PER_ELEMENT;
    // Aligned for the element size (8 at most), as typed-array views require.
    const offset = Math.ceil(this.#used / 8) * 8;
    const end = offset + length * size;
    if (end > this.#limit) return undefined;
    if (end > this.#buffer.byteLength) {
      // Views handed out before keep the old buffer alive until they are dropped.
      this.#buffer = new ArrayBuffer(Math.min(this.#limit, Math.max(end, this.#buffer.byteLength * 2)));
      this.#used = 0;
      return this.take(type, length);
    }
    this.#used = end;
    return new type(this.#buffer, offset, length) as InstanceType<T>;
  }

  /** Hands the whole buffer out again: every view taken before may now be overwritten. */
  reset(): void {
    this.#used = 0;
  }

  get usedBytes(): number {
    return this.#used;
  }
}
