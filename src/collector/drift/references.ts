/**
 * Drift references from the signed registry, verified with the browser's own checks
 * (src/registry/verify.ts): shipped root → root rotations → index → each version's
 * manifest pinned by the index. `refresh()` re-reads the index and fetches only the
 * manifests whose pins changed, so calling it every minute is cheap.
 */
import { isOutpostError } from '../../errors.js';
import { sha256Hex } from '../../registry/encoding.js';
import { INDEX_PATH, MAX_INDEX_BYTES, MAX_MANIFEST_BYTES, MAX_ROOT_BYTES } from '../../registry/layout.js';
import { parseEnvelopeBytes } from '../../registry/parse.js';
import type { Reference, Root } from '../../registry/schema.js';
import { updateRoot, verifyIndex, verifyManifest, verifyTrustedRoot } from '../../registry/verify.js';
import type { RegistryRead } from './registry-source.js';

/** A version's reference, or why there is none. */
export type ReferenceLookup =
  | { state: 'reference'; reference: Reference }
  | { state: 'no-reference' }
  | { state: 'unknown-version' };

/** The last refresh's outcome, for logs and /healthz-style reporting. */
export interface RefreshReport {
  indexVersion: number | null;
  versions: number;
  withReference: number;
  /** Failures as `code: message`, one per document that did not verify. */
  problems: string[];
}

interface Entry {
  pinSha256: string;
  reference: Reference | undefined;
}

function describe(error: unknown): string {
  if (isOutpostError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Verified references of every published version.
 *
 * @example
 * ```ts
 * const book = new ReferenceBook(registryReader('./registry'), await readFile('root.json'));
 * await book.refresh();
 * book.lookup('vad', '1.0.0'); // { state: 'reference', reference } | { state: 'no-reference' } | …
 * ```
 */
export class ReferenceBook {
  readonly #read: RegistryRead;
  readonly #trustedRoot: unknown;
  readonly #now: () => number;
  #root: Root | undefined;
  #highestIndex: number | undefined;
  #indexDigest: string | undefined;
  #entries = new Map<string, Entry>();
  #report: RefreshReport = { indexVersion: null, versions: 0, withReference: 0, problems: ['not refreshed yet'] };

  constructor(read: RegistryRead, trustedRoot: unknown, now: () => number = Date.now) {
    this.#read = read;
    this.#trustedRoot = trustedRoot;
    this.#now = now;
  }

  get report(): RefreshReport {
    return this.#report;
  }

  lookup(model: string, version: string): ReferenceLookup {
    const entry = this.#entries.get(`${model}@${version}`);
    if (entry === undefined) return { state: 'unknown-version' };
    return entry.reference === undefined ? { state: 'no-reference' } : { state: 'reference', reference: entry.reference };
  }

  /** Every known version, with or without a reference. */
  versions(): Array<{ model: string; version: string; reference: Reference | undefined }> {
    return [...this.#entries].map(([key, entry]) => {
      const at = key.lastIndexOf('@');
      return { model: key.slice(0, at), version: key.slice(at + 1), reference: entry.reference };
    });
  }

  /**
   * Re-reads the registry. A failure keeps the last verified references (the
   * collector goes on scoring) and is listed in the returned report, never thrown.
   */
  async refresh(): Promise<RefreshReport> {
    const problems: string[] = [];
    try {
      this.#root ??= await verifyTrustedRoot(this.#trustedRoot);
      this.#root = await updateRoot(this.#root, (path) => this.#read(path, MAX_ROOT_BYTES));
      const bytes = await this.#read(INDEX_PATH, MAX_INDEX_BYTES);
      if (bytes === undefined) throw new Error(`${INDEX_PATH} is missing`);
      const digest = await sha256Hex(bytes);
      if (digest !== this.#indexDigest) {
        // An expired index still names the right references; expiry protects clients
        // from frozen releases, which the collector does not load.
        const index = await verifyIndex(this.#root, parseEnvelopeBytes(bytes, MAX_INDEX_BYTES, INDEX_PATH), {
          now: this.#now(),
          ...(this.#highestIndex === undefined ? {} : { highestTrustedVersion: this.#highestIndex }),
          allowExpired: true,
        });
        this.#highestIndex = index.version;
        const next = new Map<string, Entry>();
        for (const [model, entry] of Object.entries(index.models)) {
          for (const [version, { manifest: pin }] of Object.entries(entry.versions)) {
            const key = `${model}@${version}`;
            const known = this.#entries.get(key);
            if (known !== undefined && known.pinSha256 === pin.sha256) {
              next.set(key, known);
              continue;
            }
            try {
              const manifestBytes = await this.#read(pin.path, MAX_MANIFEST_BYTES);
              if (manifestBytes === undefined) throw new Error(`${pin.path} is missing`);
              const manifest = await verifyManifest(this.#root, index, model, version, manifestBytes);
              next.set(key, { pinSha256: pin.sha256, reference: manifest.reference });
            } catch (error) {
              problems.push(`${model}@${version}: ${describe(error)}`);
            }
          }
        }
        this.#entries = next;
        // A version that failed is retried next time, even if the index did not change.
        this.#indexDigest = problems.length === 0 ? digest : undefined;
      }
      const versions = [...this.#entries.values()];
      this.#report = {
        indexVersion: this.#highestIndex ?? null,
        versions: versions.length,
        withReference: versions.filter((entry) => entry.reference !== undefined).length,
        problems,
      };
    } catch (error) {
      this.#report = { ...this.#report, problems: [...problems, describe(error)] };
    }
    return this.#report;
  }
}
