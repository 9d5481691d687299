/**
 * The content check of resolve-tags: every config the writers will upload must convert (V2 JSON, or at least parse
 * for an S3-only config that S3 gets as bytes) before anything is written anywhere, and YAML 1.1 readings are
 * reported. Converting 1,000 changed configs is most of a large push's CPU time, so it runs in worker threads
 * (content-workers.ts; dist/lib/content-worker.cjs) while the main thread resolves tags, and the main thread takes its
 * share once it is done: jobs are handed out one at a time through a shared counter. The result does not depend on who checked
 * what: each config's problems are put back in the order of the configs, and a config a worker could not answer
 * (the worker died, or the check threw something that is not a user's mistake) is checked again on the main
 * thread, where it fails exactly as it would have without workers.
 */
import { ConfigError, type RepoTree } from '@itemstore/core';
import { FsTree, type ResolvedConfig } from '@itemstore/config';
import { parseConfig, toV2Json, yaml11Problems, type Yaml11Finding } from '@itemstore/convert';
import {
  startWorkers,
  type ConfigErrorData,
  type ContentJob,
  type ContentWorkers,
  type ContentWorkersOptions,
} from './content-workers.js';

export type {
  ContentJob,
  ConfigErrorData,
  WorkerData,
  WorkerJobs,
  WorkerMessage,
} from './content-workers.js';

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

export interface ContentCheckOptions extends ContentWorkersOptions {
  /**
   * Workers started earlier for this check (startContentWorkers, as soon as the change manifest was read): used when
   * they read the head tree's folder (else stopped, and started anew as without them).
   */
  started?: ContentWorkers;
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
 * Starts the workers for a content check of about `expected` configs in `tree` (or adopts those started earlier),
 * before item-store.yaml is read (a worker needs a tenth of a second or more to start). `submit` hands them the jobs; `finish` then checks on the
 * main thread what no worker took, redoes what a worker could not answer, and checks any resolved config whose job
 * was missing or different.
 */
export function startContentCheck(
  tree: RepoTree,
  expected: number,
  options: ContentCheckOptions = {},
): ContentCheck {
  let jobs: ContentJob[] = [];
  const root = tree instanceof FsTree ? tree.root : undefined;
  let pool = options.started;
  if (pool && pool.root !== root) {
    pool.close();
    pool = undefined;
  }
  if (!pool && root !== undefined) pool = startWorkers(root, expected, options);
  // Without workers, a counter of its own: the main thread takes every job.
  const next = pool?.next ?? new Int32Array(1);
  const close = (): void => pool?.close();

  return {
    close,
    submit(all) {
      jobs = all;
      pool?.post(jobs);
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
      const results: (ConfigError[] | undefined)[] = new Array(jobs.length);
      try {
        // The main thread's share: jobs no worker has taken yet (those of configs that did not resolve are skipped).
        for (let i = Atomics.add(next, 0, 1); i < jobs.length; i = Atomics.add(next, 0, 1)) {
          if (wanted.has(i)) results[i] = await checkContent(tree, jobs[i]!);
        }
        await pool?.settled();
      } finally {
        close();
      }
      // What the workers answered (a job the main thread took has no answer).
      pool?.answers.forEach((errors, i) => {
        if (errors) results[i] = errors.map(fromErrorData);
      });
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
