import { abortError, isOutpostError } from '../errors.js';

/**
 * One download of a version at a time across tabs and calls: the second waits, then
 * finds the chunks the first stored. Without Web Locks it runs unguarded.
 */
export async function withVersionLock<T>(dbName: string, key: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) return work();
  try {
    return (await locks.request(`outpost:${dbName}:${key}`, signal ? { signal } : {}, work)) as T;
  } catch (error) {
    // Aborted while another tab or call held the lock.
    if (signal?.aborted && !isOutpostError(error)) throw abortError(`load of ${key}`, signal);
    throw error;
  }
}
