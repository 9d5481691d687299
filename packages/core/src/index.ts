export * from './errors.js';
export * from './logger.js';
export * from './annotations.js';
export * from './summary.js';
export * from './hash.js';
export * from './manifest.js';
export * from './tree.js';
export * from './manifest-files.js';
