import { abortError } from '../errors.js';

/**
 * Runs tasks one at a time, in call order. A task whose signal fires while it waits
 * is rejected with ABORTED at once and never starts; a started task runs to its end
 * (onnxruntime cannot stop a run half way).
 *
 * A task pushed while the queue is idle starts at once, in the caller's turn: the
 * common case (one call awaited after another) then costs no promise hops here.
 */
export class RunQueue {
  #tail: Promise<void> = Promise.resolve();
  /** Tasks pushed and not yet finished (running or waiting). */
  #active = 0;

  /** Settles when every task pushed so far has finished. */
  idle(): Promise<void> {
    return this.#tail;
  }

  push<T>(task: () => Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortError(what, signal));
    this.#active += 1;
    const finish = () => {
      this.#active -= 1;
    };
    if (this.#active === 1) {
      const run = start(task);
      this.#tail = run.then(finish, finish);
      return run;
    }
    const previous = this.#tail;
    let done!: () => void;
    this.#tail = new Promise<void>((resolve) => (done = resolve));
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(abortError(what, signal));
      signal?.addEventListener('abort', onAbort, { once: true });
      void previous.then(() => {
        signal?.removeEventListener('abort', onAbort);
        const settle = () => {
          finish();
          done();
        };
        if (signal?.aborted) {
          onAbort();
          settle();
          return;
        }
        const run = start(task);
        run.then(resolve, reject);
        run.then(settle, settle);
      });
    });
  }
}

/** `task()`, with a synchronous throw turned into a rejection. */
function start<T>(task: () => Promise<T>): Promise<T> {
  try {
    return task();
  } catch (error) {
    return Promise.reject(error);
  }
}
