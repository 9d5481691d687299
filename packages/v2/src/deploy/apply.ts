/**
 * Deploy, step two: carry out a plan. Every write is conditional on the latest version the plan saw (If-Match, or
 * If-None-Match for a new item), so a deploy that raced another one re-reads and decides again instead of
 * overwriting blindly; retried writes are safe because equal content answers `unchanged`.
 */
import pLimit from 'p-limit';
import { silentLogger, type Logger } from '@itemstore/core';
import { ItemStoreError } from '../client.js';
import type { ItemStore, VersionMetadata, WriteResult } from '../types.js';
import { decide, latestOf, type DeployPlan, type IsAncestor, type PlannedEntry } from './plan.js';

export type DeployOutcome = 'created' | 'updated' | 'unchanged' | 'deleted' | 'stale' | 'skipped' | 'failed';

export interface DeployResult extends Omit<PlannedEntry, 'content'> {
  outcome: DeployOutcome;
  /** The latest version after the deploy (for unchanged: the version that already held this content). */
  after?: { version: number };
  error?: string;
  /** A delete left undone because its replacement (`replacedBy`) was not written: the old item stays. */
  kept?: true;
}

export interface ApplyOptions {
  store: ItemStore;
  isAncestor: IsAncestor;
  /** Recorded with every version written: commit, branch, path, runUrl. */
  metadata: { actor?: string; commit: string; branch: string; runUrl?: string; dirty?: string };
  concurrency?: number;
  logger?: Logger;
  /** Called after each entry (progress for long runs). */
  onResult?: (r: DeployResult, done: number, total: number) => void;
}

/** How often a write that lost a race (412) is re-decided before the entry is reported as failed. */
const MAX_RACE_ROUNDS = 5;

/** Outcomes after which the new identity holds the config (this run's content, or a newer commit's). */
const REPLACED: ReadonlySet<DeployOutcome> = new Set(['created', 'updated', 'unchanged', 'stale']);

/**
 * Order of effects: writes (and plain deletions) first; a delete that belongs to a rename or an identity change
 * only after its replacement's write succeeded. When that write failed, the old item stays and says why.
 */
export async function applyDeployPlan(plan: DeployPlan, options: ApplyOptions): Promise<DeployResult[]> {
  const logger = options.logger ?? silentLogger;
  const limit = pLimit(Math.max(1, options.concurrency ?? 8));
  let done = 0;
  const results = new Map<PlannedEntry, DeployResult>();
  // A token scope refusal (403) holds for every entry of the run: stop sending, and fail the run with its sentence.
  let refused: ItemStoreError | undefined;
  const run = (p: PlannedEntry, blocked?: string, itemId?: Promise<string>) =>
    limit(async () => {
      let r: DeployResult;
      if (refused) {
        r = { ...withoutContent(p), outcome: 'skipped', reason: `not attempted: ${refused.message}` };
      } else if (blocked) {
        r = { ...withoutContent(p), outcome: 'skipped', kept: true, reason: `kept: ${blocked}` };
        logger.warning(`${p.path}: ${r.reason}`);
      } else {
        try {
          r = await applyEntry(itemId ? { ...p, itemId: await itemId } : p, plan, options);
        } catch (err) {
          if (err instanceof ItemStoreError && err.status === 403) refused ??= err;
          const message = err instanceof Error ? err.message : String(err);
          if (!(err instanceof ItemStoreError)) logger.debug((err as Error)?.stack ?? message);
          logger.error(`${p.path}: ${message}`);
          r = { ...withoutContent(p), outcome: 'failed', error: message };
        }
      }
      results.set(p, r);
      options.onResult?.(r, ++done, plan.entries.length);
    });
  const first = plan.entries.filter((p) => p.replacedBy === undefined && !p.orphan);
  const ids = await newItemIds(first, options.store);
  await Promise.all(first.map((p) => run(p, undefined, ids.get(p))));
  if (refused) throw refused;
  const byPath = new Map<string, DeployResult>();
  for (const p of first) if (p.action === 'upsert') byPath.set(p.path, results.get(p) as DeployResult);
  await Promise.all(
    plan.entries
      .filter((p) => p.replacedBy !== undefined)
      .map((p) => {
        const replacement = byPath.get(p.replacedBy as string);
        const ok = replacement !== undefined && REPLACED.has(replacement.outcome);
        return run(
          p,
          ok
            ? undefined
            : `its replacement ${p.replacedBy} was not written (${replacement?.outcome ?? 'skipped'}), so the old item stays`,
        );
      }),
  );
  // Orphans (prune) last, and only when every write succeeded: an orphan may be a config's old identity.
  const failed = [...results.values()].filter((r) => r.outcome === 'failed').length;
  await Promise.all(
    plan.entries
      .filter((p) => p.orphan)
      .map((p) =>
        run(
          p,
          failed && p.status === 'delete'
            ? `${failed} write(s) of this run failed, and orphans are pruned only after every write succeeded`
            : undefined,
        ),
      ),
  );
  return plan.entries.map((p) => results.get(p) as DeployResult);
}

/**
 * The ids of the items this run creates (entries planned `create` with no item yet), asked for in one
 * `generateIds` call per namespace instead of one generateId per config: 1,000 new configs cost one request for
 * their ids, then their 1,000 conditional PUTs. Each entry gets a promise: when a batch fails, each of its entries
 * fails with that error (and no PUT is sent for them), as a failed generateId did before.
 */
async function newItemIds(
  entries: PlannedEntry[],
  store: ItemStore,
): Promise<Map<PlannedEntry, Promise<string>>> {
  const byNamespace = new Map<string, PlannedEntry[]>();
  for (const p of entries) {
    if (p.status !== 'create' || p.itemId !== undefined) continue;
    const list = byNamespace.get(p.namespace) ?? [];
    list.push(p);
    byNamespace.set(p.namespace, list);
  }
  const ids = new Map<PlannedEntry, Promise<string>>();
  for (const [namespace, list] of byNamespace) {
    const answer = store.generateIds(
      namespace,
      list.map((p) => p.tags),
    );
    list.forEach((p, i) => {
      const id = answer.then((a) => (a[i] as { itemId: string }).itemId);
      id.catch(() => undefined); // reported by the entry that awaits it
      ids.set(p, id);
    });
  }
  return ids;
}

async function applyEntry(p: PlannedEntry, plan: DeployPlan, options: ApplyOptions): Promise<DeployResult> {
  const { store } = options;
  let current = p;
  for (let round = 0; ; round++) {
    switch (current.status) {
      case 'unchanged':
        if (current.confirm && current.itemId) break; // the unchanged write that records this commit
        return {
          ...withoutContent(current),
          outcome: 'unchanged',
          ...(current.before ? { after: { version: current.before.version } } : {}),
        };
      case 'stale':
        return { ...withoutContent(current), outcome: 'stale' };
      case 'skip':
        return { ...withoutContent(current), outcome: 'skipped' };
    }
    const metadata: VersionMetadata = {
      ...(options.metadata.actor ? { actor: options.metadata.actor } : {}),
      commit: options.metadata.commit,
      branch: options.metadata.branch,
      path: current.path,
      ...(options.metadata.runUrl ? { runUrl: options.metadata.runUrl } : {}),
      ...(options.metadata.dirty ? { dirty: options.metadata.dirty } : {}),
    };
    const itemId = current.itemId ?? (await store.generateId(current.namespace, current.tags)).itemId;
    const before = current.before;
    try {
      let w: WriteResult;
      if (current.status === 'delete' || (current.status === 'unchanged' && current.action === 'delete')) {
        w = await store.deleteItem(itemId, plan.environment, {
          metadata,
          ...(before ? { ifMatch: before.md5 } : {}),
        });
      } else {
        w = await store.putContents(itemId, plan.environment, current.content as string, {
          metadata,
          ...(current.md5 ? { md5: current.md5 } : {}),
          ...(before ? { ifMatch: before.md5 } : { ifNoneMatch: true }),
        });
      }
      // "unchanged" at a version newer than the one planned against means an earlier attempt of this very
      // request was applied and only its answer was lost (or a racing deploy wrote the same bytes): either way
      // this content is now there because of a write like ours, so report the write.
      const outcome: DeployOutcome =
        w.unchanged && w.version <= (before?.version ?? 0)
          ? 'unchanged'
          : current.status === 'delete'
            ? 'deleted'
            : current.status === 'create'
              ? 'created'
              : 'updated';
      return { ...withoutContent(current), itemId, outcome, after: { version: w.version } };
    } catch (err) {
      if (!(err instanceof ItemStoreError) || err.status !== 412 || round >= MAX_RACE_ROUNDS) throw err;
      // Someone else wrote this item since we looked: look again and decide again.
      const state = (await store.getItem(itemId))?.environments[plan.environment];
      const next: PlannedEntry = { ...current, itemId };
      if (state) next.before = latestOf(state);
      else delete next.before;
      current = {
        ...next,
        reason: undefined,
        confirm: undefined,
        ...(await decide(next, plan.commit, options.isAncestor)),
      };
      options.logger?.debug(`${current.path}: changed by someone else meanwhile; now ${current.status}`);
    }
  }
}

function withoutContent(p: PlannedEntry): Omit<PlannedEntry, 'content'> {
  const { content: _content, ...rest } = p;
  return rest;
}
