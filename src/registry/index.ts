/**
 * Registry metadata: formats, signatures and the client's checks, shared by the
 * browser runtime and the CLI. Runs on the web platform only (WebCrypto, no Node APIs).
 */
export * from './encoding.js';
export * from './envelope.js';
export * from './integrity.js';
export * from './keys.js';
export * from './layout.js';
export * from './parse.js';
export * from './paths.js';
export * from './reference.js';
export * from './resolve.js';
export * from './schema.js';
export * from './timestamp.js';
export * from './verify.js';
