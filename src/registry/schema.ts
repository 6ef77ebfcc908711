/**
 * The registry's documents, written once as zod schemas: the CLI writes what these
 * accept and the browser accepts only what these accept. The TypeScript types are
 * inferred from them. docs/registry-format.md describes every field.
 */
import { z } from 'zod';
import valid from 'semver/functions/valid.js';
import { isBase64 } from './encoding.js';
import { MAX_CHUNK_SIZE, MAX_INDEX_BYTES, MAX_MANIFEST_BYTES, MAX_MANIFEST_FILES, MIN_CHUNK_SIZE } from './layout.js';
import { unsafePathReason } from './paths.js';
import type { TensorSpec } from '../tensor/types.js';

/** Model and channel names: short, lower-case, URL- and path-safe. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * True for a strict semver version without build metadata ('1.2.3', '2.0.0-rc.1'):
 * build metadata does not order versions, so two versions could differ only by it.
 */
export function isStrictSemver(version: string): boolean {
  return version.length <= 64 && valid(version) === version;
}

export const nameSchema = z.string().regex(NAME_PATTERN, 'must match /^[a-z0-9][a-z0-9._-]{0,63}$/');
export const versionSchema = z.string().refine(isStrictSemver, 'must be a strict semver version (x.y.z[-pre])');
export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');
export const keyidSchema = sha256HexSchema;
export const timestampSchema = z.iso.datetime();
export const safePathSchema = z.string().superRefine((path, ctx) => {
  const reason = unsafePathReason(path);
  if (reason !== undefined) ctx.addIssue({ code: 'custom', message: `path ${reason}` });
});
/** Raw 32-byte Ed25519 public key, base64: exactly 44 characters. */
const publicKeySchema = z.string().refine((text) => text.length === 44 && isBase64(text), 'must be a base64 32-byte key');
const countSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

// ─── Envelope ────────────────────────────────────────────────────────────────

/** A DSSE envelope: base64 payload bytes plus signatures over PAE(payloadType, payload). */
export const envelopeSchema = z.object({
  payloadType: z.string().max(128),
  payload: z.string(),
  // Bounded, so a hostile envelope cannot make a client run thousands of verifications.
  signatures: z.array(z.object({ keyid: z.string().max(128), sig: z.string().max(256) })).max(64),
});
export type Envelope = z.infer<typeof envelopeSchema>;

// ─── Keys ────────────────────────────────────────────────────────────────────

/** A public key file, and a root's key entry. `keyid` is the hex SHA-256 of the raw key. */
export const publicKeyFileSchema = z.object({
  keytype: z.literal('ed25519'),
  keyid: keyidSchema,
  public: publicKeySchema,
});
export type PublicKeyFile = z.infer<typeof publicKeyFileSchema>;

/** A private key file: the public fields plus the PKCS#8 private key. Never published. */
export const privateKeyFileSchema = publicKeyFileSchema.extend({
  private: z.string().max(1024).refine(isBase64, 'must be base64 PKCS#8'),
});
export type PrivateKeyFile = z.infer<typeof privateKeyFileSchema>;

// ─── Root ────────────────────────────────────────────────────────────────────

export const roleSchema = z.object({
  keyids: z.array(keyidSchema).min(1).max(32),
  threshold: z.number().int().min(1),
});
export type Role = z.infer<typeof roleSchema>;
export type RoleName = 'root' | 'targets' | 'timestamp';

export const rootSchema = z
  .object({
    _type: z.literal('root'),
    spec: z.literal(1),
    version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    expires: timestampSchema,
    keys: z.record(keyidSchema, z.object({ keytype: z.literal('ed25519'), public: publicKeySchema })),
    // `timestamp` is optional: without it the index's own expiry is its freshness.
    roles: z.object({ root: roleSchema, targets: roleSchema, timestamp: roleSchema.optional() }),
  })
  .superRefine((root, ctx) => {
    for (const name of ['root', 'targets', 'timestamp'] as const) {
      const role = root.roles[name];
      if (role === undefined) continue;
      const path = ['roles', name];
      if (new Set(role.keyids).size !== role.keyids.length) {
        ctx.addIssue({ code: 'custom', path: [...path, 'keyids'], message: 'lists a key twice' });
      }
      if (role.threshold > role.keyids.length) {
        ctx.addIssue({ code: 'custom', path: [...path, 'threshold'], message: 'exceeds the number of keys' });
      }
      for (const keyid of role.keyids) {
        if (!(keyid in root.keys)) ctx.addIssue({ code: 'custom', path: [...path, 'keyids'], message: `names unknown key ${keyid}` });
      }
    }
  });
export type Root = z.infer<typeof rootSchema>;

// ─── Index ───────────────────────────────────────────────────────────────────

/** How the index pins a manifest: its exact length and hash (mix-and-match defence). */
export const manifestPinSchema = z.object({
  path: safePathSchema,
  length: z.number().int().min(1).max(MAX_MANIFEST_BYTES),
  sha256: sha256HexSchema,
});
export type ManifestPin = z.infer<typeof manifestPinSchema>;

export const versionEntrySchema = z.object({ manifest: manifestPinSchema, publishedAt: timestampSchema });
export type VersionEntry = z.infer<typeof versionEntrySchema>;

/** A channel's release: `version` for buckets below `rollout`, `previous` for the rest. */
export const channelSchema = z.object({
  version: versionSchema,
  rollout: z.number().int().min(0).max(100),
  previous: versionSchema.optional(),
});
export type Channel = z.infer<typeof channelSchema>;

export const modelEntrySchema = z
  .object({
    versions: z.record(versionSchema, versionEntrySchema),
    channels: z.record(nameSchema, channelSchema),
    revoked: z.array(versionSchema),
  })
  .superRefine((model, ctx) => {
    for (const [name, channel] of Object.entries(model.channels)) {
      for (const key of ['version', 'previous'] as const) {
        const version = channel[key];
        if (version !== undefined && !(version in model.versions)) {
          ctx.addIssue({ code: 'custom', path: ['channels', name, key], message: `names unpublished version ${version}` });
        }
      }
    }
  });
export type ModelEntry = z.infer<typeof modelEntrySchema>;

export const indexSchema = z.object({
  _type: z.literal('index'),
  spec: z.literal(1),
  version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  expires: timestampSchema,
  models: z.record(nameSchema, modelEntrySchema),
});
export type Index = z.infer<typeof indexSchema>;

// ─── Timestamp ───────────────────────────────────────────────────────────────

/**
 * The timestamp role's document (TUF's timestamp): short-lived, it pins the current
 * index by version, length and SHA-256, so freshness is signed by an online key
 * while the targets key that authorises model bytes stays offline.
 */
export const timestampDocumentSchema = z.object({
  _type: z.literal('timestamp'),
  spec: z.literal(1),
  version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  expires: timestampSchema,
  index: z.object({
    version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    length: z.number().int().min(1).max(MAX_INDEX_BYTES),
    sha256: sha256HexSchema,
  }),
});
export type TimestampDocument = z.infer<typeof timestampDocumentSchema>;
/** How a timestamp pins the index. */
export type IndexPin = TimestampDocument['index'];

// ─── Manifest ────────────────────────────────────────────────────────────────

/**
 * One model input or output as the ONNX file declares it: fixed dims are numbers,
 * named dynamic dims strings, unnamed ones '?'. `unknownRank` marks a value with no
 * shape at all, whose `dims: []` means "anything", not "scalar".
 */
export const tensorSpecSchema = z.object({
  name: z.string().max(256),
  type: z.string().max(64),
  dims: z.array(z.union([z.number().int(), z.string().max(128)])).max(32),
  unknownRank: z.literal(true).optional(),
});
// The schema must produce the library's one TensorSpec (a compile-time check).
const tensorSpecMatches: z.ZodType<TensorSpec> = tensorSpecSchema;
void tensorSpecMatches;

/**
 * One file: its whole length and hash, and the hash of every `chunkSize` slice
 * (the last one shorter), so a client verifies and resumes chunk by chunk.
 */
export const fileEntrySchema = z
  .object({
    path: safePathSchema,
    length: countSchema,
    sha256: sha256HexSchema,
    chunkSize: z.number().int().min(MIN_CHUNK_SIZE).max(MAX_CHUNK_SIZE),
    chunks: z.array(sha256HexSchema),
  })
  .refine((file) => file.chunks.length === Math.ceil(file.length / file.chunkSize), {
    message: 'chunks do not cover the file exactly',
    path: ['chunks'],
  });
export type FileEntry = z.infer<typeof fileEntrySchema>;

/**
 * A drift reference feature, in OTLP explicit-bucket form: `counts[i]` counts values
 * in (edges[i-1], edges[i]], so there is one more count than edges.
 */
export const referenceFeatureSchema = z
  .object({
    name: z.string().min(1).max(128),
    edges: z.array(z.number()).max(256),
    counts: z.array(countSchema),
  })
  .refine((f) => f.edges.every((edge, i) => i === 0 || edge > (f.edges[i - 1] as number)), {
    message: 'edges must be strictly increasing',
    path: ['edges'],
  })
  .refine((f) => f.counts.length === f.edges.length + 1, { message: 'needs one more count than edges', path: ['counts'] });
export type ReferenceFeature = z.infer<typeof referenceFeatureSchema>;

export const referenceSchema = z.object({ features: z.array(referenceFeatureSchema).max(1024) });
export type Reference = z.infer<typeof referenceSchema>;

/** Largest raw input bytes of one sampled record, and of one telemetry window. */
export const MAX_SAMPLE_RECORD_BYTES = 256 * 1024;
export const MAX_SAMPLE_WINDOW_BYTES = 1024 * 1024;

/**
 * The model's opt-in to sampled raw inputs (`outpost publish --sample-inputs`): the
 * share of runs whose inputs are sent as OTLP logs, and the byte caps on one record
 * and on one window (raw tensor bytes). Absent: inputs never leave the device.
 */
export const sampleInputsSchema = z
  .object({
    rate: z.number().gt(0).max(1),
    maxRecordBytes: z.number().int().min(1).max(MAX_SAMPLE_RECORD_BYTES),
    maxWindowBytes: z.number().int().min(1).max(MAX_SAMPLE_WINDOW_BYTES),
  })
  .refine((s) => s.maxWindowBytes >= s.maxRecordBytes, { message: 'maxWindowBytes must be at least maxRecordBytes', path: ['maxWindowBytes'] });
export type SampleInputs = z.infer<typeof sampleInputsSchema>;

export const manifestSchema = z
  .object({
    _type: z.literal('manifest'),
    spec: z.literal(1),
    name: nameSchema,
    version: versionSchema,
    createdAt: timestampSchema,
    files: z.array(fileEntrySchema).min(1).max(MAX_MANIFEST_FILES),
    model: z.object({
      file: safePathSchema,
      inputs: z.array(tensorSpecSchema).max(256),
      outputs: z.array(tensorSpecSchema).max(256),
      // What a client needs to pick a backend before downloading the model.
      opsetVersion: z.number().int().min(1).optional(),
      opTypes: z.array(z.string().max(256)).max(1024).optional(),
      /**
       * Files holding tensors the model stores outside itself: `path` in the registry,
       * `location` as the model names it (relative to the model file). onnxruntime gets
       * each file's verified bytes under its `location`.
       */
      externalData: z.array(z.object({ path: safePathSchema, location: safePathSchema })).max(MAX_MANIFEST_FILES - 1).optional(),
    }),
    reference: referenceSchema.optional(),
    sampleInputs: sampleInputsSchema.optional(),
  })
  .superRefine((manifest, ctx) => {
    const paths = manifest.files.map((file) => file.path);
    if (new Set(paths).size !== paths.length) ctx.addIssue({ code: 'custom', path: ['files'], message: 'lists a path twice' });
    if (!paths.includes(manifest.model.file)) {
      ctx.addIssue({ code: 'custom', path: ['model', 'file'], message: 'is not one of the files' });
    }
    manifest.model.externalData?.forEach((external, i) => {
      if (!paths.includes(external.path) || external.path === manifest.model.file) {
        ctx.addIssue({ code: 'custom', path: ['model', 'externalData', i, 'path'], message: 'is not one of the files' });
      }
    });
  });
export type Manifest = z.infer<typeof manifestSchema>;

/** The payload schema of each document kind. */
export const payloadSchemas = { root: rootSchema, index: indexSchema, manifest: manifestSchema, timestamp: timestampDocumentSchema } as const;
