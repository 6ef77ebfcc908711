import { sha256Hex, utf8 } from '../registry/encoding.js';
import { envelopePayload } from '../registry/envelope.js';
import { MAX_ROOT_BYTES } from '../registry/layout.js';
import { parseEnvelope } from '../registry/parse.js';
import { registryUrl } from '../registry/paths.js';
import type { Root } from '../registry/schema.js';

/**
 * The namespace of a runtime's trust state: SHA-256 of the registry's URL and of the
 * shipped root's payload (the signed bytes, so object and JSON text give the same).
 * Two registries on one origin, or one registry behind another shipped root, never
 * share a persisted root, floor or offline index.
 *
 * @example
 * ```ts
 * const ns = await trustNamespace('https://cdn.example/reg/', shippedRootJson);
 * state.get(trustKey(ns, 'floor'));
 * ```
 */
export async function trustNamespace(base: string | URL, shippedRoot: unknown): Promise<string> {
  const payload = envelopePayload(parseEnvelope(shippedRoot, MAX_ROOT_BYTES, 'trusted root'), 'trusted root');
  const registry = registryUrl(base, 'index.json').href;
  return sha256Hex(utf8(JSON.stringify([registry, await sha256Hex(payload)])));
}

/** The index-signing keys of `root` as the floor records them: sorted key ids. */
export function indexKeysOf(root: Root): string {
  return [...root.roles.targets.keyids].sort().join(',');
}
