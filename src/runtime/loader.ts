import type { ModelStore } from '../cache/model-store.js';
import type { StateStore } from '../cache/state-store.js';
import { versionKey } from '../cache/eviction.js';
import { abortError, isOutpostError, OutpostError } from '../errors.js';
import { fetchMetadata, type RequestContext } from '../delivery/http.js';
import type { TrustChain } from '../delivery/trust.js';
import { MAX_MANIFEST_BYTES } from '../registry/layout.js';
import { registryUrl } from '../registry/paths.js';
import { rolloutBucket } from '../registry/resolve.js';
import type { FileEntry, Index, Manifest, Root } from '../registry/schema.js';
import type { SessionPayload } from '../worker/protocol.js';
import { verifyManifest } from '../registry/verify.js';
import { chooseVersion } from './resolve-version.js';
import { materializeFile } from './materialize.js';
import type { LoadProgress, NormalizedLoadOptions, NormalizedRuntimeOptions } from './options.js';

export interface LoaderDeps {
  options: NormalizedRuntimeOptions;
  trust: TrustChain;
  store: ModelStore;
  state: StateStore;
  inUse: ReadonlySet<string>;
}

/** A version's files, every chunk verified against the signed manifest. */
export interface VerifiedFiles {
  /** The model file. */
  bytes: Uint8Array;
  /** Its external data files, under the `location` the model names each by. */
  externalData: Array<{ location: string; bytes: Uint8Array }>;
}

export interface VerifiedModel extends VerifiedFiles {
  name: string;
  version: string;
  manifest: Manifest;
  /** Reads (and re-verifies) the same files again from the cache, fetching what is missing. */
  reread(): Promise<VerifiedFiles>;
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
 * its manifest pinned and verified, its file assembled from verified chunks.
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
  const root = await trust.root(ctx);
  progress({ phase: 'metadata', loaded: 1, total: METADATA_STEPS });
  const trusted = await trust.index(ctx);
  const bucket = await rolloutBucket(await state.installId(), name);
  const { version, fromCache } = await chooseVersion(trusted, store, name, {
    channel: load.channel,
    bucket,
    ...(load.version === undefined ? {} : { version: load.version }),
  });
  progress({ phase: 'metadata', loaded: 2, total: METADATA_STEPS });

  const { manifest, manifestBytes, manifestSha256 } = await verifiedManifest(ctx, deps, root, trusted.index, name, version, !fromCache);
  progress({ phase: 'metadata', loaded: 3, total: METADATA_STEPS });

  const file = fileOf(manifest, manifest.model.file, name, version);
  const externals = (manifest.model.externalData ?? []).map((external) => ({ location: external.location, file: fileOf(manifest, external.path, name, version) }));
  const key = versionKey(name, version);
  const materializeOne = (entry: FileEntry, online: boolean, report: (p: LoadProgress) => void, requestCtx: RequestContext) =>
    materializeFile({
      ctx: requestCtx,
      store,
      registryUrl: options.registryUrl,
      name,
      version,
      file: entry,
      maxBytes: options.maxBytes,
      inUse: deps.inUse,
      online,
      progress: report,
    });
  // Every file of the version, the model first; download progress counts them all as one.
  const materialize = async (online: boolean, report: (p: LoadProgress) => void, requestCtx: RequestContext): Promise<VerifiedFiles> => {
    const all = totalBytes(manifest);
    let before = 0;
    const offset = (entry: FileEntry) => {
      const start = before;
      before += entry.length;
      return (p: LoadProgress) => report(p.phase === 'download' ? { phase: 'download', loaded: start + p.loaded, total: all } : p);
    };
    const bytes = await materializeOne(file, online, externals.length === 0 ? report : offset(file), requestCtx);
    const externalData: VerifiedFiles['externalData'] = [];
    for (const external of externals) {
      externalData.push({ location: external.location, bytes: await materializeOne(external.file, online, offset(external.file), requestCtx) });
    }
    return { bytes, externalData };
  };
  const files = await withVersionLock(options.dbName, key, async () => {
    await store.begin(
      { name, version, manifest: manifestBytes, manifestSha256, bytes: totalBytes(manifest) },
      Date.now(),
    );
    const assembled = await materialize(!fromCache || trusted.fresh, progress, ctx);
    await store.update(name, version, { complete: true, lastUsed: Date.now() });
    return assembled;
  }, signal);
  const quietCtx: RequestContext = { fetch: options.fetch, retry: options.retry };
  return {
    name,
    version,
    manifest,
    ...files,
    reread: () => withVersionLock(options.dbName, key, () => materialize(true, () => undefined, quietCtx)),
  };
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
    const manifest = await verifyManifest(root, index, name, version, cached.manifest);
    // Verified against the index pin, so the pin's hash is the manifest's hash.
    return { manifest, manifestBytes: cached.manifest, manifestSha256: cached.manifestSha256 };
  }
  if (!pin) {
    throw new OutpostError('MODEL_NOT_FOUND', `${name}@${version} is not in index version ${index.version}`, {
      details: { name, version, indexVersion: index.version },
    });
  }
  if (!online) {
    throw new OutpostError('DOWNLOAD_FAILED', `${name}@${version}: offline and its manifest is not cached`, { details: { name, version } });
  }
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
