import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ChunkData } from './chunk-data.js';

/** One verified chunk of one file of one model version. Chunks are separate records so
 * a download resumes chunk by chunk and nothing ever holds one giant value. */
export interface ChunkRecord {
  name: string;
  version: string;
  file: string;
  index: number;
  /** A Blob, or an ArrayBuffer where the engine refuses Blob values (chunk-data.ts). */
  data: ChunkData;
}

/** What the cache knows of one model version. */
export interface VersionRecord {
  name: string;
  version: string;
  /** The manifest envelope exactly as fetched (its hash is pinned by the index). */
  manifest: Uint8Array;
  manifestSha256: string;
  /** Sum of the lengths of the version's files. */
  bytes: number;
  /** Bytes of verified chunks stored so far. */
  storedBytes: number;
  /** True once every chunk of every file is stored; only then does the version exist for callers. */
  complete: boolean;
  lastUsed: number;
  storedAt: number;
}

export interface OutpostSchema extends DBSchema {
  chunks: { key: [string, string, string, number]; value: ChunkRecord };
  versions: { key: [string, string]; value: VersionRecord; indexes: { byName: string } };
  state: { key: string; value: unknown };
}

export type OutpostDB = IDBPDatabase<OutpostSchema>;

const SCHEMA_VERSION = 1;

export function openOutpostDb(name: string): Promise<OutpostDB> {
  return openDB<OutpostSchema>(name, SCHEMA_VERSION, {
    upgrade(db) {
      db.createObjectStore('chunks', { keyPath: ['name', 'version', 'file', 'index'] });
      const versions = db.createObjectStore('versions', { keyPath: ['name', 'version'] });
      versions.createIndex('byName', 'name');
      db.createObjectStore('state');
    },
    blocking(_current, _blocked, event) {
      // A newer schema in another tab wins: close so its upgrade can proceed.
      (event.target as IDBDatabase).close();
    },
  });
}

/** All chunk keys of a version (arrays sort after strings and numbers in IndexedDB). */
export function versionChunkRange(name: string, version: string): IDBKeyRange {
  return IDBKeyRange.bound([name, version], [name, version, []]);
}

export function fileChunkRange(name: string, version: string, file: string): IDBKeyRange {
  return IDBKeyRange.bound([name, version, file], [name, version, file, []]);
}
