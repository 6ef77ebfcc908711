import type { ModelStore } from '../cache/surface.js';
import { fetchMetadata, type RequestContext } from '../delivery/http.js';
import { OutpostError } from '../errors.js';
import { MAX_MANIFEST_BYTES } from '../registry/layout.js';
import { registryUrl } from '../registry/paths.js';
import type { Index, Manifest, Root } from '../registry/schema.js';
import { verifyManifest } from '../registry/verify.js';

/** Where a version's manifest comes from: the cache, else the registry. */
export interface ManifestSource {
  store: ModelStore;
  registryUrl: string | URL;
}

/** Whose manifest, and what to verify it against. */
export interface WantedManifest {
  root: Root;
  index: Index;
  name: string;
  version: string;
}

export interface VerifiedManifest {
  manifest: Manifest;
  /** The signed envelope as stored and pinned. */
  manifestBytes: Uint8Array;
  manifestSha256: string;
}

/**
 * The manifest of `name@version`, verified against the index's pin and the root's
 * targets keys: the cached copy when it still matches the pin, else fetched (`online`).
 * A cached copy that no longer verifies is damaged: fetched again when online; offline
 * the version is removed and the load fails with INTEGRITY_MISMATCH (`record: 'manifest'`).
 */
export async function verifiedManifest(ctx: RequestContext, deps: ManifestSource, wanted: WantedManifest, online: boolean): Promise<VerifiedManifest> {
  const { root, index, name, version } = wanted;
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
      if (online && pin) return fetchManifest(ctx, deps, wanted, pin);
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
  return fetchManifest(ctx, deps, wanted, pin);
}

async function fetchManifest(ctx: RequestContext, deps: ManifestSource, wanted: WantedManifest, pin: { path: string; sha256: string }): Promise<VerifiedManifest> {
  const { root, index, name, version } = wanted;
  const url = registryUrl(deps.registryUrl, pin.path);
  const bytes = await fetchMetadata(ctx, url, MAX_MANIFEST_BYTES);
  if (bytes === undefined) {
    throw new OutpostError('MODEL_NOT_FOUND', `${url.href} is missing from the registry`, { details: { name, version, url: url.href } });
  }
  return { manifest: await verifyManifest(root, index, name, version, bytes), manifestBytes: bytes, manifestSha256: pin.sha256 };
}
