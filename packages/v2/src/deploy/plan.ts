/**
 * Deploy, step one: what would happen to each entry of a resolved manifest. Validation reads and converts every
 * config before anything talks to the store; the plan then reads the store (never writes it) and returns data
 * that dry-run, summaries, tests and `applyDeployPlan` all share.
 */
import type { Tags } from '@itemstore/config';
import { createTwoFilesPatch } from 'diff';
import pLimit from 'p-limit';
import {
  ConfigError,
  ConfigErrors,
  LIMITS,
  formatBytes,
  md5Hex,
  type Logger,
  type RepoTree,
  type ResolvedEntry,
  type ResolvedManifest,
  configRootOf,
  replacementsOf,
} from '@itemstore/core';
import { FsTree } from '@itemstore/config';
import {
  findExact,
  manifestAll,
  type EnvironmentState,
  type ItemStore,
  type ManifestEntry,
} from '../types.js';

/** What `toV2Json` from @itemstore/convert does: config bytes → the JSON text V2 stores. Throws ConfigError(s). */
export type ConvertToV2 = (
  bytes: Uint8Array,
  options: { file: string; format: 'plain' | 'config-list' | 'dq'; maxBytes?: number },
) => { text: string };

/** Whether commit `a` is an ancestor of (or equal to) commit `b`. */
export type IsAncestor = (a: string, b: string) => Promise<boolean>;

export type PlannedStatus = 'create' | 'update' | 'unchanged' | 'delete' | 'stale' | 'skip';

export interface LatestVersion {
  version: number;
  md5: string;
  deleted: boolean;
  commit?: string;
  /** The newest commit that confirmed this content with an unchanged write (see the stale rule in `decide`). */
  confirmedBy?: string;
}

export interface PlannedEntry {
  /** Path relative to the config repo root. */
  path: string;
  action: 'upsert' | 'delete';
  namespace: string;
  tags: Tags;
  identity: string;
  environment: string;
  /** Known when the item already exists in the store. */
  itemId?: string;
  /** The environment's latest version before the deploy. */
  before?: LatestVersion;
  /** For upserts: the JSON text V2 will hold, and its MD5. */
  content?: string;
  md5?: string;
  status: PlannedStatus;
  /**
   * For `unchanged`: this commit contains the newest commit that wrote or confirmed the content, so apply sends the
   * (unchanged) write anyway and the store records this commit as confirming it: a late run of a commit in between
   * (reverted since) is then stale instead of writing the reverted content.
   */
  confirm?: boolean;
  /** One sentence on why, for `stale`, `skip` and `unchanged`. */
  reason?: string;
  /** Unified diff of the JSON against the current latest version (dry-run only). */
  diff?: string;
  /**
   * For a delete that belongs to a rename or an identity change: the path of the upsert that replaces it. The delete
   * is applied only after that upsert succeeded.
   */
  replacedBy?: string;
  /**
   * An item of main in this environment that no config maps to (listed by a mode `all` run on the main branch).
   * Reported as `skip` unless the run prunes (then `delete`, applied only when every write of the run succeeded).
   */
  orphan?: true;
}

export interface DeployPlan {
  environment: string;
  commit: string;
  branch: string;
  entries: PlannedEntry[];
  /** Manifest entries left alone because V2 is not one of their targets. */
  notForV2: number;
}

export interface PrepareOptions {
  convert: ConvertToV2;
  /** Reads the config repo (default: the working tree at manifest.repoRoot/workingDirectory). */
  tree?: RepoTree;
  /** Largest config file, in bytes (item-store.yaml's maxConfigBytes; the converter's default otherwise). */
  maxBytes?: number;
}

export interface PreparedEntry {
  entry: ResolvedEntry;
  content?: string;
  /** See PlannedEntry.replacedBy. */
  replacedBy?: string;
}

/**
 * The V2 entries of a manifest, every upsert read and converted. Throws ConfigErrors listing every problem (the
 * manifest's own errors included) when any config is bad, so a bad file means no write at all.
 */
export async function prepareDeploy(
  manifest: ResolvedManifest,
  options: PrepareOptions,
): Promise<{ prepared: PreparedEntry[]; notForV2: number }> {
  const tree = options.tree ?? new FsTree(configRootOf(manifest));
  const errors: ConfigError[] = manifest.errors.map((e) => ConfigError.fromJSON(e));
  const forV2 = manifest.entries.filter((e) => e.targets.includes('v2') && !e.s3Only);
  // A move that keeps the identity is an update: never also delete what an upsert writes.
  const upserted = new Set(forV2.filter((e) => e.action === 'upsert').map((e) => e.identity));
  const selected = forV2.filter((e) => e.action === 'upsert' || !upserted.has(e.identity));
  const replacements = replacementsOf(manifest.entries);
  const seen = new Map<string, string>();
  const prepared: PreparedEntry[] = [];
  for (const entry of selected) {
    const other = seen.get(entry.identity);
    if (other !== undefined) {
      errors.push(
        new ConfigError(
          'identity-conflict',
          `${entry.path} and ${other} are the same item (${entry.identity}); rename one or give it other tags`,
          { file: entry.path },
        ),
      );
      continue;
    }
    seen.set(entry.identity, entry.path);
    if (entry.action === 'delete') {
      const by = replacements.get(entry);
      // Only a V2 write can stand in for a V2 item: a replacement that goes to S3 only is no dependency here.
      const replacedBy = by && by.targets.includes('v2') && !by.s3Only ? by.path : undefined;
      prepared.push({ entry, ...(replacedBy === undefined ? {} : { replacedBy }) });
      continue;
    }
    let bytes: Buffer | undefined;
    try {
      bytes = await tree.read(entry.path);
    } catch (err) {
      errors.push(
        new ConfigError('read-failed', `cannot read ${entry.path}: ${(err as Error).message}`, {
          file: entry.path,
        }),
      );
      continue;
    }
    if (bytes === undefined) {
      errors.push(
        new ConfigError(
          'missing-file',
          `${entry.path} is in the manifest but is not a regular file in ${tree.label}`,
          {
            file: entry.path,
          },
        ),
      );
      continue;
    }
    try {
      const format = entry.format as 'plain' | 'config-list' | 'dq';
      const converted = options.convert(bytes, {
        file: entry.path,
        format,
        ...(options.maxBytes ? { maxBytes: options.maxBytes } : {}),
      });
      const size = Buffer.byteLength(converted.text, 'utf8');
      if (size > LIMITS.contentBytes) {
        // The converter refuses this itself, at the line that makes it too big; a converter passed in may not.
        errors.push(
          new ConfigError(
            'content-too-large',
            `the converted JSON is ${formatBytes(size)}, over the ${formatBytes(LIMITS.contentBytes)} Item Store V2 stores`,
            { file: entry.path },
          ),
        );
        continue;
      }
      prepared.push({ entry, content: converted.text });
    } catch (err) {
      if (err instanceof ConfigErrors) errors.push(...err.errors);
      else if (err instanceof ConfigError)
        errors.push(err.file ? err : err.withLocation({ file: entry.path }));
      else throw err;
    }
  }
  if (errors.some((e) => e.severity === 'error')) throw new ConfigErrors(errors);
  return { prepared, notForV2: manifest.entries.length - forV2.length };
}

export interface PlanOptions extends PrepareOptions {
  store: ItemStore;
  environment: string;
  deletions: 'apply' | 'skip';
  isAncestor: IsAncestor;
  /** Fetch the latest contents and attach a unified diff to every entry that would change (dry-run). */
  withDiffs?: boolean;
  /**
   * Mode `all` on the main branch: list the environment's items of main (no `branch` tag) in these namespaces that
   * no config maps to, as orphans; `prune` tombstones them.
   */
  orphans?: { namespaces: readonly string[]; prune: boolean };
  concurrency?: number;
  logger?: Logger;
  /** Called after each entry is planned (progress). */
  onPlanned?: () => void;
  /**
   * Work that runs while the configs are read and converted (e.g. git status) and must end before the first
   * request; when it fails, the plan fails with its error, ahead of any config error.
   */
  beforeRequests?: Promise<unknown>;
}

/**
 * Below this many entries of one namespace the plan looks each item up (search, then getItem); from it on, it
 * lists the environment's manifest for the namespace once (1,000 items a page): each listed item's latest version,
 * md5, commit and confirmation are all the plan needs. A no-op run of 1,000 configs then costs a request or two
 * instead of 2,000, and a run that changes 1,000 listed configs costs their 1,000 writes.
 */
export const BULK_LOOKUP_MIN = 20;

export async function planDeploy(manifest: ResolvedManifest, options: PlanOptions): Promise<DeployPlan> {
  const { store, environment } = options;
  const lookedUp = (e: ResolvedEntry) => !(e.action === 'delete' && options.deletions === 'skip');
  const [prep, before] = await Promise.allSettled([prepareDeploy(manifest, options), options.beforeRequests]);
  if (before.status === 'rejected') throw before.reason;
  if (prep.status === 'rejected') throw prep.reason;
  const { prepared, notForV2 } = prep.value;
  const limit = pLimit(Math.max(1, options.concurrency ?? 8));
  const commit = manifest.headSha;
  const perNamespace = countBy(
    prepared.filter((p) => lookedUp(p.entry)),
    (p) => p.entry.namespace,
  );
  const listed = new Map<string, Map<string, ManifestEntry>>();
  await Promise.all(
    [...perNamespace]
      .filter(([, n]) => n >= BULK_LOOKUP_MIN)
      .map(async ([ns]) => {
        const items = await manifestAll(store, environment, ns);
        listed.set(ns, new Map(items.map((i) => [tagsKey(i.tags), i])));
      }),
  );

  // Each pair of commits is asked once, at most `concurrency` git calls at a time; an entry of a listed namespace
  // then needs no other call (the listing answered for it), so it is planned without a queue slot of its own.
  // (Its own queue: an entry holding a slot of `limit` may wait for it.)
  const gitLimit = pLimit(Math.max(1, options.concurrency ?? 8));
  const ancestry = new Map<string, Promise<boolean>>();
  const isAncestor: IsAncestor = (a, b) => {
    const key = `${a}\u0000${b}`;
    let answer = ancestry.get(key);
    if (!answer) {
      answer = gitLimit(() => options.isAncestor(a, b));
      ancestry.set(key, answer);
    }
    return answer;
  };
  const planOne = async (p: PreparedEntry): Promise<PlannedEntry> => {
    const { entry } = p;
    const planned: PlannedEntry = {
      path: entry.path,
      action: entry.action,
      namespace: entry.namespace,
      tags: entry.tags,
      identity: entry.identity,
      environment,
      ...(p.content === undefined ? {} : { content: p.content, md5: md5Hex(p.content) }),
      ...(p.replacedBy === undefined ? {} : { replacedBy: p.replacedBy }),
      status: 'skip',
    };
    if (entry.action === 'delete' && options.deletions === 'skip') {
      return { ...planned, reason: 'deletions: skip' };
    }
    const listing = listed.get(entry.namespace);
    if (listing) {
      // Not listed: no version in this environment (the item itself may exist; generateId will say).
      const hit = listing.get(tagsKey(entry.tags));
      if (hit) {
        planned.itemId = hit.itemId;
        planned.before = {
          version: hit.version,
          md5: hit.md5,
          deleted: hit.deleted,
          ...(hit.commit ? { commit: hit.commit } : {}),
          ...(hit.confirmedBy ? { confirmedBy: hit.confirmedBy } : {}),
        };
        // The listing holds what the stale check needs (the latest version's commit and confirmation), so a
        // changed config costs its write alone: no getItem, no generateId (the conditional write still refuses
        // a version that moved since the listing).
      }
    } else {
      const ref = await findExact(store, entry.namespace, entry.tags);
      if (ref) {
        planned.itemId = ref.itemId;
        const state = (await store.getItem(ref.itemId))?.environments[environment];
        if (state) planned.before = latestOf(state);
      }
    }
    Object.assign(planned, await decide(planned, commit, isAncestor));
    if (options.withDiffs) planned.diff = await diffAgainstLatest(store, planned);
    options.onPlanned?.();
    return planned;
  };
  const entries = await Promise.all(
    prepared.map((p) =>
      listed.has(p.entry.namespace) && !options.withDiffs ? planOne(p) : limit(() => planOne(p)),
    ),
  );
  if (options.orphans && manifest.mode === 'all' && manifest.isMainBranch) {
    entries.push(...(await findOrphans(manifest, options, options.orphans, listed)));
  }
  return { environment, commit, branch: manifest.branch, entries, notForV2 };
}

/** Items of main (live, no `branch` tag) in the namespaces that no entry of an `all` manifest maps to. */
async function findOrphans(
  manifest: ResolvedManifest,
  options: PlanOptions,
  orphans: { namespaces: readonly string[]; prune: boolean },
  listed: Map<string, Map<string, ManifestEntry>>,
): Promise<PlannedEntry[]> {
  const mapped = new Set(manifest.entries.map((e) => `${e.namespace}\u0000${tagsKey(e.tags)}`));
  const out: PlannedEntry[] = [];
  for (const ns of [...new Set(orphans.namespaces)].sort()) {
    const items = listed.get(ns)?.values() ?? (await manifestAll(options.store, options.environment, ns));
    for (const i of items) {
      if (i.deleted || Object.hasOwn(i.tags, 'branch') || mapped.has(`${ns}\u0000${tagsKey(i.tags)}`))
        continue;
      const name = i.tags.name ?? i.itemId;
      out.push({
        path: `(no config) ${i.tags.team ?? ns}/${name}`,
        action: 'delete',
        namespace: ns,
        tags: i.tags,
        identity: `${ns}?${tagsKey(i.tags)}`,
        environment: options.environment,
        itemId: i.itemId,
        before: {
          version: i.version,
          md5: i.md5,
          deleted: false,
          ...(i.commit ? { commit: i.commit } : {}),
          ...(i.confirmedBy ? { confirmedBy: i.confirmedBy } : {}),
        },
        orphan: true,
        ...(orphans.prune
          ? { status: 'delete' as const, reason: 'orphan: no config maps to this item (prune: true)' }
          : {
              status: 'skip' as const,
              reason: 'orphan: no config maps to this item; prune: true tombstones it',
            }),
      });
    }
  }
  return out;
}

function countBy<T>(list: readonly T[], key: (t: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of list) counts.set(key(t), (counts.get(key(t)) ?? 0) + 1);
  return counts;
}

/** The same key for the same set of tags, whatever their order. */
function tagsKey(tags: Tags): string {
  return JSON.stringify(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function latestOf(state: EnvironmentState): LatestVersion {
  return {
    version: state.version,
    md5: state.md5,
    deleted: state.deleted,
    ...(state.metadata?.commit ? { commit: state.metadata.commit } : {}),
    ...(state.confirmedBy ? { confirmedBy: state.confirmedBy } : {}),
  };
}

const COMMIT_SHA = /^[0-9a-f]{7,64}$/i;

/**
 * The newest commit known to hold the latest version's content: the one that confirmed it last, else the one that
 * wrote it. Values that are not commit SHAs (`migration`) say nothing about git history and are ignored.
 */
export function newestCommit(before: LatestVersion | undefined): string | undefined {
  return [before?.confirmedBy, before?.commit].find((c) => c !== undefined && COMMIT_SHA.test(c));
}

/**
 * What to do given the latest version. Equal content is unchanged (and, when this commit contains the newest commit
 * that wrote or confirmed it, confirmed: see PlannedEntry.confirm). A latest version whose newest writing or
 * confirming commit already contains ours (a newer push got there first, or confirmed the same content after a
 * revert) is stale and never overwritten. The same commit is not stale: a re-run of a commit may write what that
 * commit holds.
 */
export async function decide(
  p: Pick<PlannedEntry, 'action' | 'md5' | 'before'>,
  commit: string,
  isAncestor: IsAncestor,
): Promise<{ status: PlannedStatus; reason?: string; confirm?: boolean }> {
  const before = p.before;
  const newest = newestCommit(before);
  const unchanged = async (reason?: string) => {
    const confirm =
      COMMIT_SHA.test(commit) &&
      newest !== commit &&
      before?.confirmedBy !== commit &&
      (newest === undefined || (await isAncestor(newest, commit)));
    return { status: 'unchanged' as const, ...(reason ? { reason } : {}), ...(confirm ? { confirm } : {}) };
  };
  if (p.action === 'delete') {
    if (!before) return { status: 'unchanged', reason: 'not in the store' };
    if (before.deleted) return unchanged('already deleted');
  } else if (before && !before.deleted && before.md5 === p.md5) {
    return unchanged();
  }
  if (newest && newest !== commit && (await isAncestor(commit, newest))) {
    const how = newest === before?.commit ? 'comes from' : 'was confirmed by';
    return {
      status: 'stale',
      reason: `the latest version (${before?.version}) ${how} ${newest.slice(0, 12)}, which already contains ${commit.slice(0, 12)}`,
    };
  }
  if (p.action === 'delete') return { status: 'delete' };
  return { status: !before || before.deleted ? 'create' : 'update' };
}

/** A unified diff of the JSON the store holds against what this deploy would write. */
export async function diffAgainstLatest(store: ItemStore, p: PlannedEntry): Promise<string | undefined> {
  if (p.status !== 'create' && p.status !== 'update' && p.status !== 'delete') return undefined;
  let current = '';
  if (p.itemId && p.before && !p.before.deleted) {
    current = (await store.getContents(p.itemId, p.environment))?.content ?? '';
  }
  const next = p.action === 'delete' ? '' : (p.content ?? '');
  const from = p.before && !p.before.deleted ? `${p.environment} v${p.before.version}` : '(none)';
  return createTwoFilesPatch(`a/${p.path}`, `b/${p.path}`, current, next, from, 'this commit', {
    context: 3,
  });
}
