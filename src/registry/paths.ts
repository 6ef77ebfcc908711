import { OutpostError } from '../errors.js';

/** Longest path metadata may name; real layouts use well under 200 characters. */
export const MAX_PATH_LENGTH = 512;

// A whitelist, not a blacklist: with no '%', ':', '\', '?', '#', whitespace or
// non-ASCII allowed, there is no encoding (%2e%2e, fullwidth dots, schemes, drive
// letters) left to smuggle an escape through. A segment may not start with '.', which
// rules out '.', '..' and hidden files in one rule.
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * Why `path` is not a safe registry-relative path, or undefined when it is.
 * Safe means: relative POSIX segments of `[A-Za-z0-9._-]`, none empty and none
 * starting with a dot, at most {@link MAX_PATH_LENGTH} characters.
 */
export function unsafePathReason(path: string): string | undefined {
  if (path.length === 0) return 'is empty';
  if (path.length > MAX_PATH_LENGTH) return `is longer than ${MAX_PATH_LENGTH} characters`;
  if (path.startsWith('/')) return 'is absolute';
  for (const segment of path.split('/')) {
    if (segment === '') return 'has an empty segment';
    if (!SEGMENT.test(segment)) return `has a disallowed segment '${segment.slice(0, 40)}'`;
  }
  return undefined;
}

/**
 * Returns `path` when it is a safe relative path inside the registry; throws
 * `METADATA_INVALID` otherwise. The one validator every path in metadata goes through.
 *
 * @example
 * ```ts
 * safeRelativePath('models/vad/1.0.0/model.onnx'); // returns it
 * safeRelativePath('../secrets');                  // throws METADATA_INVALID
 * ```
 */
export function safeRelativePath(path: string, what = 'path'): string {
  const reason = unsafePathReason(path);
  if (reason !== undefined) {
    throw new OutpostError('METADATA_INVALID', `${what} '${path.slice(0, 80)}' ${reason}`, {
      details: { path, reason },
    });
  }
  return path;
}

/**
 * URL of registry-relative `path` under `base`. The path is validated first, and
 * the base is treated as a directory even without a trailing slash, so the result
 * always stays under it.
 *
 * @example
 * ```ts
 * registryUrl('https://cdn.example/reg', 'index.json').href; // 'https://cdn.example/reg/index.json'
 * ```
 */
export function registryUrl(base: string | URL, path: string): URL {
  // A relative base (e.g. '/registry/') resolves against the page, as fetch would.
  const page = (globalThis as { location?: { href: string } }).location?.href;
  const dir = new URL(base, page);
  dir.search = '';
  dir.hash = '';
  if (!dir.pathname.endsWith('/')) dir.pathname += '/';
  return new URL(safeRelativePath(path), dir);
}
