import { isOutpostError, OutpostError } from '../errors.js';
import { fromUtf8, sha256Hex, utf8 } from '../registry/encoding.js';
import { INDEX_PATH, MAX_INDEX_BYTES, MAX_ROOT_BYTES, MAX_ROOT_ROTATIONS, rootVersionPath } from '../registry/layout.js';
import { envelopePayload } from '../registry/envelope.js';
import { parseEnvelope, parseEnvelopeBytes } from '../registry/parse.js';
import { registryUrl } from '../registry/paths.js';
import type { Index, Root } from '../registry/schema.js';
import { isExpired, verifyIndex, verifyRootUpdate, verifyTrustedRoot } from '../registry/verify.js';
import type { StateStore } from '../cache/surface.js';
import { trustKey, type IndexFloor } from '../cache/trust-records.js';
import type { RequestContext } from './http.js';
import { indexKeysOf, trustNamespace } from './trust-namespace.js';
import { probeNextRoot } from './root-probe.js';
import { fetchIfChanged, type ConditionalResult } from './conditional.js';
import { fetchTimestamp, type VerifiedTimestamp } from './timestamp-gate.js';
import { checkIndexPin, checkPinnedVersion, hasTimestampRole } from '../registry/timestamp.js';
import { TIMESTAMP_PATH } from '../registry/layout.js';

/** The index a load works from, and how current it is. */
export interface TrustedIndex {
  index: Index;
  /** The root the index was verified with: the one the walk of this fetch ended on. */
  root: Root;
  /** False when the registry could not be reached and the last verified copy is used. */
  fresh: boolean;
  expired: boolean;
  /** Why the registry could not be reached, when `fresh` is false. */
  offlineReason?: unknown;
}

/**
 * The chain of trust for one runtime: the shipped root, its rotations, and the index,
 * with the rollback floor and the last verified copies persisted for offline use, all
 * under the namespace of this registry and shipped root (trust-namespace.ts).
 */
export class TrustChain {
  readonly #base: string | URL;
  readonly #shippedRoot: unknown;
  readonly #state: StateStore;
  #namespace: Promise<string> | undefined;
  /** The newest root verified so far in this runtime, and the envelopes after the shipped one. */
  #current: { root: Root; chain: string[] } | undefined;
  #walk: Promise<WalkResult> | undefined;
  /** ETag of the last index verified, for conditional refreshes. */
  #etag: string | undefined;
  /** ETag of the last timestamp.json verified, when the root has a timestamp role. */
  #stampEtag: string | undefined;
  /** The index last accepted, and the SHA-256 of its bytes (what a timestamp pins). */
  #held: { index: Index; sha256: string } | undefined;

  constructor(base: string | URL, shippedRoot: unknown, state: StateStore) {
    this.#base = base;
    this.#shippedRoot = shippedRoot;
    this.#state = state;
  }

  #ns(): Promise<string> {
    this.#namespace ??= trustNamespace(this.#base, this.#shippedRoot);
    return this.#namespace;
  }

  /**
   * The newest root reachable from the shipped one: the persisted chain (each step
   * re-verified from the shipped root), then any rotations the registry publishes.
   * Walked on every index fetch, so a runtime open across a rotation stops trusting
   * the old keys, and a walk cut short by network trouble is taken up again next time;
   * concurrent callers share one walk.
   */
  async root(ctx: RequestContext): Promise<Root> {
    return (await this.#sharedWalk(ctx)).root;
  }

  #sharedWalk(ctx: RequestContext): Promise<WalkResult> {
    this.#walk ??= this.#walkRoot(ctx).finally(() => {
      this.#walk = undefined;
    });
    return this.#walk;
  }

  async #walkRoot(ctx: RequestContext): Promise<WalkResult> {
    const ns = await this.#ns();
    let damaged: unknown;
    if (this.#current === undefined) {
      const restored = await this.#restoreRoot(ns);
      damaged = restored.damaged;
      this.#current = { root: restored.root, chain: restored.chain };
    }
    const start = this.#current.root;
    let root = start;
    const chain = [...this.#current.chain];
    try {
      for (let step = 0; step < MAX_ROOT_ROTATIONS; step++) {
        const path = rootVersionPath(root.version + 1);
        const bytes = await probeNextRoot(ctx, registryUrl(this.#base, path), MAX_ROOT_BYTES);
        if (bytes === undefined) break;
        root = await verifyRootUpdate(root, parseEnvelopeBytes(bytes, MAX_ROOT_BYTES, path), path);
        chain.push(fromUtf8(bytes));
      }
    } catch (error) {
      if (!isOfflineError(error)) throw error;
      if (damaged !== undefined) {
        // Not kept: the next walk restores again (the damage is gone by then) from the shipped root.
        this.#current = undefined;
        throw new OutpostError('INTEGRITY_MISMATCH', 'the cached root is damaged and the registry is unreachable', {
          cause: damaged,
          details: { record: 'root' },
        });
      }
    }
    // Kept even when the walk was cut short: each step is verified, and the rest follows next time.
    if (chain.length > this.#current.chain.length) await this.#state.set(trustKey(ns, 'roots'), chain);
    this.#current = { root, chain };
    return { root, advanced: root !== start };
  }

  /**
   * The shipped root and the persisted rotations after it, each step verified from the
   * shipped root N → N+1 (never a persisted root on its own signatures). A chain that
   * does not verify is dropped; the walk rebuilds it from the shipped root.
   */
  async #restoreRoot(ns: string): Promise<{ root: Root; chain: string[]; damaged?: unknown }> {
    const shipped = await verifyTrustedRoot(this.#shippedRoot);
    const persisted = await this.#state.get(trustKey(ns, 'roots'));
    if (persisted === undefined) return { root: shipped, chain: [] };
    let root = shipped;
    try {
      if (!Array.isArray(persisted)) throw new TypeError('persisted roots are not a list');
      for (const text of persisted as unknown[]) {
        const path = rootVersionPath(root.version + 1);
        if (typeof text !== 'string') throw new TypeError(`persisted ${path} is not text`);
        root = await verifyRootUpdate(root, parseEnvelopeBytes(utf8(text), MAX_ROOT_BYTES, `persisted ${path}`), `persisted ${path}`);
      }
      return { root, chain: persisted as string[] };
    } catch (error) {
      await this.#state.delete(trustKey(ns, 'roots'));
      return { root: shipped, chain: [], damaged: error };
    }
  }

  /**
   * The index, fresh from the registry and verified (signatures, rollback floor), or the
   * last verified copy when the registry cannot be reached. Expiry is reported, not
   * thrown: the caller decides whether a cached version may still load. `onRoot` sees
   * the walked root as soon as it is known (the index may still be on its way).
   */
  async index(ctx: RequestContext, onRoot?: (root: Root) => void): Promise<TrustedIndex> {
    // With a timestamp role the index may not be needed at all: it is not sent early then.
    const { root, fetched } = await this.#indexBesideWalk(ctx, undefined, onRoot, !this.#expectsTimestamp());
    if (fetched === undefined) return this.#indexByTimestamp(ctx, root);
    if ('error' in fetched) {
      if (!isOfflineError(fetched.error)) throw fetched.error;
      return this.#cachedIndex(root, fetched.error);
    }
    if (fetched.status !== 'changed') return this.#cachedIndex(root, new Error(`${INDEX_PATH} is missing from the registry`));
    return this.#acceptIndex(root, fetched.bytes, fetched.etag);
  }

  /**
   * The index again only if it changed since the last one verified (If-None-Match: an
   * unchanged index costs a 304): `undefined` then. The root is walked beside it, as
   * for every index fetch. A changed index gets every check of {@link index} (signatures,
   * rollback floor, expiry reported); network trouble throws instead of falling back
   * to the cache, since the caller already holds an index.
   */
  async refreshIndex(ctx: RequestContext): Promise<TrustedIndex | undefined> {
    const before = this.#current?.root;
    const { root, fetched } = await this.#indexBesideWalk(ctx, this.#etag, undefined, !this.#expectsTimestamp());
    if (fetched === undefined) return this.#refreshByTimestamp(ctx, root, before === root);
    if ('error' in fetched) throw fetched.error;
    if (fetched.status === 'unchanged') return undefined;
    if (fetched.status === 'missing') {
      throw new OutpostError('DOWNLOAD_FAILED', `${INDEX_PATH} is missing from the registry`, { details: { path: INDEX_PATH } });
    }
    return this.#acceptIndex(root, fetched.bytes, fetched.etag);
  }

  /**
   * With a timestamp role: timestamp.json first, then the index it pins (TUF 5.4-5.5).
   * Network trouble on either falls back to the offline copy, as without the role.
   */
  async #indexByTimestamp(ctx: RequestContext, root: Root): Promise<TrustedIndex> {
    try {
      const stamp = await fetchTimestamp(ctx, this.#base, root, this.#state, await this.#ns());
      if (stamp.status !== 'changed') return this.#cachedIndex(root, new Error(`${TIMESTAMP_PATH} is missing from the registry`));
      return await this.#indexPinnedBy(ctx, root, stamp);
    } catch (error) {
      if (!isOfflineError(error)) throw error;
      return this.#cachedIndex(root, error);
    }
  }

  /**
   * A live refresh with a timestamp role: an unchanged timestamp.json costs a 304; a new
   * one pinning the index already held costs no index request (`undefined`: nothing
   * changed, freshness extended); only a new pin fetches the index.
   */
  async #refreshByTimestamp(ctx: RequestContext, root: Root, sameRoot: boolean): Promise<TrustedIndex | undefined> {
    const stamp = await fetchTimestamp(ctx, this.#base, root, this.#state, await this.#ns(), sameRoot ? this.#stampEtag : undefined);
    if (stamp.status === 'unchanged') return undefined;
    if (stamp.status === 'missing') {
      throw new OutpostError('DOWNLOAD_FAILED', `${TIMESTAMP_PATH} is missing from the registry`, { details: { path: TIMESTAMP_PATH } });
    }
    const held = this.#held;
    if (sameRoot && held !== undefined && held.sha256 === stamp.timestamp.index.sha256) {
      if (stamp.expired) return { index: held.index, root, fresh: true, expired: true };
      await this.#state.raiseTimestampFloor(await this.#ns(), stamp.floor);
      this.#stampEtag = stamp.etag;
      return undefined;
    }
    return this.#indexPinnedBy(ctx, root, stamp);
  }

  /**
   * The index `stamp` pins: the offline copy when it is those bytes (no request), else
   * fetched. Bytes other than the pin's are INTEGRITY_MISMATCH, before any signature.
   */
  async #indexPinnedBy(ctx: RequestContext, root: Root, stamp: VerifiedTimestamp): Promise<TrustedIndex> {
    const pin = stamp.timestamp.index;
    const offline = await this.#state.get(trustKey(await this.#ns(), 'index'));
    let bytes: Uint8Array | undefined = offline === undefined ? undefined : utf8(offline);
    let etag: string | undefined;
    if (bytes === undefined || bytes.length !== pin.length || (await sha256Hex(bytes)) !== pin.sha256) {
      const fetched = await fetchIfChanged(ctx, registryUrl(this.#base, INDEX_PATH), MAX_INDEX_BYTES);
      if (fetched.status !== 'changed') {
        throw new OutpostError('DOWNLOAD_FAILED', `${INDEX_PATH} is missing from the registry`, { details: { path: INDEX_PATH } });
      }
      bytes = fetched.bytes;
      etag = fetched.etag;
    }
    await checkIndexPin(pin, bytes, INDEX_PATH);
    return this.#acceptIndex(root, bytes, etag, stamp);
  }

  /**
   * Walks the root and fetches the index at the same time, so a load waits one round
   * trip for both, not two. Nothing is trusted earlier for it: the index is verified
   * only afterwards, against the root the walk ended on, and a walk that fails fails
   * the fetch as before. When the walk found a newer root, the index fetched beside it
   * may predate the rotation (and an ETag belongs to the keys that verified it), so the
   * index is fetched again, whole, after the walk: TUF's order, at the cost of one
   * request only when a root rotated. A root with a timestamp role gets no `fetched`:
   * timestamp.json decides whether the index is needed.
   */
  async #indexBesideWalk(
    ctx: RequestContext,
    etag?: string,
    onRoot?: (root: Root) => void,
    sendEarly = true,
  ): Promise<{ root: Root; fetched?: ConditionalResult | { error: unknown } }> {
    const url = registryUrl(this.#base, INDEX_PATH);
    const fetchIndex = (tag?: string) =>
      fetchIfChanged(ctx, url, MAX_INDEX_BYTES, tag).catch((error: unknown) => ({ error }));
    // Settled (never rejected), so a walk that fails first leaves no unhandled rejection behind.
    const early = sendEarly ? fetchIndex(etag) : undefined;
    const { root, advanced } = await this.#sharedWalk(ctx);
    onRoot?.(root);
    if (hasTimestampRole(root)) return { root };
    if (advanced) return { root, fetched: await fetchIndex() };
    return { root, fetched: early === undefined ? await fetchIndex(etag) : await early };
  }

  /**
   * Whether this fetch will likely meet a timestamp role: the root verified last, else
   * the shipped root as it reads (unverified; it only decides whether the index is sent
   * early, never what is trusted).
   */
  #expectsTimestamp(): boolean {
    if (this.#current) return hasTimestampRole(this.#current.root);
    try {
      const payload = envelopePayload(parseEnvelope(this.#shippedRoot, MAX_ROOT_BYTES, 'trusted root'), 'trusted root');
      return (JSON.parse(fromUtf8(payload)) as { roles?: Record<string, unknown> }).roles?.timestamp !== undefined;
    } catch {
      return false;
    }
  }

  async #acceptIndex(root: Root, bytes: Uint8Array, etag: string | undefined, stamp?: VerifiedTimestamp): Promise<TrustedIndex> {
    const ns = await this.#ns();
    const keys = indexKeysOf(root);
    const stored = await this.#state.get(trustKey(ns, 'floor'));
    // The floor belongs to the keys that signed it (TUF 5.3.11): once a root update
    // changed them, a version fast-forwarded with a stolen key no longer binds.
    const floor = isFloor(stored) && stored.keys === keys ? stored : undefined;
    const envelope = parseEnvelopeBytes(bytes, MAX_INDEX_BYTES, INDEX_PATH);
    const index = await verifyIndex(root, envelope, {
      now: Date.now(),
      allowExpired: true,
      ...(floor === undefined ? {} : { highestTrustedVersion: floor.version }),
    });
    const digest = await sha256Hex(bytes);
    if (floor !== undefined && index.version === floor.version && digest !== floor.sha256) {
      throw new OutpostError('ROLLBACK_DETECTED', `${INDEX_PATH} version ${index.version} differs from the index of that version trusted before`, {
        details: { what: INDEX_PATH, version: index.version, highestTrustedVersion: floor.version },
      });
    }
    if (stamp !== undefined) checkPinnedVersion(stamp.timestamp.index, index, INDEX_PATH);
    // With a timestamp role the index still expires (TUF checks both), only later.
    const expired = isExpired(index, Date.now()) || stamp?.expired === true;
    // An expired index (or timestamp) is verified but never becomes a floor or the offline copy.
    if (!expired) {
      await this.#state.raiseIndexFloor(ns, { version: index.version, keys, sha256: digest }, fromUtf8(bytes));
      if (stamp !== undefined) await this.#state.raiseTimestampFloor(ns, stamp.floor);
    }
    // Remembered only once verified, so a refused index is fetched whole next time.
    this.#etag = etag;
    this.#stampEtag = stamp?.etag;
    this.#held = { index, sha256: digest };
    // An expired root freezes updates just as an expired index does.
    return { index, root, fresh: true, expired: expired || isExpired(root, Date.now()) };
  }

  async #cachedIndex(root: Root, reason: unknown): Promise<TrustedIndex> {
    const key = trustKey(await this.#ns(), 'index');
    const text = await this.#state.get(key);
    if (text === undefined) throw reason;
    let index: Index;
    try {
      const envelope = parseEnvelopeBytes(utf8(text), MAX_INDEX_BYTES, `cached ${INDEX_PATH}`);
      index = await verifyIndex(root, envelope, { now: Date.now(), allowExpired: true }, `cached ${INDEX_PATH}`);
    } catch (error) {
      // Damaged: dropped, so the next online load stores a verified copy again.
      await this.#state.delete(key);
      throw new OutpostError('INTEGRITY_MISMATCH', `cached ${INDEX_PATH} is damaged and the registry is unreachable`, {
        cause: error,
        details: { record: 'index' },
      });
    }
    return { index, root, fresh: false, expired: isExpired(index, Date.now()), offlineReason: reason };
  }
}

interface WalkResult {
  root: Root;
  /** Whether this walk went past the root it started from. */
  advanced: boolean;
}

/** A stored floor of the current shape (a damaged one counts as none: the signatures still hold). */
function isFloor(value: unknown): value is IndexFloor {
  const floor = value as Partial<IndexFloor> | undefined;
  return typeof floor === 'object' && floor !== null && Number.isSafeInteger(floor.version) && typeof floor.keys === 'string' && typeof floor.sha256 === 'string';
}

/** Network trouble (retries spent) as opposed to a registry that answered wrongly. */
export function isOfflineError(error: unknown): boolean {
  return isOutpostError(error, 'DOWNLOAD_FAILED');
}
