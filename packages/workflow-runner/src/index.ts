export * from './expressions.js';
export * from './workflow.js';
export * from './runner.js';
export * from './processes.js';
export * from './config-repo.js';
export * from './actions-api.js';
