export * from './types.js';
export * from './client.js';
export * from './retry.js';
export { startServer, MAX_BODY_BYTES, type ServerOptions, type RunningServer } from './server/server.js';
export { itemIdFor } from './server/database.js';
