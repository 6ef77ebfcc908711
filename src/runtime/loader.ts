import type { ModelStore } from '../cache/surface.js';
import type { StateStore } from '../cache/surface.js';
import { versionKey } from '../cache/eviction.js';
import { abortError, isOutpostError, OutpostError } from '../errors.js';
import type { RequestContext } from '../delivery/http.js';
import type { TrustChain } from '../delivery/trust.js';
import { rolloutBucket } from '../registry/resolve.js';
import type { FileEntry, Manifest } from '../registry/schema.js';
import type { CachedFile, CacheSource, SessionPayload, StagedPayload } from '../worker/protocol.js';
import type { DamagedFile } from '../worker/assemble.js';
import { z } from 'zod';
import { chooseVersion } from './resolve-version.js';
import { verifiedManifest } from './manifest.js';
import { withVersionLock } from './version-lock.js';
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

  const source = { store, registryUrl: options.registryUrl };
  const { manifest, manifestBytes, manifestSha256 } = await verifiedManifest(ctx, source, { root, index: trusted.index, name, version }, !fromCache);
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
