import type { Page } from '@playwright/test';

// The runtime's IndexedDB as a test sees it from outside: read, write, delete and
// damage one record, as a disk fault, a bug or another script on the origin would.
// Every operation opens the database, does one thing and closes it again, so the
// runtime's own connection never waits on the test.

type Store = 'chunks' | 'versions' | 'state';
type Key = string | Array<string | number>;

/** How a record is damaged: a byte flipped, cut in half, a value of another type, or gone. */
export type DamageKind = 'flip' | 'truncate' | 'wrongType' | 'delete';

export interface DamageTarget {
  store: Store;
  key: Key;
  /** The field of the stored value to damage; none: the value itself. */
  field?: string;
  kind: DamageKind;
  /**
   * Where a text value is flipped, and flipped to another hex digit so it keeps its
   * shape (an id still looks like an id); by default the middle character becomes 'A' or 'B'.
   */
  hexAt?: number;
}

type Op =
  | { op: 'get'; store: Store; key: Key }
  | { op: 'put'; store: Store; key?: Key; value: unknown; blobField?: string }
  | ({ op: 'damage' } & DamageTarget);

/** The stored value (structured-cloneable values only: a Blob comes back as `{}`). */
export function readRecord(page: Page, dbName: string, store: Store, key: Key): Promise<unknown> {
  return inPage(page, dbName, { op: 'get', store, key });
}

/**
 * Stores `value` (under `key` for a store without a key path). `blobField` names a field
 * holding an array of bytes that is stored as a Blob, as chunk records are.
 */
export async function writeRecord(page: Page, dbName: string, store: Store, value: unknown, options: { key?: Key; blobField?: string } = {}): Promise<void> {
  await inPage(page, dbName, { op: 'put', store, value, ...options });
}

/** Damages one record in place; throws if there is none to damage. */
export async function damageRecord(page: Page, dbName: string, target: DamageTarget): Promise<void> {
  await inPage(page, dbName, { op: 'damage', ...target });
}

function inPage(page: Page, dbName: string, op: Op): Promise<unknown> {
  return page.evaluate(
    async ([name, o]) => {
      const request = <T>(r: IDBRequest<T>) => new Promise<T>((resolve, reject) => ((r.onsuccess = () => resolve(r.result)), (r.onerror = () => reject(r.error))));
      const db = await request(indexedDB.open(name));
      const store = (mode: IDBTransactionMode) => db.transaction(o.store, mode).objectStore(o.store);
      // Keys go beside the value only where the store has no key path (state).
      const put = (value: unknown, key?: IDBValidKey) => {
        const into = store('readwrite');
        return request(into.keyPath === null && key !== undefined ? into.put(value, key) : into.put(value));
      };
      try {
        if (o.op === 'get') return await request(store('readonly').get(o.key));
        if (o.op === 'put') {
          const value = o.blobField ? { ...(o.value as object), [o.blobField]: new Blob([new Uint8Array((o.value as Record<string, number[]>)[o.blobField] ?? [])]) } : o.value;
          await put(value, o.key);
          return undefined;
        }
        if (o.kind === 'delete') {
          await request(store('readwrite').delete(o.key));
          return undefined;
        }
        const value = await request(store('readonly').get(o.key));
        if (value === undefined) throw new Error(`no record ${JSON.stringify(o.key)} to damage`);
        const target = o.field ? value[o.field] : value;
        let next: unknown;
        if (o.kind === 'wrongType') next = 42;
        else if (target instanceof Blob) {
          const bytes = new Uint8Array(await target.arrayBuffer());
          if (o.kind === 'flip') bytes[5]! ^= 0xff;
          next = new Blob([o.kind === 'truncate' ? bytes.subarray(0, bytes.length >> 1) : bytes]);
        } else if (target instanceof Uint8Array) {
          const bytes = target.slice();
          if (o.kind === 'flip') bytes[bytes.length >> 1]! ^= 0x01;
          next = o.kind === 'truncate' ? bytes.subarray(0, bytes.length >> 1).slice() : bytes;
        } else {
          const text = String(target);
          const at = o.hexAt ?? text.length >> 1;
          const flipped = o.hexAt === undefined ? (text[at] === 'A' ? 'B' : 'A') : ((parseInt(text[at] ?? '0', 16) + 1) % 16).toString(16);
          next = o.kind === 'truncate' ? text.slice(0, at) : text.slice(0, at) + flipped + text.slice(at + 1);
        }
        // A new transaction: the first one closed while the Blob was read.
        await put(o.field ? { ...value, [o.field]: next } : next, o.key);
        return undefined;
      } finally {
        db.close();
      }
    },
    [dbName, op] as const,
  );
}
