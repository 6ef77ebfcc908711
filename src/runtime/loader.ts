import type { ModelStore } from '../cache/surface.js';
import type { StateStore } from '../cache/surface.js';
import { versionKey } from '../cache/eviction.js';
import { abortError, isOutpostError, OutpostError } from '../errors.js';
import { fetchMetadata, type RequestContext } from '../delivery/http.js';
import type { TrustChain } from '../delivery/trust.js';
import { MAX_MANIFEST_BYTES } from '../registry/layout.js';
import { registryUrl } from '../registry/paths.js';
import { rolloutBucket } from '../registry/resolve.js';
import type { FileEntry, Index, Manifest, Root } from '../registry/schema.js';
import type { CachedFile, CacheSource, SessionPayload, StagedPayload } from '../worker/protocol.js';
import type { DamagedFile } from '../worker/assemble.js';
import { z } from 'zod';
import { verifyManifest } from '../registry/verify.js';
import { chooseVersion } from './resolve-version.js';
import type { FileRequest } from './fetch-missing.js';
import { materializeFile } from './materialize.js';
import { storeFile } from './store-file.js';
import type { LoadProgress, NormalizedLoadOptions, NormalizedRuntimeOptions } from './options.js';

export interface LoaderDeps {
  options: NormalizedRuntimeOptions;
  trust: TrustChain;
  store: ModelStore;
  state: StateStore;
  inUse: ReadonlySet<string>;
  /** Whether `store` is IndexedDB now (false once it fell back to memory). */
  persistent: () => boolean;
  /** The worker's half of a load from IndexedDB (EngineClient.stage); without it the page assembles the bytes. */
  stage?: (source: CacheSource) => Promise<StagedPayload>;
}

/** A version's files, every chunk verified against the signed manifest. */
export interface VerifiedFiles {
  /** The model file. */
  bytes: Uint8Array;
  /** Its external data files, under the `location` the model names each by. */
  externalData: Array<{ location: string; bytes: Uint8Array }>;
}

export interface VerifiedModel {
  name: string;
  version: string;
  manifest: Manifest;
  /** The first session's files: staged in the worker, or verified bytes to transfer. */
  payload: SessionPayload;
  /** Reads (and re-verifies) the same files again from the cache, fetching what is missing. */
  reread(): Promise<SessionPayload>;
}

/**
 * The files as a session request carries them: their buffers are transferred to the
 * worker, so `files` must not be used afterwards.
 *
 * @example
 * ```ts
 * await startSession(engine, sessionPayload(verified), 'auto', 'vad@1.0.0');
 * ```
 */
export function sessionPayload(files: VerifiedFiles): SessionPayload {
  const exact = (bytes: Uint8Array) =>
    (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer;
  const payload: SessionPayload = { bytes: exact(files.bytes) };
  if (files.externalData.length > 0) payload.externalData = files.externalData.map(({ location, bytes }) => ({ path: location, data: exact(bytes) }));
  return payload;
}

const METADATA_STEPS = 3;

/**
 * Everything before the runtime sees a byte: root and index verified, a version chosen,
 * its manifest pinned and verified, its files assembled from verified chunks.
 */
export async function fetchVerifiedModel(deps: LoaderDeps, name: string, load: NormalizedLoadOptions): Promise<VerifiedModel> {
  const { options, trust, store, state } = deps;
  const signal = load.signal;
  const ctx: RequestContext = { fetch: options.fetch, retry: options.retry, ...(signal ? { signal } : {}) };
  const progress = (p: LoadProgress) => {
    if (signal?.aborted) throw abortError(`load of ${name}`, signal);
    load.onProgress?.(p);
  };
  progress({ phase: 'metadata', loaded: 0, total: METADATA_STEPS });
  // Read beside the requests; handled here so a failing fetch leaves no unhandled rejection.
  const installId = state.installId();
  installId.catch(() => undefined);
  // The root walk and the index request run together; the index is verified with the walked root.
  const trusted = await trust.index(ctx, () => progress({ phase: 'metadata', loaded: 1, total: METADATA_STEPS }));
  const { root } = trusted;
  const bucket = await rolloutBucket(await installId, name);
  const { version, fromCache } = await chooseVersion(trusted, store, name, {
    channel: load.channel,
    bucket,
    ...(load.version === undefined ? {} : { version: load.version }),
  });
  progress({ phase: 'metadata', loaded: 2, total: METADATA_STEPS });

  const { manifest, manifestBytes, manifestSha256 } = await verifiedManifest(ctx, deps, root, trusted.index, name, version, !fromCache);
  progress({ phase: 'metadata', loaded: 3, total: METADATA_STEPS });

  const file = fileOf(manifest, manifest.model.file, name, version);
  const entries: CachedFile[] = [
    { file },
    ...(manifest.model.externalData ?? []).map((external) => ({ location: external.location, file: fileOf(manifest, external.path, name, version) })),
  ];
  const key = versionKey(name, version);
  const wasComplete = (await store.get(name, version))?.complete === true;
  const files = new VersionFiles(deps, name, version, manifest, entries);
  const payload = await withVersionLock(options.dbName, key, async () => {
    await store.begin(
      { name, version, manifest: manifestBytes, manifestSha256, bytes: totalBytes(manifest) },
      Date.now(),
    );
    const ready = await files.load(!fromCache || trusted.fresh, progress, ctx, wasComplete);
    await store.update(name, version, { complete: true, lastUsed: Date.now() });
    return ready;
  }, signal);
  const quietCtx: RequestContext = { fetch: options.fetch, retry: options.retry };
  return {
    name,
    version,
    manifest,
    payload,
    reread: () => withVersionLock(options.dbName, key, () => files.load(true, () => undefined, quietCtx, true)),
  };
}

type Report = (p: LoadProgress) => void;

/**
 * A version's files made ready for a session. With IndexedDB (and a worker to stage
 * in), the page only makes sure every chunk is stored and the worker assembles and
 * re-verifies them itself, so the page never holds the model; a chunk the worker finds
 * damaged is dropped, fetched again once, and staged again. Where the cache lives in
 * memory (storage refused), the page assembles the verified bytes and they are
 * transferred to the worker.
 */
class VersionFiles {
  readonly #deps: LoaderDeps;
  readonly #name: string;
  readonly #version: string;
  readonly #manifest: Manifest;
  readonly #entries: CachedFile[];

  constructor(deps: LoaderDeps, name: string, version: string, manifest: Manifest, entries: CachedFile[]) {
    this.#deps = deps;
    this.#name = name;
    this.#version = version;
    this.#manifest = manifest;
    this.#entries = entries;
  }

  load(online: boolean, report: Report, ctx: RequestContext, complete: boolean): Promise<SessionPayload> {
    return this.#deps.stage && this.#deps.persistent() ? this.#fromCache(online, report, ctx, complete) : this.#fromBytes(online, report, ctx, complete);
  }

  async #fromCache(online: boolean, report: Report, ctx: RequestContext, complete: boolean): Promise<SessionPayload> {
    const stage = this.#deps.stage as NonNullable<LoaderDeps['stage']>;
    const all = totalBytes(this.#manifest);
    for (let attempt = 0; ; attempt++) {
      let cached = 0;
      const offset = this.#offsets(report);
      for (const { file } of this.#entries) cached += (await storeFile(this.#request(file, online, offset(file), ctx, complete))).cached;
      // The store fell back to memory while chunks were written: assemble on the page.
      if (!this.#deps.persistent()) return this.#fromBytes(online, report, ctx, complete);
      if (cached > 0) report({ phase: 'verify', loaded: 0, total: all });
      let damaged: DamagedChunks;
      try {
        const staged = await stage({ dbName: this.#deps.options.dbName, name: this.#name, version: this.#version, files: this.#entries });
        if (cached > 0) report({ phase: 'verify', loaded: all, total: all });
        return staged;
      } catch (error) {
        const found = damagedChunks(error);
        if (!found) throw error;
        if (found === 'unreadable') return this.#fromBytes(online, report, ctx, complete);
        damaged = { list: found, error };
      }
      await this.#drop(damaged.list);
      if (!online || attempt > 0) throw this.#damagedError(damaged, online);
      // The damaged chunks are gone: the next pass fetches just those.
      complete = false;
    }
  }

  async #fromBytes(online: boolean, report: Report, ctx: RequestContext, complete: boolean): Promise<SessionPayload> {
    const offset = this.#offsets(report);
    const buffers: Uint8Array[] = [];
    for (const { file } of this.#entries) buffers.push(await materializeFile(this.#request(file, online, offset(file), ctx, complete)));
    const [bytes, ...external] = buffers as [Uint8Array, ...Uint8Array[]];
    return sessionPayload({
      bytes,
      externalData: external.map((data, i) => ({ location: this.#entries[i + 1]?.location ?? '', bytes: data })),
    });
  }

  /** Download progress over every file of the version, the model first, as one. */
  #offsets(report: Report): (file: FileEntry) => Report {
    if (this.#entries.length === 1) return () => report;
    const all = totalBytes(this.#manifest);
    let before = 0;
    return (file) => {
      const start = before;
      before += file.length;
      return (p) => report(p.phase === 'download' ? { phase: 'download', loaded: start + p.loaded, total: all } : p);
    };
  }

  #request(file: FileEntry, online: boolean, progress: Report, ctx: RequestContext, wasComplete: boolean): FileRequest {
    const { options, store, inUse } = this.#deps;
    return { ctx, store, registryUrl: options.registryUrl, name: this.#name, version: this.#version, file, maxBytes: options.maxBytes, inUse, online, wasComplete, progress };
  }

  /** Deleting a chunk also marks the version incomplete, so damage is never met twice. */
  async #drop(damaged: DamagedFile[]): Promise<void> {
    for (const { path, chunks } of damaged) {
      for (const index of chunks) await this.#deps.store.deleteChunk(this.#name, this.#version, path, index);
    }
  }

  #damagedError({ list, error }: DamagedChunks, online: boolean): OutpostError {
    const count = list.reduce((sum, file) => sum + file.chunks.length, 0);
    const why = online ? 'failed their hash again right after being fetched' : 'are damaged and the registry is unreachable';
    const first = list[0] as DamagedFile;
    return new OutpostError('INTEGRITY_MISMATCH', `${this.#name}@${this.#version}: ${count} cached chunks ${why}`, {
      cause: error,
      details: { name: this.#name, version: this.#version, record: 'chunk', path: first.path, chunks: first.chunks, damaged: list },
    });
  }
}

const damagedSchema = z.array(z.object({ path: z.string(), chunks: z.array(z.number().int().nonnegative()) })).min(1);

interface DamagedChunks {
  list: DamagedFile[];
  error: unknown;
}

/** What a stage failure says about the cache (worker/assemble.ts), read at the worker boundary. */
function damagedChunks(error: unknown): DamagedFile[] | 'unreadable' | undefined {
  if (!isOutpostError(error, 'INTEGRITY_MISMATCH')) return undefined;
  if (error.details.unreadable === true) return 'unreadable';
  const parsed = damagedSchema.safeParse(error.details.damaged);
  return parsed.success ? parsed.data : undefined;
}

async function verifiedManifest(
  ctx: RequestContext,
  deps: LoaderDeps,
  root: Root,
  index: Index,
  name: string,
  version: string,
  online: boolean,
): Promise<{ manifest: Manifest; manifestBytes: Uint8Array; manifestSha256: string }> {
  const pin = index.models[name]?.versions[version]?.manifest;
  const cached = await deps.store.get(name, version);
  if (cached && (!pin || cached.manifestSha256 === pin.sha256)) {
    try {
      const manifest = await verifyManifest(root, index, name, version, cached.manifest);
      // Verified against the index pin, so the pin's hash is the manifest's hash.
      return { manifest, manifestBytes: cached.manifest, manifestSha256: cached.manifestSha256 };
    } catch (error) {
      // A cached manifest that no longer verifies is damaged: fetched again from its pin
      // when online; offline the version goes, so the next online load starts clean.
      if (online && pin) return fetchManifest(ctx, deps, root, index, name, version, pin);
      await deps.store.remove(name, version);
      throw new OutpostError('INTEGRITY_MISMATCH', `${name}@${version}: the cached manifest is damaged and the registry is unreachable`, {
        cause: error,
        details: { name, version, record: 'manifest' },
      });
    }
  }
  if (!pin) {
    throw new OutpostError('MODEL_NOT_FOUND', `${name}@${version} is not in index version ${index.version}`, {
      details: { name, version, indexVersion: index.version },
    });
  }
  if (!online) {
    throw new OutpostError('DOWNLOAD_FAILED', `${name}@${version}: offline and its manifest is not cached`, { details: { name, version } });
  }
  return fetchManifest(ctx, deps, root, index, name, version, pin);
}

async function fetchManifest(
  ctx: RequestContext,
  deps: LoaderDeps,
  root: Root,
  index: Index,
  name: string,
  version: string,
  pin: { path: string; sha256: string },
): Promise<{ manifest: Manifest; manifestBytes: Uint8Array; manifestSha256: string }> {
  const url = registryUrl(deps.options.registryUrl, pin.path);
  const bytes = await fetchMetadata(ctx, url, MAX_MANIFEST_BYTES);
  if (bytes === undefined) {
    throw new OutpostError('MODEL_NOT_FOUND', `${url.href} is missing from the registry`, { details: { name, version, url: url.href } });
  }
  return { manifest: await verifyManifest(root, index, name, version, bytes), manifestBytes: bytes, manifestSha256: pin.sha256 };
}

function fileOf(manifest: Manifest, path: string, name: string, version: string): FileEntry {
  const file = manifest.files.find((entry) => entry.path === path);
  if (!file) {
    throw new OutpostError('METADATA_INVALID', `${name}@${version}: manifest names no file ${path}`, { details: { name, version, file: path } });
  }
  return file;
}

function totalBytes(manifest: Manifest): number {
  return manifest.files.reduce((sum, file) => sum + file.length, 0);
}

/**
 * One download of a version at a time across tabs and calls: the second waits, then
 * finds the chunks the first stored. Without Web Locks it runs unguarded.
 */
async function withVersionLock<T>(dbName: string, key: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) return work();
  try {
    return (await locks.request(`outpost:${dbName}:${key}`, signal ? { signal } : {}, work)) as T;
  } catch (error) {
    // Aborted while another tab or call held the lock.
    if (signal?.aborted && !isOutpostError(error)) throw abortError(`load of ${key}`, signal);
    throw error;
  }
}
