/**
 * The worker threads of resolve-tags' content check (content-check.ts), on their own: this module loads nothing but
 * Node's worker_threads (and those only when it starts workers), so resolve-tags can start them as soon as it has read the change manifest
 * (`startContentWorkers`), before the rest of resolving is even loaded. A worker needs a tenth of a second or more to
 * start (Node's own start-up of a thread); meanwhile the main thread loads and reads item-store.yaml.
 *
 * A worker takes jobs through a shared counter once it has them (`post`), and posts each job's problems, which are
 * kept here (`answers`) for the content check. Until `post` the workers do not keep the process alive: a run that
 * ends before it uses them (bad inputs, a thrown error) is not held up by them.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { configRootOf, nodeWorkerThreads, type ChangeManifest, type ConfigError } from '@itemstore/core';
import type { ContentTargets } from '@itemstore/config';

/** One config to check: its path and what its content becomes (contentTargetsOf). */
export type ContentJob = { path: string } & Pick<ContentTargets, 'format' | 'targets' | 's3Format'>;

/** A ConfigError as it crosses between threads (every field, unlike toJSON). */
export interface ConfigErrorData {
  code: string;
  message: string;
  severity: ConfigError['severity'];
  file?: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
}

/** What a worker posts: job `i`'s problems; `failed` when its check threw (the main thread redoes it); `done`. */
export type WorkerMessage =
  { i: number; errors: ConfigErrorData[] } | { i: number; failed: true } | { done: true };

/** The worker's data: the tree's root and the shared counter (an Int32Array; [0] is the next job to take). */
export interface WorkerData {
  root: string;
  next: Int32Array;
}

/** What the workers get once item-store.yaml is read: the jobs (they start before, to load their code meanwhile). */
export interface WorkerJobs {
  jobs: ContentJob[];
}

export interface ContentWorkersOptions {
  /**
   * The worker script, or false for none (every config checked on the main thread). Default: the bundle's
   * dist/lib/content-worker.cjs, when it exists (from the sources, as under jest, there is none).
   */
  worker?: URL | false;
  /** How many workers at most (default: one less than the CPUs, at most 3). */
  workers?: number;
  /** Fewer jobs than this are checked on the main thread (a worker's start costs more than it saves). */
  minJobs?: number;
}

/** Below this many configs a worker's start-up (tens of milliseconds of CPU) is not worth it. */
export const MIN_JOBS_FOR_WORKERS = 64;

/**
 * The bundle's worker: every entry and chunk is one folder below dist/, so from any of them the worker is
 * ../lib/content-worker.cjs (as the lazy modules of scripts/build.mjs are found).
 */
function bundledWorker(): URL | undefined {
  const url = new URL('../lib/content-worker.cjs', import.meta.url);
  return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url : undefined;
}

/** Running workers for the configs of one tree; `answers[i]` is job i's problems once a worker answered it. */
export class ContentWorkers {
  /** The next job to take, shared with the workers. */
  readonly next = new Int32Array(new SharedArrayBuffer(4));
  readonly answers: (ConfigErrorData[] | undefined)[] = [];
  private readonly workers: Worker[] = [];
  private readonly ended: Promise<void>[] = [];
  private posted = false;

  constructor(
    /** The root of the tree the workers read (an FsTree's root). */
    readonly root: string,
    script: URL,
    count: number,
  ) {
    const workerData: WorkerData = { root, next: this.next };
    const { Worker } = nodeWorkerThreads();
    for (let w = 0; w < count; w++) {
      const worker = new Worker(script, { workerData });
      this.workers.push(worker);
      this.ended.push(
        new Promise<void>((done) => {
          worker.on('message', (m: WorkerMessage) => {
            if ('errors' in m) this.answers[m.i] = m.errors;
            else if ('done' in m) done();
          });
          // A worker that fails (or is stopped) leaves its unanswered jobs to the main thread.
          worker.on('error', () => undefined);
          worker.on('exit', () => done());
        }),
      );
      // Not keeping the process alive until it has jobs (see `post`); after the listeners, which would ref it again.
      worker.unref();
    }
  }

  /** Hands the workers the jobs (once; later calls are ignored). */
  post(jobs: ContentJob[]): void {
    if (this.posted) return;
    this.posted = true;
    const message: WorkerJobs = { jobs };
    for (const w of this.workers) {
      w.ref();
      w.postMessage(message);
    }
  }

  /** Every worker has said `done`, or ended. */
  settled(): Promise<void> {
    return Promise.all(this.ended).then(() => undefined);
  }

  /** Stops the workers. Idempotent. */
  close(): void {
    for (const w of this.workers) void w.terminate();
  }
}

/**
 * Starts the workers for a content check of about `expected` configs of the tree at `root`, or none (undefined)
 * when there are too few configs, one CPU, or no worker script.
 */
export function startWorkers(
  root: string,
  expected: number,
  options: ContentWorkersOptions = {},
): ContentWorkers | undefined {
  const script = options.worker === false ? undefined : (options.worker ?? bundledWorker());
  const count = Math.min(
    options.workers ?? Math.min(3, availableParallelism() - 1),
    Math.ceil(expected / (options.minJobs ?? MIN_JOBS_FOR_WORKERS)) - 1,
  );
  return script && count >= 1 ? new ContentWorkers(root, script, count) : undefined;
}

/** The head's changed configs of a change manifest: what the content check will be given (resolveManifest). */
export function changedHeadConfigs(changes: ChangeManifest): string[] {
  return changes.entries.filter((e) => e.kind === 'config' && e.status !== 'deleted').map((e) => e.path);
}

/**
 * The workers for the content check of a change manifest's head (the working tree at configRootOf), started as
 * soon as the manifest is read: pass them to resolveManifest (`contentCheck.started`), which uses them when its head
 * tree is that folder, and stops them in any case.
 */
export function startContentWorkers(
  changes: ChangeManifest,
  options: ContentWorkersOptions = {},
): ContentWorkers | undefined {
  return startWorkers(configRootOf(changes), changedHeadConfigs(changes).length, options);
}
