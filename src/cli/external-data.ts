/**
 * External data at publish time: the files holding tensors a model stores outside
 * itself are found from the model, read from beside it, checked, and described like
 * the model (chunked and hashed), so they are signed into the manifest with it.
 */
import { stat } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { OutpostError } from '../errors.js';
import { externalTensors } from '../onnx/external-data.js';
import { modelVersionDir } from '../registry/layout.js';
import { unsafePathReason } from '../registry/paths.js';
import type { FileEntry } from '../registry/schema.js';
import { CliError } from './args.js';
import { describeFileAt } from './file-hash.js';

/** One external data file, ready to publish. */
export interface ExternalDataFile {
  /** As the model names it, relative to the model file. */
  location: string;
  entry: FileEntry;
  /** Where the file is on disk (copied into the registry, never read whole). */
  source: string;
}

/** Names a version's folder already uses: an external file may not take them. */
const RESERVED = new Set(['model.onnx', 'manifest.json']);

/**
 * Every external data file `model` (read from `modelPath`) needs, read from the
 * model's folder. Refuses a location that escapes that folder (or is not a plain
 * relative path), a missing file, and tensors that reach past their file's end.
 *
 * @example
 * ```ts
 * const externals = await readExternalData('out/model.onnx', bytes, 'big', '1.0.0', DEFAULT_CHUNK_SIZE);
 * ```
 */
export async function readExternalData(
  modelPath: string,
  model: Uint8Array,
  name: string,
  version: string,
  chunkSize: number,
): Promise<ExternalDataFile[]> {
  const tensors = externalTensors(model);
  const files: ExternalDataFile[] = [];
  for (const location of new Set(tensors.map((tensor) => tensor.location))) {
    const reason = unsafePathReason(location) ?? (RESERVED.has(location) ? 'collides with a file Outpost writes' : undefined);
    if (reason !== undefined) {
      throw new OutpostError('METADATA_INVALID', `${modelPath} stores tensors in '${location.slice(0, 80)}', which ${reason}: external data must be a relative path inside the model's folder`, {
        details: { model: modelPath, location, reason },
      });
    }
    const path = join(dirname(modelPath), location);
    const size = await sizeOf(path);
    if (size === undefined) {
      throw new CliError('ENOENT', `${modelPath} stores tensors in ${location}, but ${path} does not exist`);
    }
    for (const tensor of tensors.filter((t) => t.location === location)) {
      const end = (tensor.offset ?? 0) + (tensor.length ?? 0);
      if (end > size) {
        throw new OutpostError('METADATA_INVALID', `${modelPath}: tensor ${tensor.tensor} reaches byte ${end} of ${location}, which has ${size}`, {
          details: { model: modelPath, location, tensor: tensor.tensor, end, bytes: size },
        });
      }
    }
    // Hashed chunk by chunk from disk: external data is where the gigabytes are.
    const entry = await describeFileAt(path, `${modelVersionDir(name, version)}/${location}`, chunkSize);
    files.push({ location, entry, source: path });
  }
  return files;
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : undefined;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  }
}
