/**
 * Which version a client loads: an explicit version, or a channel's release with
 * staged rollout, never a revoked one.
 */
import { OutpostError } from '../errors.js';
import { sha256, utf8 } from './encoding.js';
import type { Index, VersionEntry } from './schema.js';

/** Options of {@link resolveRelease}. */
export interface ResolveOptions {
  /** Exact version; when set, `channel` and `bucket` are not used. */
  version?: string;
  /** @default 'stable' */
  channel?: string;
  /** This client's rollout bucket, 0..99 (see {@link rolloutBucket}). */
  bucket: number;
}

/** The resolved release. */
export interface Release {
  version: string;
  entry: VersionEntry;
  /** The channel it came from; absent for an explicit version. */
  channel?: string;
  /** For a channel: whether the bucket fell inside the rollout (false: `previous` was chosen). */
  inRollout?: boolean;
}

function notFound(message: string, details: Record<string, unknown>): OutpostError {
  return new OutpostError('MODEL_NOT_FOUND', message, { details });
}

/**
 * The version of `name` to load per `index`. An explicit version must be published;
 * otherwise the channel decides: buckets below its `rollout` get `version`, the rest
 * `previous`. `MODEL_NOT_FOUND` when the model, version, channel or (outside the
 * rollout) previous release is missing; `VERSION_REVOKED` when the result is revoked.
 *
 * @example
 * ```ts
 * const bucket = await rolloutBucket(installId, 'vad');
 * const { version, entry } = resolveRelease(index, 'vad', { channel: 'beta', bucket });
 * ```
 */
export function resolveRelease(index: Index, name: string, options: ResolveOptions): Release {
  const model = index.models[name];
  if (model === undefined) {
    throw notFound(`model ${name} is not in index version ${index.version}`, { name, indexVersion: index.version });
  }
  const release = pick(model, name, options);
  if (model.revoked.includes(release.version)) {
    throw new OutpostError('VERSION_REVOKED', `${name}@${release.version} is revoked`, {
      details: { name, version: release.version, ...(release.channel === undefined ? {} : { channel: release.channel }) },
    });
  }
  return release;
}

function pick(model: Index['models'][string], name: string, options: ResolveOptions): Release {
  if (options.version !== undefined) {
    const entry = model.versions[options.version];
    if (entry === undefined) throw notFound(`${name}@${options.version} is not published`, { name, version: options.version });
    return { version: options.version, entry };
  }
  const channelName = options.channel ?? 'stable';
  const channel = model.channels[channelName];
  if (channel === undefined) {
    throw notFound(`${name} has no channel ${channelName}`, { name, channel: channelName });
  }
  if (!Number.isInteger(options.bucket) || options.bucket < 0 || options.bucket > 99) {
    throw new RangeError(`rollout bucket must be an integer 0..99, got ${options.bucket}`);
  }
  const inRollout = options.bucket < channel.rollout;
  const version = inRollout ? channel.version : channel.previous;
  if (version === undefined) {
    throw notFound(`${name} channel ${channelName} rolls ${channel.version} out to ${channel.rollout}% and has no previous release`, {
      name,
      channel: channelName,
      version: channel.version,
      rollout: channel.rollout,
      bucket: options.bucket,
    });
  }
  const entry = model.versions[version];
  // The index schema guarantees channel versions are published; this keeps the types honest.
  if (entry === undefined) throw notFound(`${name}@${version} is not published`, { name, version, channel: channelName });
  return { version, entry, channel: channelName, inRollout };
}

/**
 * This install's stable rollout bucket for `modelName`, 0..99: the first 4 bytes of
 * SHA-256(installId + '\n' + modelName), big-endian, mod 100. Per model, so one
 * install is not always first (or last) into every rollout.
 *
 * @example
 * ```ts
 * await rolloutBucket('6f1c…', 'vad'); // e.g. 42, the same on every call
 * ```
 */
export async function rolloutBucket(installId: string, modelName: string): Promise<number> {
  const digest = await sha256(utf8(`${installId}\n${modelName}`));
  return new DataView(digest.buffer).getUint32(0, false) % 100;
}
