/**
 * The index changes behind publish, release and revoke, as pure functions on a copy
 * of the index (the caller bumps the version, signs and writes). Each returns notes
 * for the operator: what else changed as a consequence.
 */
import { OutpostError } from '../errors.js';
import type { Channel, Index, ModelEntry, VersionEntry } from '../registry/schema.js';
import { CliError } from './args.js';

function modelOf(index: Index, name: string): ModelEntry {
  const model = index.models[name];
  if (model === undefined) {
    throw new OutpostError('MODEL_NOT_FOUND', `model ${name} is not published`, { details: { name } });
  }
  return model;
}

function publishedVersion(index: Index, name: string, version: string): ModelEntry {
  const model = modelOf(index, name);
  if (model.versions[version] === undefined) {
    throw new OutpostError('MODEL_NOT_FOUND', `${name}@${version} is not published`, { details: { name, version } });
  }
  return model;
}

/** Throws unless `name`@`version` is new: a published version is never replaced (clients may have cached it). */
export function assertUnpublished(index: Index | undefined, name: string, version: string): void {
  if (index?.models[name]?.versions[version] !== undefined) {
    throw new CliError('EEXIST', `${name}@${version} is already published; publish a new version instead`);
  }
}

/** Adds `name`@`version`. */
export function addVersion(index: Index, name: string, version: string, entry: VersionEntry): void {
  assertUnpublished(index, name, version);
  const model = (index.models[name] ??= { versions: {}, channels: {}, revoked: [] });
  model.versions[version] = entry;
}

/**
 * Points `channel` at `version` for `rollout` percent of installs. The rest keep what
 * they had: the channel's fully rolled-out version, or, mid-rollout, its previous one.
 */
export function releaseVersion(index: Index, name: string, version: string, channelName: string, rollout: number): string[] {
  const model = publishedVersion(index, name, version);
  if (model.revoked.includes(version)) {
    throw new OutpostError('VERSION_REVOKED', `${name}@${version} is revoked and cannot be released`, { details: { name, version } });
  }
  const current = model.channels[channelName];
  let previous: string | undefined;
  if (current !== undefined) {
    previous = current.version === version ? current.previous : current.rollout === 100 ? current.version : (current.previous ?? current.version);
  }
  if (previous === version || (previous !== undefined && model.revoked.includes(previous))) previous = undefined;
  const channel: Channel = { version, rollout, ...(previous === undefined ? {} : { previous }) };
  model.channels[channelName] = channel;
  const notes: string[] = [];
  if (rollout < 100) {
    notes.push(
      previous === undefined
        ? `note: the other ${100 - rollout}% have no previous release on ${channelName} and will get MODEL_NOT_FOUND`
        : `the other ${100 - rollout}% stay on ${previous}`,
    );
  }
  return notes;
}

/**
 * Revokes `version` (a kill switch: clients refuse it even from cache). Channels
 * serving it fall back to their previous release when that is not revoked, else
 * are removed; channels keeping it as previous roll their new version out to all.
 * Returns undefined when it was already revoked (nothing to change).
 */
export function revokeVersion(index: Index, name: string, version: string): string[] | undefined {
  const model = publishedVersion(index, name, version);
  if (model.revoked.includes(version)) return undefined;
  model.revoked.push(version);
  const notes: string[] = [];
  for (const [channelName, channel] of Object.entries(model.channels)) {
    if (channel.version === version) {
      const fallback = channel.previous;
      if (fallback !== undefined && !model.revoked.includes(fallback)) {
        model.channels[channelName] = { version: fallback, rollout: 100 };
        notes.push(`channel ${channelName} falls back to ${fallback}`);
      } else {
        delete model.channels[channelName];
        notes.push(`channel ${channelName} removed: it has no unrevoked previous release`);
      }
    } else if (channel.previous === version) {
      model.channels[channelName] = { version: channel.version, rollout: 100 };
      notes.push(`channel ${channelName} now serves ${channel.version} to everyone (its previous release was ${version})`);
    }
  }
  return notes;
}
