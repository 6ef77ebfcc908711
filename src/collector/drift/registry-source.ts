/**
 * Where the collector reads the signed registry from: a folder or a base URL, as
 * `--registry <dir|url>` names it. Reads are capped (endless-data defence) and a
 * missing file is `undefined`, so the verifier decides what missing means.
 */
import { open } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { OutpostError } from '../../errors.js';
import { registryUrl, safeRelativePath } from '../../registry/paths.js';

/** Reads one registry path, at most `maxBytes`; `undefined` when it does not exist. */
export type RegistryRead = (path: string, maxBytes: number) => Promise<Uint8Array | undefined>;

function tooLarge(what: string, maxBytes: number): OutpostError {
  return new OutpostError('METADATA_INVALID', `${what} is larger than ${maxBytes} bytes`, { details: { what, maxBytes } });
}

function folderRead(dir: string): RegistryRead {
  const base = resolve(dir);
  return async (path, maxBytes) => {
    const full = resolve(base, safeRelativePath(path));
    if (!full.startsWith(base + sep)) throw new OutpostError('METADATA_INVALID', `${path} escapes the registry`, { details: { path } });
    let file;
    try {
      file = await open(full, 'r');
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      const buffer = Buffer.alloc(maxBytes + 1);
      const { bytesRead } = await file.read(buffer, 0, maxBytes + 1, 0);
      if (bytesRead > maxBytes) throw tooLarge(path, maxBytes);
      return new Uint8Array(buffer.subarray(0, bytesRead));
    } finally {
      await file.close();
    }
  };
}

function urlRead(base: string, fetchImpl: typeof fetch): RegistryRead {
  return async (path, maxBytes) => {
    const url = registryUrl(base, path);
    let response: Response;
    try {
      response = await fetchImpl(url, { signal: AbortSignal.timeout(30_000) });
    } catch (cause) {
      throw new OutpostError('DOWNLOAD_FAILED', `could not fetch ${url.href}`, { cause, details: { url: url.href } });
    }
    if (response.status === 404) return void (await response.body?.cancel());
    if (!response.ok) {
      await response.body?.cancel();
      throw new OutpostError('DOWNLOAD_FAILED', `${url.href} answered ${response.status}`, { details: { url: url.href, status: response.status } });
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.length > maxBytes) throw tooLarge(url.href, maxBytes);
    return bytes;
  };
}

/**
 * A reader for `location`: `http:`/`https:` URLs are fetched, anything else is a folder.
 *
 * @example
 * ```ts
 * const read = registryReader('https://cdn.example.com/models/');
 * const index = await read('index.json', MAX_INDEX_BYTES);
 * ```
 */
export function registryReader(location: string, fetchImpl: typeof fetch = globalThis.fetch): RegistryRead {
  if (/^https?:\/\//i.test(location)) return urlRead(location.endsWith('/') ? location : `${location}/`, fetchImpl);
  return folderRead(location);
}
