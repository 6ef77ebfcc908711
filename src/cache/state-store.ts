import type { OutpostDB } from './db.js';

/**
 * Small persisted facts, typed by key. Rollback protection, the install id and the
 * last verified metadata (for offline loads) live here.
 */
export interface StateValues {
  installId: string;
  /** Highest index version ever verified: a lower one is a rollback. */
  highestIndexVersion: number;
  /** Latest verified root envelope (text), so rotations need not be replayed. */
  root: string;
  /** Last verified index envelope (text), for loads while offline. */
  index: string;
}

export interface RememberedBackend {
  backend: 'webgpu' | 'wasm';
  timings: Partial<Record<'webgpu' | 'wasm', number>>;
  at: number;
}

export class StateStore {
  readonly #db: OutpostDB;

  constructor(db: OutpostDB) {
    this.#db = db;
  }

  async get<K extends keyof StateValues>(key: K): Promise<StateValues[K] | undefined> {
    return (await this.#db.get('state', key)) as StateValues[K] | undefined;
  }

  async set<K extends keyof StateValues>(key: K, value: StateValues[K]): Promise<void> {
    await this.#db.put('state', value, key);
  }

  /** Drops a record that failed its check, so the next online load writes a good one. */
  async delete(key: keyof StateValues): Promise<void> {
    await this.#db.delete('state', key);
  }

  /** The persisted install id, created once; it only ever feeds rollout bucketing. */
  async installId(): Promise<string> {
    const tx = this.#db.transaction('state', 'readwrite');
    let id = (await tx.store.get('installId')) as string | undefined;
    if (!id) {
      id = crypto.randomUUID();
      await tx.store.put(id, 'installId');
    }
    await tx.done;
    return id;
  }

  /** A backend decision remembered for one model version on one device. */
  async backendChoice(key: string): Promise<RememberedBackend | undefined> {
    return (await this.#db.get('state', `backend:${key}`)) as RememberedBackend | undefined;
  }

  async rememberBackend(key: string, choice: RememberedBackend): Promise<void> {
    await this.#db.put('state', choice, `backend:${key}`);
  }

  /** Raises the rollback floor; never lowers it, even when two tabs race. */
  async raiseIndexFloor(version: number, indexText: string): Promise<void> {
    const tx = this.#db.transaction('state', 'readwrite');
    const current = ((await tx.store.get('highestIndexVersion')) as number | undefined) ?? 0;
    if (version >= current) {
      await tx.store.put(version, 'highestIndexVersion');
      await tx.store.put(indexText, 'index');
    }
    await tx.done;
  }
}
