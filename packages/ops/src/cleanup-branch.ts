/**
 * Branch cleanup (SPEC §3): when a feature branch is deleted, its items in V2's deploy environment (those carrying
 * the tag `branch: <name>`) get a tombstone version, so they do not stay in dev forever. The same code runs for
 * `itemstore cleanup-branch <name>` and the `cleanup-branch` action (action-templates/cleanup-branch.yaml, on the
 * `delete` event).
 *
 * It asks the environment gate first (a feature branch's name, never the main branch; the deploy environment only),
 * looks only at the namespaces of item-store.yaml's teams, never touches an item without exactly this branch tag
 * (main's items have none), and never talks to S3 (S3 has no branches). Each tombstone is conditional on the
 * content it listed (If-Match), and records who, which run, the branch and the config path.
 */
import pLimit from 'p-limit';
import { Summary, codeCell, silentLogger, type Cell, type Logger, type RepoTree } from '@itemstore/core';
import {
  gateBranchCleanup,
  gateDeployEnvironment,
  loadSettings,
  formatTags,
  type Tags,
} from '@itemstore/config';
import {
  ItemStoreError,
  actorFromEnv,
  manifestAll,
  type ItemStore,
  type VersionMetadata,
} from '@itemstore/v2';

export const CLEANUP_REPORT_VERSION = 1;

export type CleanupOutcome = 'deleted' | 'planned' | 'unchanged' | 'failed';

export interface CleanupEntry {
  itemId: string;
  namespace: string;
  tags: Tags;
  /** The config path the item's latest version recorded (absent for an item written outside the pipeline). */
  path?: string;
  /** The latest version before the cleanup. */
  before: { version: number; md5: string };
  /** The tombstone version written. */
  after?: { version: number };
  outcome: CleanupOutcome;
  error?: string;
}

export interface CleanupBranchReport {
  reportVersion: typeof CLEANUP_REPORT_VERSION;
  branch: string;
  environment: string;
  dryRun: boolean;
  /** The namespaces looked at (item-store.yaml's teams). */
  namespaces: string[];
  /** The branch's live items, sorted by path. */
  entries: CleanupEntry[];
  /** Items of the branch that were already tombstones (nothing to do). */
  alreadyDeleted: number;
  counts: Record<CleanupOutcome, number>;
}

export interface CleanupBranchOptions {
  /** The config repo (main's checkout): item-store.yaml gives the namespaces and the deploy environment. */
  tree: RepoTree;
  /** The deleted branch's name (a `refs/heads/` prefix is dropped); empty or the main branch is refused. */
  branch: string;
  store: ItemStore;
  /** Must be the deploy environment (the default); any other is refused by the gate. */
  environment?: string;
  /** List what would be tombstoned; write nothing. */
  dryRun?: boolean;
  concurrency?: number;
  /** Recorded with every tombstone (default: actorFromEnv()). */
  actor?: string;
  runUrl?: string;
  logger?: Logger;
}

/** Tombstones every live item of `branch` in the deploy environment. */
export async function cleanupBranch(options: CleanupBranchOptions): Promise<CleanupBranchReport> {
  const logger = options.logger ?? silentLogger;
  const settings = await loadSettings(options.tree);
  const branch = gateBranchCleanup(settings, options.branch);
  const environment = gateDeployEnvironment(settings, options.environment, 'cleanup-branch');
  const namespaces = [...new Set(Object.values(settings.teams).map((t) => t.namespace))].sort();
  const limit = pLimit(Math.max(1, options.concurrency ?? 8));

  const listed = (
    await Promise.all(namespaces.map((ns) => manifestAll(options.store, environment, ns)))
  ).flat();
  // Exactly this branch: search-style superset matching would be wrong here, so compare the tag itself.
  const mine = listed.filter((e) => Object.hasOwn(e.tags, 'branch') && e.tags.branch === branch);
  const live = mine.filter((e) => !e.deleted);
  const dryRun = Boolean(options.dryRun);
  const metadataBase: VersionMetadata = {
    actor: options.actor ?? actorFromEnv(),
    branch,
    reason: `branch ${branch} deleted`,
    ...(options.runUrl ? { runUrl: options.runUrl } : {}),
  };

  // A token scope refusal (403) holds for every item: stop sending, and fail the run with its one sentence.
  let refused: ItemStoreError | undefined;
  const entries = await Promise.all(
    live.map((e) =>
      limit(async (): Promise<CleanupEntry> => {
        const entry: CleanupEntry = {
          itemId: e.itemId,
          namespace: e.namespace,
          tags: e.tags,
          before: { version: e.version, md5: e.md5 },
          outcome: 'planned',
        };
        try {
          if (refused) throw refused;
          const item = await options.store.getItem(e.itemId);
          const path = item?.environments[environment]?.metadata?.path;
          if (path) entry.path = path;
          if (dryRun) return entry;
          const r = await options.store.deleteItem(e.itemId, environment, {
            metadata: { ...metadataBase, ...(path ? { path } : {}) },
            ifMatch: e.md5,
          });
          entry.after = { version: r.version };
          entry.outcome = r.unchanged ? 'unchanged' : 'deleted';
          logger.info(`tombstoned ${entry.path ?? e.itemId} (${e.itemId}) in ${environment}: v${r.version}`);
        } catch (err) {
          if (err instanceof ItemStoreError && err.status === 403) refused ??= err;
          entry.outcome = 'failed';
          entry.error = err instanceof Error ? err.message : String(err);
          logger.error(`${entry.path ?? e.itemId}: ${entry.error}`);
        }
        return entry;
      }),
    ),
  );
  if (refused) throw refused;
  entries.sort((a, b) => (a.path ?? a.itemId).localeCompare(b.path ?? b.itemId));
  const counts: Record<CleanupOutcome, number> = { deleted: 0, planned: 0, unchanged: 0, failed: 0 };
  for (const e of entries) counts[e.outcome]++;
  return {
    reportVersion: CLEANUP_REPORT_VERSION,
    branch,
    environment,
    dryRun,
    namespaces,
    entries,
    alreadyDeleted: mine.length - live.length,
    counts,
  };
}

const S3_NOTE = 'S3 not touched (S3 has no branches; feature branches never reach it).';

/** One line of counts, for the CLI's stderr and the action's log. */
export function cleanupCountsLine(r: CleanupBranchReport): string {
  const c = r.counts;
  return (
    `cleanup-branch ${r.branch} in ${r.environment}${r.dryRun ? ' (dry run: nothing written)' : ''}: ` +
    (r.dryRun ? `${c.planned} would be tombstoned` : `${c.deleted} tombstoned, ${c.failed} failed`) +
    `, ${r.alreadyDeleted} already tombstoned; ${S3_NOTE}`
  );
}

/** The job summary: every item of the branch with its config path and item id. */
export function cleanupSummary(r: CleanupBranchReport): Summary {
  const s = new Summary().heading(
    `Branch cleanup: ${r.branch} in V2 ${r.environment}${r.dryRun ? ' (dry run: nothing written)' : ''}`,
  );
  s.paragraph(cleanupCountsLine(r).replace(/^cleanup-branch \S+ in \S+( \([^)]*\))?: /, ''));
  if (!r.entries.length) {
    s.paragraph(
      `No live item carries the tag \`branch: ${r.branch}\` in ${r.environment} (namespaces ${r.namespaces.join(', ')}).`,
    );
    return s;
  }
  s.table(
    ['config', 'item id', 'version', 'outcome', 'note'],
    r.entries.map((e): Cell[] => [
      codeCell(e.path ?? `${e.namespace} {${formatTags(e.tags)}}`),
      codeCell(e.itemId),
      e.after ? `v${e.before.version} → v${e.after.version} (tombstone)` : `v${e.before.version}`,
      r.dryRun ? 'would be tombstoned' : e.outcome,
      e.error ?? '',
    ]),
    { limit: 200 },
  );
  return s;
}

/** One line per item, for the CLI. */
export function cleanupLines(r: CleanupBranchReport): string[] {
  return r.entries.map(
    (e) =>
      `${(r.dryRun ? 'would tombstone' : e.outcome).padEnd(9)} ${e.path ?? `${e.namespace} {${formatTags(e.tags)}}`}  ${e.itemId}` +
      (e.after ? `  v${e.before.version} → v${e.after.version}` : `  v${e.before.version}`) +
      (e.error ? `  error: ${e.error}` : ''),
  );
}
