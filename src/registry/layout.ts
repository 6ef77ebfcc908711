/**
 * Where things live in a registry, and how big metadata may be. A registry is plain
 * static files; every path here is relative to the registry's base URL or directory.
 */

/** The current root envelope: the file an app ships as `trustedRoot`. */
export const ROOT_PATH = 'root.json';

/** The signed index: every model version, channels, revocations. */
export const INDEX_PATH = 'index.json';

/**
 * The timestamp role's document, when the root has that role: short-lived, it pins
 * index.json by version, length and SHA-256.
 */
export const TIMESTAMP_PATH = 'timestamp.json';

/**
 * Every root version ever published, kept so a client holding version N can walk
 * N+1, N+2, … to the current one.
 *
 * @example
 * ```ts
 * rootVersionPath(2); // 'roots/2.root.json'
 * ```
 */
export function rootVersionPath(version: number): string {
  return `roots/${version}.root.json`;
}

/**
 * Directory holding one model version's manifest and files.
 *
 * @example
 * ```ts
 * modelVersionDir('vad', '1.0.0'); // 'models/vad/1.0.0'
 * ```
 */
export function modelVersionDir(name: string, version: string): string {
  return `models/${name}/${version}`;
}

/** Path of one version's signed manifest. */
export function manifestPath(name: string, version: string): string {
  return `${modelVersionDir(name, version)}/manifest.json`;
}

/** Path of one version's ONNX file, as the CLI lays it out. */
export function modelFilePath(name: string, version: string): string {
  return `${modelVersionDir(name, version)}/model.onnx`;
}

// Endless-data defence: a client stops reading metadata past these sizes.
/** Largest root envelope a client reads. */
export const MAX_ROOT_BYTES = 64 * 1024;
/** Largest index envelope a client reads. */
export const MAX_INDEX_BYTES = 2 * 1024 * 1024;
/** Largest timestamp envelope a client reads: it holds one pin and a few signatures. */
export const MAX_TIMESTAMP_BYTES = 16 * 1024;
/** Largest manifest envelope a client reads. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;
/**
 * Most files one manifest lists: the model and its external data files (some
 * exporters write one file per tensor).
 */
export const MAX_MANIFEST_FILES = 1024;
/** Largest key file the CLI reads. */
export const MAX_KEY_FILE_BYTES = 16 * 1024;

/** Most root versions a client walks in one update (as TUF does), so a hostile mirror cannot keep it busy. */
export const MAX_ROOT_ROTATIONS = 32;

/** Chunk size the CLI uses unless told otherwise: one WebCrypto digest per 4 MiB. */
export const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;
/** Smallest and largest chunk sizes a manifest may declare. */
export const MIN_CHUNK_SIZE = 16;
export const MAX_CHUNK_SIZE = 64 * 1024 * 1024;

/** DSSE payload types, one per document kind, so one kind's signature never passes for another. */
export const PAYLOAD_TYPES = {
  root: 'application/vnd.outpost.root+json',
  index: 'application/vnd.outpost.index+json',
  manifest: 'application/vnd.outpost.manifest+json',
  timestamp: 'application/vnd.outpost.timestamp+json',
} as const;

export type DocumentKind = keyof typeof PAYLOAD_TYPES;
