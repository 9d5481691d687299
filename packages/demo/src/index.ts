export * from './servers.js';
export * from './sample-repo.js';
export * from './playground.js';
export * from './terminal.js';
export * from './state.js';
export * from './scenario.js';
export * from './demo.js';
