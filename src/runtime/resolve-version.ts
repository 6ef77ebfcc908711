import { pinnedKeys, versionKey } from '../cache/eviction.js';
import type { ModelStore } from '../cache/surface.js';
import type { VersionRecord } from '../cache/db.js';
import { OutpostError, isOutpostError } from '../errors.js';
import type { TrustedIndex } from '../delivery/trust.js';
import { resolveRelease } from '../registry/resolve.js';
import type { Index } from '../registry/schema.js';

export interface VersionChoice {
  version: string;
  /** True when the registry could not vouch for a current choice and the cache decided. */
  fromCache: boolean;
}

/**
 * Which version to load. With a fresh, unexpired index the registry decides (channel,
 * rollout, revocation). When the index is expired or the registry unreachable, the
 * last verified version in the cache loads, unless the newest index we hold revokes it.
 */
export async function chooseVersion(
  trusted: TrustedIndex,
  store: ModelStore,
  name: string,
  options: { version?: string; channel: string; bucket: number },
): Promise<VersionChoice> {
  const { index } = trusted;
  if (trusted.fresh && !trusted.expired) {
    try {
      return { version: resolveRelease(index, name, options).version, fromCache: false };
    } catch (error) {
      if (isOutpostError(error, 'VERSION_REVOKED')) {
        // Kill switch: a revoked version leaves the cache as soon as a fresh index says so.
        await store.remove(name, String(error.details.version));
      }
      throw error;
    }
  }
  const cached = await cachedFallback(store, index, name, options.version);
  if (cached) return { version: cached.version, fromCache: true };
  if (trusted.expired) {
    throw new OutpostError('METADATA_EXPIRED', `${name}: index version ${index.version} expired at ${index.expires} and no verified version is cached`, {
      details: { name, indexVersion: index.version, expires: index.expires },
    });
  }
  const reason = trusted.offlineReason;
  if (isOutpostError(reason)) throw reason;
  throw new OutpostError('DOWNLOAD_FAILED', `${name}: the registry is unreachable and no verified version is cached`, {
    cause: reason,
    details: { name },
  });
}

async function cachedFallback(store: ModelStore, index: Index, name: string, version?: string): Promise<VersionRecord | undefined> {
  const revoked = new Set(index.models[name]?.revoked ?? []);
  const records = (await store.versionsOf(name)).filter((record) => record.complete && !revoked.has(record.version));
  if (version !== undefined) return records.find((record) => record.version === version);
  const pinned = pinnedKeys(records);
  return records.find((record) => pinned.has(versionKey(record.name, record.version)));
}
