import type { ModelStore as IdbModelStore } from './model-store.js';
import type { StateStore as IdbStateStore } from './state-store.js';

/**
 * The stores as their callers see them: only the public methods. The IndexedDB
 * classes are nominal (private fields), so without this the in-memory stand-ins
 * (`memory-store.ts`) could not take their place where storage is refused.
 */
export type ModelStore = { [K in keyof IdbModelStore]: IdbModelStore[K] };
export type StateStore = { [K in keyof IdbStateStore]: IdbStateStore[K] };
