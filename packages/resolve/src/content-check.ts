/**
 * The content check of resolve-tags: every config the writers will upload must convert (V2 JSON, or at least parse
 * for an S3-only config that S3 gets as bytes) before anything is written anywhere, and YAML 1.1 readings are
 * reported. Converting 1,000 changed configs is most of a large push's CPU time, so it runs in worker threads
 * (dist/lib/content-worker.js) while the main thread resolves tags, and the main thread takes its share once it is
 * done: jobs are handed out one at a time through a shared counter. The result does not depend on who checked
 * what: each config's problems are put back in the order of the configs, and a config a worker could not answer
 * (the worker died, or the check threw something that is not a user's mistake) is checked again on the main
 * thread, where it fails exactly as it would have without workers.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ConfigError, type RepoTree } from '@itemstore/core';
import { FsTree, type ContentTargets, type ResolvedConfig } from '@itemstore/config';
import { parseConfig, toV2Json, yaml11Problems, type Yaml11Finding } from '@itemstore/convert';

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

/** What the worker gets once item-store.yaml is read: the jobs (it starts before, to load its code meanwhile). */
export interface WorkerJobs {
  jobs: ContentJob[];
}

/** The problems of one config's content (user mistakes); anything else is thrown. */
export async function checkContent(tree: RepoTree, job: ContentJob): Promise<ConfigError[]> {
  const bytes = await tree.read(job.path);
  if (bytes === undefined) {
    return [new ConfigError('unreadable', `could not be read from the ${tree.label}`, { file: job.path })];
  }
  const findings: Yaml11Finding[] = [];
  try {
    const options = {
      file: job.path,
      format: job.format,
      yaml11: { onFinding: (f: Yaml11Finding) => findings.push(f) },
    };
    // S3-only configs never become V2 JSON, but they must still parse (S3 gets their bytes or legacy YAML).
    if (job.targets.includes('v2') || job.s3Format === 'legacy-multidoc') toV2Json(bytes, options);
    else parseConfig(bytes, options);
    // Scalars YAML 1.1 readers read differently: an error when S3 gets these very bytes, else a warning.
    return yaml11Problems(findings, job.path, job.s3Format === 'bytes');
  } catch (err) {
    return asConfigErrors(err);
  }
}

export function asConfigErrors(err: unknown): ConfigError[] {
  if (err instanceof ConfigError) return [err];
  if (
    err &&
    typeof err === 'object' &&
    'errors' in err &&
    Array.isArray((err as { errors: unknown }).errors)
  ) {
    return (err as { errors: ConfigError[] }).errors;
  }
  throw err;
}

export function toErrorData(e: ConfigError): ConfigErrorData {
  const out: ConfigErrorData = { code: e.code, message: e.message, severity: e.severity };
  if (e.file !== undefined) out.file = e.file;
  if (e.line !== undefined) out.line = e.line;
  if (e.column !== undefined) out.column = e.column;
  if (e.endLine !== undefined) out.endLine = e.endLine;
  if (e.endColumn !== undefined) out.endColumn = e.endColumn;
  return out;
}

function fromErrorData(d: ConfigErrorData): ConfigError {
  return new ConfigError(
    d.code,
    d.message,
    { file: d.file, line: d.line, column: d.column, endLine: d.endLine, endColumn: d.endColumn },
    { severity: d.severity },
  );
}

export interface ContentCheckOptions {
  /**
   * The worker script, or false for none (every config checked on the main thread). Default: the bundle's
   * dist/lib/content-worker.js, when it exists (from the sources, as under jest, there is none).
   */
  worker?: URL | false;
  /** How many workers at most (default: one less than the CPUs, at most 3). */
  workers?: number;
  /** Fewer jobs than this are checked on the main thread (a worker's start costs more than it saves). */
  minJobs?: number;
}

/** Below this many configs a worker's start-up (tens of milliseconds) is not worth it. */
const MIN_JOBS_FOR_WORKERS = 64;

/**
 * The bundle's worker: every entry and chunk is one folder below dist/, so from any of them the worker is
 * ../lib/content-worker.js (as the lazy modules of scripts/build.mjs are found).
 */
function bundledWorker(): URL | undefined {
  const url = new URL('../lib/content-worker.js', import.meta.url);
  return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url : undefined;
}

/** A content check under way; `finish` gives the problems of the configs that resolved, in their order. */
export interface ContentCheck {
  /** The jobs: the head's changed configs, with their targets from their paths (contentTargetsOf). Once. */
  submit(jobs: ContentJob[]): void;
  finish(configs: readonly ResolvedConfig[]): Promise<ConfigError[]>;
  /** Stops the workers (when the run ends before finish, e.g. on a thrown error). Idempotent. */
  close(): void;
}

/**
 * Starts the workers for a content check of about `expected` configs in `tree`, before item-store.yaml is read (a
 * worker needs a fifth of a second to load its code). `submit` hands them the jobs; `finish` then checks on the
 * main thread what no worker took, redoes what a worker could not answer, and checks any resolved config whose job
 * was missing or different.
 */
export function startContentCheck(
  tree: RepoTree,
  expected: number,
  options: ContentCheckOptions = {},
): ContentCheck {
  let jobs: ContentJob[] = [];
  let results: (ConfigError[] | undefined)[] = [];
  const next = new Int32Array(new SharedArrayBuffer(4));
  const minJobs = options.minJobs ?? MIN_JOBS_FOR_WORKERS;
  const script = options.worker === false ? undefined : (options.worker ?? bundledWorker());
  const count = Math.min(
    options.workers ?? Math.min(3, availableParallelism() - 1),
    Math.ceil(expected / minJobs) - 1,
  );
  const workers: Worker[] = [];
  const settled: Promise<void>[] = [];
  if (script && tree instanceof FsTree && count >= 1) {
    const workerData: WorkerData = { root: tree.root, next };
    for (let w = 0; w < count; w++) {
      const worker = new Worker(script, { workerData });
      workers.push(worker);
      settled.push(
        new Promise<void>((done) => {
          worker.on('message', (m: WorkerMessage) => {
            if ('errors' in m) results[m.i] = m.errors.map(fromErrorData);
            else if ('done' in m) done();
          });
          // A worker that fails (or is stopped) leaves its unanswered jobs to the main thread.
          worker.on('error', () => undefined);
          worker.on('exit', () => done());
        }),
      );
    }
  }
  const close = (): void => {
    for (const w of workers) void w.terminate();
  };

  return {
    close,
    submit(all) {
      jobs = all;
      results = new Array(jobs.length);
      const message: WorkerJobs = { jobs };
      for (const w of workers) w.postMessage(message);
    },
    async finish(configs) {
      const index = new Map(jobs.map((j, i) => [j.path, i]));
      const wanted = new Set<number>();
      const own = new Map<string, ContentJob>();
      for (const c of configs) {
        const i = index.get(c.path);
        const job = i === undefined ? undefined : jobs[i]!;
        if (i !== undefined && job && sameTargets(job, c)) wanted.add(i);
        else own.set(c.path, { path: c.path, format: c.format, targets: c.targets, s3Format: c.s3Format });
      }
      try {
        // The main thread's share: jobs no worker has taken yet (those of configs that did not resolve are skipped).
        for (let i = Atomics.add(next, 0, 1); i < jobs.length; i = Atomics.add(next, 0, 1)) {
          if (wanted.has(i)) results[i] = await checkContent(tree, jobs[i]!);
        }
        await Promise.all(settled);
      } finally {
        close();
      }
      const out: ConfigError[] = [];
      for (const c of configs) {
        const i = index.get(c.path);
        if (i !== undefined && wanted.has(i)) {
          results[i] ??= await checkContent(tree, jobs[i]!);
          out.push(...results[i]!);
        } else out.push(...(await checkContent(tree, own.get(c.path)!)));
      }
      return out;
    },
  };
}
function sameTargets(job: ContentJob, c: ResolvedConfig): boolean {
  return (
    job.format === c.format &&
    job.s3Format === c.s3Format &&
    job.targets.length === c.targets.length &&
    job.targets.every((t, k) => c.targets[k] === t)
  );
}
