import { userInfo } from 'node:os';
import {
  configRootOf,
  noProgress,
  silentLogger,
  type Logger,
  type Progress,
  type RepoTree,
  type ResolvedManifest,
} from '@itemstore/core';
import { FsTree, loadSettings } from '@itemstore/config';
import type { ItemStore } from '../types.js';
import { applyDeployPlan, type DeployResult } from './apply.js';
import { planDeploy, type ConvertToV2, type DeployPlan, type IsAncestor } from './plan.js';
import { deployReport, planAsResults, type DeployReport } from './report.js';

export interface DeployOptions {
  store: ItemStore;
  environment: string;
  /** Plan only (with diffs); write nothing. */
  dryRun: boolean;
  deletions: 'apply' | 'skip';
  concurrency: number;
  isAncestor: IsAncestor;
  convert: ConvertToV2;
  tree?: RepoTree;
  maxBytes?: number;
  runUrl?: string;
  /**
   * The content came from a working tree with uncommitted changes (recorded as `dirty: "true"` in the metadata). A
   * promise is awaited before the first request (its rejection ends the deploy there, before any config error).
   */
  dirty?: boolean | Promise<boolean>;
  /**
   * Mode `all` on the main branch only: list main's items of this environment that no config maps to (in the
   * namespaces of item-store.yaml's teams) as orphans in the report; `prune: true` tombstones them after every
   * write succeeded. Off when absent (migrate loads only some configs, so everything else would look orphaned).
   */
  orphans?: { prune: boolean };
  /** Recorded with every version written (default: actorFromEnv()). */
  actor?: string;
  logger?: Logger;
  onResult?: (r: DeployResult, done: number, total: number) => void;
  /** Progress of the plan (configs looked up) and of the writes (items). */
  progress?: Progress;
}

/** Deploys a resolved manifest to V2: validate everything, plan, then (unless dry-run) apply. */
export async function deployToV2(
  manifest: ResolvedManifest,
  options: DeployOptions,
): Promise<{ plan: DeployPlan; report: DeployReport }> {
  const logger = options.logger ?? silentLogger;
  let orphans: { namespaces: string[]; prune: boolean } | undefined;
  if (options.orphans && manifest.mode === 'all' && manifest.isMainBranch) {
    const settings = await loadSettings(options.tree ?? new FsTree(configRootOf(manifest)));
    const namespaces = Object.values(settings.teams).map((t) => t.namespace);
    orphans = { namespaces, prune: options.orphans.prune };
  }
  const progress = options.progress ?? noProgress;
  const label = `${options.dryRun ? 'plan' : 'deploy'} ${options.environment}`;
  const planning = progress.start(
    `${label}: planning`,
    manifest.entries.filter((e) => e.targets.includes('v2') && !e.s3Only).length,
    'configs',
  );
  const plan = await planDeploy(manifest, {
    store: options.store,
    environment: options.environment,
    deletions: options.deletions,
    isAncestor: options.isAncestor,
    convert: options.convert,
    withDiffs: options.dryRun,
    ...(orphans ? { orphans } : {}),
    concurrency: options.concurrency,
    logger,
    beforeRequests: Promise.resolve(options.dirty),
    ...(options.tree ? { tree: options.tree } : {}),
    ...(options.maxBytes ? { maxBytes: options.maxBytes } : {}),
    onPlanned: () => planning.tick(),
  }).finally(() => planning.done());
  if (options.dryRun) return { plan, report: deployReport(plan, planAsResults(plan), true) };
  const writing = progress.start(label, plan.entries.length, 'items');
  const results = await applyDeployPlan(plan, {
    store: options.store,
    isAncestor: options.isAncestor,
    metadata: {
      actor: options.actor ?? actorFromEnv(),
      commit: manifest.headSha,
      branch: manifest.branch,
      ...(options.runUrl ? { runUrl: options.runUrl } : {}),
      ...((await options.dirty) ? { dirty: 'true' } : {}),
    },
    concurrency: options.concurrency,
    logger,
    onResult: (r, done, total) => {
      writing.tick();
      options.onResult?.(r, done, total);
    },
  }).finally(() => writing.done());
  return { plan, report: deployReport(plan, results, false) };
}

/**
 * Who writes, for the audit trail: GITHUB_ACTOR in a workflow (the user or app that triggered the run), else the
 * local user running the CLI.
 */
export function actorFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GITHUB_ACTOR) return env.GITHUB_ACTOR;
  const local = env.USER || env.LOGNAME || env.USERNAME;
  if (local) return `${local} (local)`;
  try {
    return `${userInfo().username} (local)`;
  } catch {
    return 'unknown (local)';
  }
}

/** The GitHub Actions run URL from the runner's environment, when there is one. */
export function runUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT } = env;
  if (!GITHUB_SERVER_URL || !GITHUB_REPOSITORY || !GITHUB_RUN_ID) return undefined;
  return `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}${GITHUB_RUN_ATTEMPT ? `/attempts/${GITHUB_RUN_ATTEMPT}` : ''}`;
}
