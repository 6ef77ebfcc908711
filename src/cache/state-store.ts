import type { OutpostDB } from './db.js';
import { floorMayRise, TRUST_PREFIX, trustKey, type IndexFloor } from './trust-records.js';
import { INSTALL_ID_KEY, readInstallId, type InstallIdRecord } from './install-id.js';

/**
 * Small persisted facts, typed by key. Rollback protection, the install id and the
 * last verified metadata (for offline loads) live here; trust state per namespace
 * (trust-records.ts).
 */
export interface StateValues {
  /** Checked on use (install-id.ts): read it through `installId()`. */
  installId: InstallIdRecord;
  /** Root envelopes (text) after the shipped root, in order: each chains from the one before. */
  [key: `trust:${string}:roots`]: string[];
  /** The rollback floor and the keys it belongs to. */
  [key: `trust:${string}:floor`]: IndexFloor;
  /** Last verified index envelope (text), for loads while offline. */
  [key: `trust:${string}:index`]: string;
  /** The timestamp's rollback floor, bound to the timestamp keys that signed it. */
  [key: `trust:${string}:timestamp`]: IndexFloor;
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

  /**
   * The persisted install id, created once and checked on every use: a damaged record
   * is replaced (install-id.ts). It only ever feeds rollout bucketing. Read without a
   * write lock; written in a transaction that reads again, so two tabs creating an id
   * at once agree on one.
   */
  async installId(): Promise<string> {
    const reading = readInstallId(await this.#db.get('state', INSTALL_ID_KEY));
    if (!reading.write) return reading.id;
    const tx = this.#db.transaction('state', 'readwrite');
    const again = readInstallId(await tx.store.get(INSTALL_ID_KEY));
    if (again.write) await tx.store.put(again.write, INSTALL_ID_KEY);
    await tx.done;
    return again.id;
  }

  /** A backend decision remembered for one model version on one device. */
  async backendChoice(key: string): Promise<RememberedBackend | undefined> {
    return (await this.#db.get('state', `backend:${key}`)) as RememberedBackend | undefined;
  }

  async rememberBackend(key: string, choice: RememberedBackend): Promise<void> {
    await this.#db.put('state', choice, `backend:${key}`);
  }

  /**
   * Raises the rollback floor of `namespace` and stores the index beside it; never
   * lowers it under the same keys, even when two tabs race (one transaction).
   */
  async raiseIndexFloor(namespace: string, floor: IndexFloor, indexText: string): Promise<void> {
    const tx = this.#db.transaction('state', 'readwrite');
    const [current, stored] = await Promise.all([tx.store.get(trustKey(namespace, 'floor')), tx.store.get(trustKey(namespace, 'index'))]);
    const floorNow = current as IndexFloor | undefined;
    if (floorMayRise(floorNow, floor)) {
      // A warm load meets the index it holds: nothing is written then (a damaged or
      // missing copy of that index is still written again).
      const same = floorNow !== undefined && floorNow.keys === floor.keys && floorNow.version === floor.version && floorNow.sha256 === floor.sha256;
      if (!same) await tx.store.put(floor, trustKey(namespace, 'floor'));
      if (!same || stored !== indexText) await tx.store.put(indexText, trustKey(namespace, 'index'));
    }
    await tx.done;
  }

  /** Raises the timestamp floor of `namespace`; never lowers it under the same keys (one transaction). */
  async raiseTimestampFloor(namespace: string, floor: IndexFloor): Promise<void> {
    const tx = this.#db.transaction('state', 'readwrite');
    const current = (await tx.store.get(trustKey(namespace, 'timestamp'))) as IndexFloor | undefined;
    if (floorMayRise(current, floor)) await tx.store.put(floor, trustKey(namespace, 'timestamp'));
    await tx.done;
  }

  /** Every trust record of every namespace, for carrying them over to memory. */
  async trustEntries(): Promise<Array<[string, unknown]>> {
    const range = IDBKeyRange.bound(TRUST_PREFIX, `${TRUST_PREFIX}\uffff`);
    const tx = this.#db.transaction('state', 'readonly');
    const [keys, values] = await Promise.all([tx.store.getAllKeys(range), tx.store.getAll(range), tx.done]);
    return keys.map((key, i) => [String(key), values[i]]);
  }
}
