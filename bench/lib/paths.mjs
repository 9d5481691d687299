// Where things are, for the runner and every case (cases run with any cwd).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const benchDir = join(repoRoot, 'bench');
export const casesDir = join(benchDir, 'cases');
/** dist/, or the runner's private build of it (ITEMSTORE_BENCH_DIST), so a rebuild of dist/ meanwhile does no harm. */
export const distDir = process.env.ITEMSTORE_BENCH_DIST
  ? resolve(process.env.ITEMSTORE_BENCH_DIST)
  : join(repoRoot, 'dist');
/** The CLI bundle (`itemstore`), built by `npm run build`. */
export const cliBundle = join(distDir, 'cli', 'itemstore.js');
/** The s3rver child process shared with the tests (prints {"port": N}, answers IPC {cmd:'requests'|'reset'|'close'}). */
export const s3rverProcessScript = join(repoRoot, 'test', 'helpers', 's3-server-process.mjs');

/** Path of an action's bundle, e.g. distBundle('deploy-item-store-v2'). */
export function distBundle(action) {
  return join(distDir, action, 'index.js');
}

/** Throws a clear error when dist/ lacks a bundle a case needs (the runner builds before running cases). */
export function requireBundle(path) {
  if (!existsSync(path))
    throw new Error(`${path} is missing: run \`npm run build\` first (npm run bench does)`);
  return path;
}
