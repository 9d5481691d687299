/**
 * A content-check worker (see content-check.ts): loads its code, waits for the jobs, then takes them through the
 * shared counter until none is left, posting each one's problems, and `done`. Built as dist/lib/content-worker.cjs
 * by scripts/build.mjs: one CommonJS file with everything it needs (no ES module loader, no shared chunks).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FsTree } from '@itemstore/config';
import { checkContent, toErrorData } from './content-check.js';
import type { WorkerData, WorkerJobs, WorkerMessage } from './content-workers.js';

const { root, next } = workerData as WorkerData;
const tree = new FsTree(root);
const port = parentPort!;
// `once`: with no listener left the port no longer keeps the thread alive, so it ends after `done`.
port.once('message', async ({ jobs }: WorkerJobs) => {
  for (let i = Atomics.add(next, 0, 1); i < jobs.length; i = Atomics.add(next, 0, 1)) {
    let message: WorkerMessage;
    try {
      message = { i, errors: (await checkContent(tree, jobs[i]!)).map(toErrorData) };
    } catch {
      // Not a user's mistake: the main thread checks this config again and fails there as it would without workers.
      message = { i, failed: true };
    }
    port.postMessage(message);
  }
  port.postMessage({ done: true } satisfies WorkerMessage);
});
