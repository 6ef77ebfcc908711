/**
 * Turns a load's progress events into per-phase durations: a phase runs from its
 * first event until another phase's event (phases may interleave, so time adds up per
 * phase). A load that downloaded anything is a cache miss.
 */
import type { LoadProgress } from '../runtime/options.js';

export type LoadPhase = LoadProgress['phase'];

/**
 * @example
 * ```ts
 * const timer = new LoadTimer();
 * timer.progress({ phase: 'metadata', loaded: 0, total: 3 });
 * const { phases, cache } = timer.finish();
 * ```
 */
export class LoadTimer {
  readonly #durations = new Map<LoadPhase, number>();
  #current: LoadPhase | undefined;
  #since = 0;
  #downloaded = false;
  readonly #now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  progress(p: LoadProgress): void {
    if (p.phase === 'download' && p.loaded < p.total) this.#downloaded = true;
    if (p.phase === this.#current) return;
    this.#close();
    this.#current = p.phase;
    this.#since = this.#now();
  }

  #close(): void {
    if (this.#current === undefined) return;
    this.#durations.set(this.#current, (this.#durations.get(this.#current) ?? 0) + (this.#now() - this.#since));
  }

  finish(): { phases: Map<LoadPhase, number>; cache: 'hit' | 'miss' } {
    this.#close();
    this.#current = undefined;
    return { phases: this.#durations, cache: this.#downloaded ? 'miss' : 'hit' };
  }
}
