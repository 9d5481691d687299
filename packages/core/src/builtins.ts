/**
 * Node built-ins that only some runs use, loaded on first use: every action and the CLI import this package at
 * start-up, and a step that fails on its inputs (or `itemstore --help`) spawns no git and hashes nothing. Loading
 * node:crypto (with Node's streams) and node:child_process (with net) was a tenth of such a start.
 */
import type * as NodeChildProcess from 'node:child_process';
import type * as NodeCrypto from 'node:crypto';
import type * as NodeWorkerThreads from 'node:worker_threads';
// Not named createRequire here: bundles of these sources (tests' esbuild banners) declare that name themselves.
import { createRequire as requireFrom } from 'node:module';

type Crypto = typeof NodeCrypto;
type ChildProcess = typeof NodeChildProcess;
type WorkerThreads = typeof NodeWorkerThreads;

const load = requireFrom(import.meta.url);
let crypto: Crypto | undefined;
let childProcess: ChildProcess | undefined;
let workerThreads: WorkerThreads | undefined;

export function nodeCrypto(): Crypto {
  return (crypto ??= load('node:crypto') as Crypto);
}

export function nodeChildProcess(): ChildProcess {
  return (childProcess ??= load('node:child_process') as ChildProcess);
}

/** Worker threads (with Node's message ports and streams): only a run that starts workers loads them. */
export function nodeWorkerThreads(): WorkerThreads {
  return (workerThreads ??= load('node:worker_threads') as WorkerThreads);
}
