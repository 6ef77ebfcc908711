import gt from 'semver/functions/gt.js';
import { OutpostError, isOutpostError } from '../errors.js';
import type { TrustedIndex } from '../delivery/trust.js';
import { resolveRelease } from '../registry/resolve.js';
import type { Index } from '../registry/schema.js';

/** A loaded model as the watcher sees it. */
export interface WatchedModel {
  name: string;
  version: string;
  /** The channel it was loaded from (`'stable'` unless the caller chose one). */
  channel: string;
  /** Refuses its queued and later runs with `error`. */
  revoke(error: OutpostError): void;
}

/** `detail` of the runtime's `refresh` event: one check of the index, and what it found. */
export interface RefreshDetail {
  status: 'unchanged' | 'changed' | 'failed';
  /** Wall time of the check, network included (an upper bound on its main-thread time). */
  durationMs: number;
  /** Checks that failed since the runtime was created. */
  failures: number;
  indexVersion?: number;
  /** Why the check failed: the same code a load would have failed with. */
  code?: string;
}

export interface ReleaseWatcherOptions {
  /** Milliseconds between checks; 0 disables them. */
  intervalMs: number;
  /** The index if it changed since the last verified one (every check of a load), else `undefined`. */
  refresh(): Promise<TrustedIndex | undefined>;
  /** This client's rollout bucket for a model. */
  bucket(name: string): Promise<number>;
  /** Removes a revoked version from the cache. */
  drop(name: string, version: string): Promise<void>;
  /** Where `update`, `revoked` and `refresh` events are dispatched (the runtime). */
  events: EventTarget;
  /** @default Math.random */
  random?: () => number;
  /** @default globalThis.document, when there is one */
  document?: Pick<Document, 'hidden' | 'addEventListener' | 'removeEventListener'>;
}

/** Each interval is the configured one ±10 %, so tabs opened together do not refresh together. */
const JITTER = 0.1;

/**
 * Live release control: while at least one model is loaded, the signed index is
 * re-fetched every interval (a conditional request), verified as a load verifies it,
 * and compared with what is loaded: a revoked version has its runs refused and leaves
 * the cache (`revoked`), a newer release of a loaded model's channel for this client's
 * rollout bucket is announced (`update`). A failed check changes nothing and is
 * retried at the next interval. While the page is hidden no check runs; a check that
 * fell due meanwhile runs as soon as the page is visible again.
 *
 * @example
 * ```ts
 * const watcher = new ReleaseWatcher({ intervalMs: 300_000, refresh, bucket, drop, events: runtime });
 * const untrack = watcher.track({ name: 'vad', version: '1.0.0', channel: 'stable', revoke: (e) => model.revoke(e) });
 * // on dispose:
 * untrack();
 * ```
 */
export class ReleaseWatcher {
  readonly #options: ReleaseWatcherOptions;
  readonly #models = new Set<WatchedModel>();
  /** `name@version#channel` already announced, so one release fires `update` once. */
  readonly #announced = new Set<string>();
  readonly #document: ReleaseWatcherOptions['document'];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #due = false;
  #checking: Promise<void> | undefined;
  #failures = 0;
  #closed = false;

  constructor(options: ReleaseWatcherOptions) {
    this.#options = options;
    this.#document = options.document ?? (globalThis as { document?: Document }).document;
  }

  /** Watches a loaded model until the returned function is called (its dispose). */
  track(model: WatchedModel): () => void {
    this.#models.add(model);
    if (this.#models.size === 1) this.#start();
    return () => this.#untrack(model);
  }

  /** Checks now, whatever the interval (also what each interval runs). */
  check(): Promise<void> {
    this.#checking ??= this.#check().finally(() => {
      this.#checking = undefined;
    });
    return this.#checking;
  }

  close(): void {
    this.#closed = true;
    this.#models.clear();
    this.#stop();
  }

  #untrack(model: WatchedModel): void {
    if (!this.#models.delete(model)) return;
    if (this.#models.size === 0) this.#stop();
  }

  #start(): void {
    if (this.#closed || this.#options.intervalMs <= 0) return;
    this.#document?.addEventListener('visibilitychange', this.#onVisibility);
    this.#schedule();
  }

  #stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#due = false;
    this.#document?.removeEventListener('visibilitychange', this.#onVisibility);
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    const random = this.#options.random ?? Math.random;
    const delay = this.#options.intervalMs * (1 - JITTER + 2 * JITTER * random());
    this.#timer = setTimeout(() => this.#fire(), delay);
  }

  #fire(): void {
    this.#timer = undefined;
    if (this.#models.size === 0) return;
    if (this.#document?.hidden) {
      this.#due = true;
      return;
    }
    void this.check().finally(() => {
      if (this.#models.size > 0 && !this.#closed && this.#timer === undefined) this.#schedule();
    });
  }

  readonly #onVisibility = (): void => {
    if (this.#document?.hidden || !this.#due) return;
    this.#due = false;
    this.#fire();
  };

  async #check(): Promise<void> {
    const started = performance.now();
    let detail: Omit<RefreshDetail, 'durationMs' | 'failures'>;
    try {
      const trusted = await this.#options.refresh();
      if (trusted === undefined) {
        detail = { status: 'unchanged' };
      } else {
        if (trusted.expired) {
          // Verified, but too old to act on: the models keep running on what they have.
          throw new OutpostError('METADATA_EXPIRED', `index version ${trusted.index.version} expired at ${trusted.index.expires}`, {
            details: { indexVersion: trusted.index.version, expires: trusted.index.expires },
          });
        }
        if (!this.#closed) await this.#apply(trusted.index);
        detail = { status: 'changed', indexVersion: trusted.index.version };
      }
    } catch (error) {
      this.#failures += 1;
      detail = { status: 'failed', code: isOutpostError(error) ? error.code : 'DOWNLOAD_FAILED' };
    }
    if (this.#closed) return;
    const full: RefreshDetail = { ...detail, durationMs: performance.now() - started, failures: this.#failures };
    this.#options.events.dispatchEvent(new CustomEvent('refresh', { detail: full }));
  }

  async #apply(index: Index): Promise<void> {
    const revoked = new Map<string, { name: string; version: string }>();
    const updates = new Map<string, { name: string; version: string; channel: string }>();
    for (const model of [...this.#models]) {
      if (index.models[model.name]?.revoked.includes(model.version)) {
        model.revoke(
          new OutpostError('VERSION_REVOKED', `${model.name}@${model.version} is revoked`, {
            details: { name: model.name, version: model.version },
          }),
        );
        this.#untrack(model);
        revoked.set(`${model.name}@${model.version}`, { name: model.name, version: model.version });
        continue;
      }
      const release = await this.#channelRelease(index, model);
      const key = `${model.name}@${release}#${model.channel}`;
      if (release !== undefined && gt(release, model.version) && !this.#announced.has(key)) {
        this.#announced.add(key);
        updates.set(key, { name: model.name, version: release, channel: model.channel });
      }
    }
    for (const { name, version } of revoked.values()) {
      // Out of the cache first, so a listener that reloads cannot get the revoked bytes.
      await this.#options.drop(name, version).catch(() => undefined);
      this.#options.events.dispatchEvent(new CustomEvent('revoked', { detail: { name, version } }));
    }
    for (const detail of updates.values()) this.#options.events.dispatchEvent(new CustomEvent('update', { detail }));
  }

  /** The version this client would load from the model's channel now, if any. */
  async #channelRelease(index: Index, model: WatchedModel): Promise<string | undefined> {
    try {
      const bucket = await this.#options.bucket(model.name);
      return resolveRelease(index, model.name, { channel: model.channel, bucket }).version;
    } catch (error) {
      // The channel is gone or its release revoked: nothing newer to announce.
      if (isOutpostError(error, 'MODEL_NOT_FOUND') || isOutpostError(error, 'VERSION_REVOKED')) return undefined;
      throw error;
    }
  }
}
