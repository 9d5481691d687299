/**
 * Promotion (replaces the Jenkins promote jobs): main's items go from one environment to the next one in
 * item-store.yaml's order, never further. V2 items through the store's promote call (the exact version tested in
 * `from`); S3 objects by copying the `from` environment's object to the `to` environment's bucket and prefix (as
 * the Jenkins job did: what was tested is what ships, even when main has moved on since). Configs named with an
 * S3-only suffix (`_SC`) go to S3 only. Plan, apply, then verify that both sides hold equal MD5s.
 */
import pLimit from 'p-limit';
import {
  ConfigErrors,
  UsageError,
  md5Hex,
  silentLogger,
  type Logger,
  type RepoTree,
  noProgress,
  type Progress,
} from '@itemstore/core';
import {
  gatePromotionStep,
  loadSettings,
  promotionRefusal,
  resolveS3Location,
  resolveTree,
  s3TargetOf,
  type ResolvedConfig,
  type S3Location,
  type Settings,
  type Tags,
} from '@itemstore/config';
import {
  applySyncPlan,
  contentTypeFor,
  describeLocation,
  isMultipartEtag,
  locationId,
  type ClientFor,
  type Listing,
  type PlanItem,
} from '@itemstore/s3';
import { actorFromEnv, manifestAll, type ItemStore, type ManifestEntry } from '@itemstore/v2';
import type { ObjectReader } from './object-side.js';
import { identityKey, isBranchItem } from './repo-items.js';

export const PROMOTE_REPORT_VERSION = 1;

export type PromoteAction = 'promote' | 'delete' | 'unchanged' | 'skip';
export type PromoteOutcome = 'promoted' | 'deleted' | 'unchanged' | 'skipped' | 'planned' | 'failed';

export interface PromoteEntry {
  store: 'v2' | 's3';
  /** The config's path in the repo (absent for a V2 deletion of a config no longer in the repo). */
  path?: string;
  namespace?: string;
  tags?: Tags;
  itemId?: string;
  bucket?: string;
  key?: string;
  action: PromoteAction;
  outcome: PromoteOutcome;
  /** V2: the `from` version promoted; S3: the object's ETag in `from`. */
  from?: { version?: number; md5?: string };
  /** The `to` side before and after. */
  before?: { version?: number; md5?: string; deleted?: boolean };
  after?: { version?: number; md5?: string };
  /** After a real run: the `to` side's MD5 equals the `from` side's. */
  verified?: boolean;
  reason?: string;
  error?: string;
}

export interface PromoteReport {
  version: typeof PROMOTE_REPORT_VERSION;
  from: string;
  to: string;
  dryRun: boolean;
  s3Sync: boolean;
  /** Why S3 was not written, when it was not. */
  s3Note?: string;
  /** With the switch off: how many S3 copies (configs under default/, _SC included) were not made. */
  s3Skipped?: number;
  paths: string[];
  counts: Record<PromoteOutcome, number>;
  /** Entries whose verification failed after a real run. */
  unverified: number;
  entries: PromoteEntry[];
}

export interface PromoteOptions {
  tree: RepoTree;
  from: string;
  to: string;
  /** Only these configs (repo paths or folders). Deletions are promoted only without paths. */
  paths?: string[];
  dryRun?: boolean;
  /** The S3 switch: false writes no S3 object at all (`_SC` configs included). */
  s3Sync: boolean;
  s3Note?: string;
  store: ItemStore;
  reader: ObjectReader;
  clientFor: ClientFor;
  concurrency?: number;
  logger?: Logger;
  progress?: Progress;
  runUrl?: string;
  /** Who promotes, for the audit trail (default: actorFromEnv()). */
  actor?: string;
}

/** Refuses anything but the next environment in item-store.yaml's order (the environment gate's rule). */
export function checkPromotionStep(settings: Settings, from: string, to: string): void {
  gatePromotionStep(settings, from, to);
}

export async function promote(options: PromoteOptions): Promise<PromoteReport> {
  const logger = options.logger ?? silentLogger;
  const { from, to } = options;
  const dryRun = Boolean(options.dryRun);
  const settings = await loadSettings(options.tree);
  checkPromotionStep(settings, from, to);

  // 1. main's configs (resolved as on mainBranch: no branch tag), only for identity, targets and S3 keys: what is
  // promoted is what `from` holds, not the repo's current bytes.
  const configs = await mainConfigs(options, settings, logger);

  // 2. V2: one listing of each environment per namespace, then one entry per item.
  const v2Configs = configs.filter((c) => c.targets.includes('v2'));
  const listEnv = v2Lister(
    options.store,
    options.paths?.length
      ? [...new Set(v2Configs.map((c) => c.namespace))]
      : [...new Set(Object.values(settings.teams).map((t) => t.namespace))],
  );
  const entries = await planV2Promotions(v2Configs, listEnv, options);

  // 3. S3: copy `from`'s object to `to`'s location, when the switch is on.
  const s3Configs = configs.filter((c) => c.targets.includes('s3') && c.s3KeyBelowPrefix !== undefined);
  const s3 = await planS3Copies(s3Configs, settings, options, dryRun, logger);
  entries.push(...s3.entries);

  const report = (): PromoteReport => finish(options, entries, dryRun, options.s3Sync ? 0 : s3Configs.length);
  if (dryRun) return report();

  // 4. Apply: V2 versions, then tombstones, then the S3 copies.
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const limit = pLimit(concurrency);
  const work = entries.filter((e) => e.action === 'promote' || e.action === 'delete');
  const task = (options.progress ?? noProgress).start(`promote ${from} → ${to}`, work.length);
  await applyV2(entries, { options, limit, task, logger });
  if (s3.copies.length) await applyS3Copies(s3.copies, { options, limit, task, logger, concurrency });
  task.done();

  // 5. Verify: list `to` again; every promoted entry must now hold `from`'s MD5.
  await verify(entries, s3.copies, await listEnv(to), options, logger);
  return report();
}

/** Step 1: main's configs (of `paths`, when given); errors stop the promotion, warnings are logged. */
async function mainConfigs(
  options: PromoteOptions,
  settings: Settings,
  logger: Logger,
): Promise<ResolvedConfig[]> {
  const { configs, errors } = await resolveTree(options.tree, settings, {
    branch: settings.mainBranch,
    ...(options.paths?.length ? { paths: options.paths } : {}),
  });
  const fatal = errors.filter((e) => e.severity === 'error');
  for (const w of errors.filter((e) => e.severity === 'warning')) logger.warning(w);
  if (fatal.length) throw new ConfigErrors(fatal);
  if (options.paths?.length && configs.length === 0) {
    throw new UsageError(`No config of main matches paths ${options.paths.join(', ')}.`);
  }
  return configs;
}

type EnvListing = (env: string) => Promise<Map<string, ManifestEntry>>;

/** main's items (no branch tag) of one environment in these namespaces, by identity. */
function v2Lister(store: ItemStore, namespaces: string[]): EnvListing {
  return async (env) => {
    const out = new Map<string, ManifestEntry>();
    await Promise.all(
      namespaces.map(async (ns) => {
        for (const e of await manifestAll(store, env, ns)) {
          if (!isBranchItem(e.tags)) out.set(identityKey(e.namespace, e.tags), e);
        }
      }),
    );
    return out;
  };
}

/** Step 2: an entry per V2 config, and (without paths) per config deleted in git whose tombstone goes on. */
async function planV2Promotions(
  v2Configs: ResolvedConfig[],
  listEnv: EnvListing,
  options: PromoteOptions,
): Promise<PromoteEntry[]> {
  const { from, to } = options;
  const entries: PromoteEntry[] = [];
  const [fromV2, toV2] = await Promise.all([listEnv(from), listEnv(to)]);
  const inRepo = new Set<string>();
  for (const c of v2Configs) {
    const k = identityKey(c.namespace, c.tags);
    inRepo.add(k);
    entries.push(planV2(c.path, c.namespace, c.tags, fromV2.get(k), toV2.get(k), from));
  }
  if (!options.paths?.length) {
    // Configs deleted in git: their tombstone in `from` goes on to `to`.
    for (const [k, f] of fromV2) {
      if (inRepo.has(k) || !f.deleted) continue;
      const t = toV2.get(k);
      if (!t || t.deleted) continue;
      entries.push(planV2(undefined, f.namespace, f.tags, f, t, from));
    }
  }
  return entries;
}

interface S3Copy {
  entry: PromoteEntry;
  fromLoc: S3Location;
  fromKey: string;
  toLoc: S3Location;
  contentType: string;
}

/** Step 3: an entry per S3 config (skipped ones too) and the copies to make. */
async function planS3Copies(
  s3Configs: ResolvedConfig[],
  settings: Settings,
  options: PromoteOptions,
  dryRun: boolean,
  logger: Logger,
): Promise<{ entries: PromoteEntry[]; copies: S3Copy[] }> {
  const { from, to, reader } = options;
  const entries: PromoteEntry[] = [];
  const copies: S3Copy[] = [];
  if (!options.s3Sync) {
    for (const c of s3Configs.filter((x) => x.s3Only)) {
      entries.push({
        store: 's3',
        path: c.path,
        action: 'skip',
        outcome: 'skipped',
        reason: `S3 sync is off${options.s3Note ? ` (${options.s3Note})` : ''}; an S3-only config has nowhere else to go`,
      });
    }
    return { entries, copies };
  }
  const listings = new Map<string, Promise<Listing>>();
  const list = (l: S3Location): Promise<Listing> => {
    let p = listings.get(locationId(l));
    if (!p) {
      logger.info(`Listing ${describeLocation(l)}`);
      p = reader.list(l);
      listings.set(locationId(l), p);
    }
    return p;
  };
  for (const c of s3Configs) {
    const source = s3TargetOf(resolveS3Location(settings, c.tenant, from), c);
    const target = s3TargetOf(resolveS3Location(settings, c.tenant, to), c);
    if (!source || !target) continue;
    const { location: fromLoc, key: fromKey } = source;
    const { location: toLoc, key: toKey } = target;
    const f = (await list(fromLoc)).objects.get(fromKey);
    const t = (await list(toLoc)).objects.get(toKey);
    const entry: PromoteEntry = {
      store: 's3',
      path: c.path,
      bucket: toLoc.bucket,
      key: toKey,
      action: 'skip',
      outcome: 'skipped',
      ...(f ? { from: { md5: f.etag } } : {}),
      ...(t ? { before: { md5: t.etag } } : {}),
    };
    if (!f) entry.reason = `not in ${describeLocation(fromLoc)} (${from})`;
    else if (t && t.etag === f.etag && !isMultipartEtag(f.etag)) {
      entry.action = 'unchanged';
      entry.outcome = 'unchanged';
      entry.reason = 'same MD5 in both environments';
    } else {
      entry.action = 'promote';
      entry.outcome = dryRun ? 'planned' : 'promoted';
      copies.push({
        entry,
        fromLoc,
        fromKey,
        toLoc,
        contentType: source.format === 'legacy-multidoc' ? 'application/yaml' : contentTypeFor(c.path),
      });
    }
    entries.push(entry);
  }
  return { entries, copies };
}

interface ApplyContext {
  options: PromoteOptions;
  limit: ReturnType<typeof pLimit>;
  task: ReturnType<Progress['start']>;
  logger: Logger;
}

/**
 * Step 4, V2. Order of effects: new versions first; tombstones only when every one of them arrived (a tombstone may
 * be the old identity of a renamed config whose new item just failed to promote).
 */
async function applyV2(
  entries: PromoteEntry[],
  { options, limit, task, logger }: ApplyContext,
): Promise<void> {
  const { from, to, store } = options;
  const actor = options.actor ?? actorFromEnv();
  const promoteV2 = (e: PromoteEntry) =>
    limit(async () => {
      try {
        const w = await store.promote(e.itemId as string, to, {
          fromEnvironment: from,
          ...(e.from?.version ? { version: e.from.version } : {}),
          // The audit trail: the server keeps the source version's record (commit, path) and adds promotedFrom.
          metadata: { actor, ...(options.runUrl ? { runUrl: options.runUrl } : {}) },
        });
        e.after = { version: w.version, md5: w.md5 };
        if (w.unchanged) e.outcome = 'unchanged';
      } catch (err) {
        e.outcome = 'failed';
        e.error = err instanceof Error ? err.message : String(err);
        logger.error(`promote ${e.path ?? e.itemId}: ${e.error}`);
      } finally {
        task.tick();
      }
    });
  const v2 = entries.filter((e) => e.store === 'v2');
  await Promise.all(v2.filter((e) => e.action === 'promote').map(promoteV2));
  const failedPromotions = v2.filter((e) => e.action === 'promote' && e.outcome === 'failed').length;
  const tombstones = v2.filter((e) => e.action === 'delete');
  if (failedPromotions) {
    for (const e of tombstones) {
      e.outcome = 'skipped';
      e.reason = `kept: ${failedPromotions} promotion(s) failed, and a tombstone is promoted only after every new version arrived`;
      logger.warning(`promote ${e.path ?? e.itemId}: ${e.reason}`);
      task.tick();
    }
  } else await Promise.all(tombstones.map(promoteV2));
}

/** Step 4, S3: GET from `from`, PUT to `to` with Content-MD5 (S3 rejects a body that arrived changed). */
async function applyS3Copies(
  copies: S3Copy[],
  { options, limit, task, logger, concurrency }: ApplyContext & { concurrency: number },
): Promise<void> {
  const { from, to, reader } = options;
  const items: PlanItem[] = [];
  await Promise.all(
    copies.map((c) =>
      limit(async () => {
        let body: Buffer | undefined;
        try {
          body = await reader.get(c.fromLoc, c.fromKey);
        } catch (err) {
          c.entry.outcome = 'failed';
          c.entry.error = `reading s3://${c.fromLoc.bucket}/${c.fromKey} failed: ${err instanceof Error ? err.message : String(err)}`;
          logger.error(`promote ${c.entry.path}: ${c.entry.error}`);
          task.tick();
          return;
        }
        if (!body) {
          c.entry.outcome = 'failed';
          c.entry.error = 'the object disappeared from the from environment while promoting';
          task.tick();
          return;
        }
        c.entry.from = { md5: md5Hex(body) };
        items.push({
          bucket: c.toLoc.bucket,
          region: c.toLoc.region,
          key: c.entry.key as string,
          action: 'upload',
          bytes: body.length,
          reason: `promote ${from} → ${to}`,
          ...(c.entry.path ? { path: c.entry.path } : {}),
          md5: md5Hex(body),
          body,
          contentType: c.contentType,
        });
      }),
    ),
  );
  const applied = await applySyncPlan(
    options.clientFor,
    { items, locations: [], full: false, deletionsMode: 'skip' },
    { concurrency, logger, onProgress: () => task.tick() },
  );
  for (const r of applied.items) {
    const c = copies.find((x) => x.entry.key === r.key && x.toLoc.bucket === r.bucket);
    if (!c) continue;
    if (r.status === 'failed') {
      c.entry.outcome = 'failed';
      c.entry.error = r.error ?? 'upload failed';
    } else c.entry.after = { md5: r.md5 as string };
  }
}

/** Step 5: every promoted entry must now hold `from`'s MD5 in `to` (V2 from a new listing, S3 listed again). */
async function verify(
  entries: PromoteEntry[],
  copies: S3Copy[],
  toAfter: Map<string, ManifestEntry>,
  options: PromoteOptions,
  logger: Logger,
): Promise<void> {
  const { from, to, reader } = options;
  const relisted = new Map<string, Listing>();
  for (const e of entries) {
    if (e.outcome !== 'promoted' && e.outcome !== 'unchanged' && e.outcome !== 'deleted') continue;
    if (e.action !== 'promote' && e.action !== 'delete') continue;
    if (e.store === 'v2') {
      const now = toAfter.get(identityKey(e.namespace as string, e.tags as Tags));
      e.verified = Boolean(now && now.md5 === e.from?.md5 && now.deleted === (e.action === 'delete'));
      if (now) e.after = { version: now.version, md5: now.md5 };
    } else {
      const c = copies.find((x) => x.entry === e);
      if (!c) continue;
      let l = relisted.get(locationId(c.toLoc));
      if (!l) {
        l = await reader.list(c.toLoc);
        relisted.set(locationId(c.toLoc), l);
      }
      const now = l.objects.get(e.key as string);
      e.verified = Boolean(now && now.etag === e.from?.md5);
    }
    if (!e.verified)
      logger.error(`promote ${e.path ?? e.itemId}: after promotion ${to} does not hold ${from}'s MD5`);
  }
}

function planV2(
  path: string | undefined,
  namespace: string,
  tags: Tags,
  f: ManifestEntry | undefined,
  t: ManifestEntry | undefined,
  fromEnv: string,
): PromoteEntry {
  const e: PromoteEntry = {
    store: 'v2',
    ...(path ? { path } : {}),
    namespace,
    tags,
    action: 'skip',
    outcome: 'skipped',
    ...(f ? { itemId: f.itemId, from: { version: f.version, md5: f.md5 } } : {}),
    ...(t ? { before: { version: t.version, md5: t.md5, deleted: t.deleted } } : {}),
  };
  const refusal = promotionRefusal(f, fromEnv);
  if (!f || refusal) e.reason = refusal;
  else if (f.deleted && path) e.reason = `the latest ${fromEnv} version is a tombstone`;
  else if (t && t.md5 === f.md5 && t.deleted === f.deleted) {
    e.action = 'unchanged';
    e.outcome = 'unchanged';
    e.reason = `${fromEnv} v${f.version} is already the latest`;
  } else {
    e.action = f.deleted ? 'delete' : 'promote';
    e.outcome = f.deleted ? 'deleted' : 'promoted';
  }
  return e;
}

function finish(
  options: PromoteOptions,
  entries: PromoteEntry[],
  dryRun: boolean,
  s3Skipped: number,
): PromoteReport {
  if (dryRun)
    for (const e of entries) if (e.action === 'promote' || e.action === 'delete') e.outcome = 'planned';
  const counts: Record<PromoteOutcome, number> = {
    promoted: 0,
    deleted: 0,
    unchanged: 0,
    skipped: 0,
    planned: 0,
    failed: 0,
  };
  for (const e of entries) counts[e.outcome]++;
  entries.sort(
    (a, b) =>
      (a.path ?? '\uffff').localeCompare(b.path ?? '\uffff') ||
      a.store.localeCompare(b.store) ||
      (a.itemId ?? '').localeCompare(b.itemId ?? ''),
  );
  return {
    version: PROMOTE_REPORT_VERSION,
    from: options.from,
    to: options.to,
    dryRun,
    s3Sync: options.s3Sync,
    ...(options.s3Note ? { s3Note: options.s3Note } : {}),
    ...(options.s3Sync ? {} : { s3Skipped: s3Skipped }),
    paths: options.paths ?? [],
    counts,
    unverified: entries.filter((e) => e.verified === false).length,
    entries,
  };
}
