import { abortError } from '../errors.js';

/**
 * Runs tasks one at a time, in call order. A task whose signal fires while it waits
 * is rejected with ABORTED at once and never starts; a started task runs to its end
 * (onnxruntime cannot stop a run half way).
 */
export class RunQueue {
  #tail: Promise<void> = Promise.resolve();

  push<T>(task: () => Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
    const previous = this.#tail;
    let done!: () => void;
    this.#tail = new Promise<void>((resolve) => (done = resolve));
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(abortError(what, signal));
      signal?.addEventListener('abort', onAbort, { once: true });
      void previous.then(async () => {
        signal?.removeEventListener('abort', onAbort);
        if (signal?.aborted) {
          onAbort();
          done();
          return;
        }
        try {
          resolve(await task());
        } catch (error) {
          reject(error);
        } finally {
          done();
        }
      });
    });
  }
}
