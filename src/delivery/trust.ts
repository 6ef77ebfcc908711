import { isOutpostError, OutpostError } from '../errors.js';
import { fromUtf8, utf8 } from '../registry/encoding.js';
import { INDEX_PATH, MAX_INDEX_BYTES, MAX_ROOT_BYTES } from '../registry/layout.js';
import { parseEnvelopeBytes } from '../registry/parse.js';
import { registryUrl } from '../registry/paths.js';
import type { Index, Root } from '../registry/schema.js';
import { isExpired, updateRoot, verifyIndex, verifyTrustedRoot } from '../registry/verify.js';
import type { StateStore } from '../cache/surface.js';
import { fetchMetadata, type RequestContext } from './http.js';
import { probeNextRoot } from './root-probe.js';
import { fetchIfChanged, type ConditionalResult } from './conditional.js';

/** The index a load works from, and how current it is. */
export interface TrustedIndex {
  index: Index;
  /** False when the registry could not be reached and the last verified copy is used. */
  fresh: boolean;
  expired: boolean;
  /** Why the registry could not be reached, when `fresh` is false. */
  offlineReason?: unknown;
}

/**
 * The chain of trust for one runtime: the shipped root, its rotations, and the index,
 * with the rollback floor and the last verified copies persisted for offline use.
 */
export class TrustChain {
  readonly #base: string | URL;
  readonly #shippedRoot: unknown;
  readonly #state: StateStore;
  #root: Promise<Root> | undefined;
  /** ETag of the last index verified, for conditional refreshes. */
  #etag: string | undefined;

  constructor(base: string | URL, shippedRoot: unknown, state: StateStore) {
    this.#base = base;
    this.#shippedRoot = shippedRoot;
    this.#state = state;
  }

  /**
   * The newest root reachable from the shipped one: the persisted root when it is
   * newer, then any rotations the registry publishes. Walked once per runtime; a
   * failed walk (offline) keeps the root it reached and is retried on the next load.
   */
  root(ctx: RequestContext): Promise<Root> {
    this.#root ??= this.#walkRoot(ctx).catch((error: unknown) => {
      this.#root = undefined;
      throw error;
    });
    return this.#root;
  }

  async #walkRoot(ctx: RequestContext): Promise<Root> {
    const shipped = await verifyTrustedRoot(this.#shippedRoot);
    let root = shipped;
    const persisted = await this.#state.get('root');
    let damaged: unknown;
    if (persisted !== undefined) {
      // Re-verified, not trusted blindly: it must chain from the shipped root's keys
      // or be signed by its own keys at a higher version reached before.
      const stored = await verifyTrustedRoot(persisted, 'persisted root').catch((error: unknown) => {
        damaged = error;
        return undefined;
      });
      if (stored && stored.version > shipped.version) root = stored;
      // Dropped: the walk below rebuilds it from the shipped root when online.
      if (damaged !== undefined) await this.#state.delete('root');
    }
    let latestText: string | undefined;
    try {
      root = await updateRoot(root, async (path) => {
        const bytes = await probeNextRoot(ctx, registryUrl(this.#base, path), MAX_ROOT_BYTES);
        if (bytes !== undefined) latestText = fromUtf8(bytes);
        return bytes;
      });
    } catch (error) {
      if (!isOfflineError(error)) throw error;
      if (damaged !== undefined) {
        throw new OutpostError('INTEGRITY_MISMATCH', 'the cached root is damaged and the registry is unreachable', {
          cause: damaged,
          details: { record: 'root' },
        });
      }
    }
    if (latestText !== undefined) await this.#state.set('root', latestText);
    return root;
  }

  /**
   * The index, fresh from the registry and verified (signatures, rollback floor), or the
   * last verified copy when the registry cannot be reached. Expiry is reported, not
   * thrown: the caller decides whether a cached version may still load.
   */
  async index(ctx: RequestContext): Promise<TrustedIndex> {
    const root = await this.root(ctx);
    let fetched: ConditionalResult;
    try {
      fetched = await fetchIfChanged(ctx, registryUrl(this.#base, INDEX_PATH), MAX_INDEX_BYTES);
    } catch (error) {
      if (!isOfflineError(error)) throw error;
      return this.#cachedIndex(root, error);
    }
    if (fetched.status !== 'changed') return this.#cachedIndex(root, new Error(`${INDEX_PATH} is missing from the registry`));
    return this.#acceptIndex(root, fetched.bytes, fetched.etag);
  }

  /**
   * The index again only if it changed since the last one verified (If-None-Match: an
   * unchanged index costs a 304): `undefined` then. A changed index gets every check of
   * {@link index} (signatures, rollback floor, expiry reported); network trouble throws
   * instead of falling back to the cache, since the caller already holds an index.
   */
  async refreshIndex(ctx: RequestContext): Promise<TrustedIndex | undefined> {
    const root = await this.root(ctx);
    const fetched = await fetchIfChanged(ctx, registryUrl(this.#base, INDEX_PATH), MAX_INDEX_BYTES, this.#etag);
    if (fetched.status === 'unchanged') return undefined;
    if (fetched.status === 'missing') {
      throw new OutpostError('DOWNLOAD_FAILED', `${INDEX_PATH} is missing from the registry`, { details: { path: INDEX_PATH } });
    }
    return this.#acceptIndex(root, fetched.bytes, fetched.etag);
  }

  async #acceptIndex(root: Root, bytes: Uint8Array, etag: string | undefined): Promise<TrustedIndex> {
    const floor = await this.#state.get('highestIndexVersion');
    const envelope = parseEnvelopeBytes(bytes, MAX_INDEX_BYTES, INDEX_PATH);
    const index = await verifyIndex(root, envelope, {
      now: Date.now(),
      allowExpired: true,
      ...(floor === undefined ? {} : { highestTrustedVersion: floor }),
    });
    const expired = isExpired(index, Date.now());
    // An expired index is verified but never becomes the floor or the offline copy.
    if (!expired) await this.#state.raiseIndexFloor(index.version, fromUtf8(bytes));
    // Remembered only once verified, so a refused index is fetched whole next time.
    this.#etag = etag;
    // An expired root freezes updates just as an expired index does.
    return { index, fresh: true, expired: expired || isExpired(root, Date.now()) };
  }

  async #cachedIndex(root: Root, reason: unknown): Promise<TrustedIndex> {
    const text = await this.#state.get('index');
    if (text === undefined) throw reason;
    let index: Index;
    try {
      const envelope = parseEnvelopeBytes(utf8(text), MAX_INDEX_BYTES, `cached ${INDEX_PATH}`);
      index = await verifyIndex(root, envelope, { now: Date.now(), allowExpired: true }, `cached ${INDEX_PATH}`);
    } catch (error) {
      // Damaged: dropped, so the next online load stores a verified copy again.
      await this.#state.delete('index');
      throw new OutpostError('INTEGRITY_MISMATCH', `cached ${INDEX_PATH} is damaged and the registry is unreachable`, {
        cause: error,
        details: { record: 'index' },
      });
    }
    return { index, fresh: false, expired: isExpired(index, Date.now()), offlineReason: reason };
  }
}

/** Network trouble (retries spent) as opposed to a registry that answered wrongly. */
export function isOfflineError(error: unknown): boolean {
  return isOutpostError(error, 'DOWNLOAD_FAILED');
}
