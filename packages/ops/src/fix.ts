/**
 * `validate --fix --source s3|repo`: the notes' manual fix as a plan, then its application. Only drift is fixed
 * (`edited-outside`, `missing`, and `orphan` with `prune`); a row awaiting promotion is left alone (promote moves
 * it). It writes only the validated environment (the environment gate): in the first environment the chosen
 * source's content is written; in a later one (qa, prod) the fix is a promotion of the version the previous
 * environment holds, with the trail, and is refused when that environment does not hold the source's content.
 * With `--source repo`, S3 objects of the validated environment that differ from the repo are uploaded again while
 * S3 sync is on (in qa/prod only when the previous environment's object holds those bytes: what a promotion would
 * copy). Orphans are deleted only with `prune`.
 *
 * planFix: planRow (per drifted row) → planV2Write / planS3Upload / planOrphan.
 * applyFix: applyV2Writes → applyV2Tombstones (only when every write succeeded) → applyS3Actions.
 */
import pLimit from 'p-limit';
import {
  UsageError,
  md5Hex,
  silentLogger,
  type Logger,
  type RepoTree,
  noProgress,
  type Progress,
  type ProgressTask,
} from '@itemstore/core';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { repoBytesOf } from './migrate/layout.js';
import { stringifyV2 } from '@itemstore/convert';
import {
  applySyncPlan,
  locationId,
  type ClientFor,
  type Listing,
  type PlanItem,
  type SyncPlan,
} from '@itemstore/s3';
import { previousEnvironment, s3Key, type Settings, type Tags } from '@itemstore/config';
import {
  TOMBSTONE_MD5,
  actorFromEnv,
  type ItemStore,
  type VersionMetadata,
  type WriteResult,
} from '@itemstore/v2';
import { objectMd5, type ObjectReader } from './object-side.js';
import { identityKey, type RepoItem } from './repo-items.js';
import {
  isDrift,
  s3Value,
  type DriftStatus,
  type ValidateContext,
  type ValidateReport,
  type ValidateRow,
} from './validate.js';

export type FixSource = 's3' | 'repo';

/** Write the source's content to a V2 item (in a later environment: promote the previous one's version). */
export interface V2WriteAction {
  kind: 'v2-write';
  /** The drift this action repairs. */
  status: DriftStatus;
  path: string;
  namespace: string;
  tags: Tags;
  /** Absent when the item does not exist yet (its id is generated from the tags). */
  itemId?: string;
  /** The V2 JSON text to write and its MD5. */
  content: string;
  md5: string;
  /** Where the content comes from: `repo <path>` or `s3://bucket/key`. */
  from: string;
  /**
   * `--source s3`: the repo file that means what the S3 object means (YAML 1.2 readers of the repo, YAML 1.1 readers
   * of S3), written to the working tree once the V2 write succeeded, so git and V2 agree.
   */
  repoFile?: { path: string; bytes: Buffer };
}

/** Tombstone an orphan V2 item (`prune`; in a later environment: promote the previous one's tombstone). */
export interface V2TombstoneAction {
  kind: 'v2-tombstone';
  status: DriftStatus;
  namespace: string;
  tags: Tags;
  itemId: string;
}

/** Upload the repo's bytes for a config to S3. */
export interface S3UploadAction {
  kind: 's3-upload';
  status: DriftStatus;
  path: string;
  bucket: string;
  region: string;
  key: string;
  body: Buffer;
  md5: string;
  contentType: string;
  from: string;
}

/** Delete an orphan S3 object (`prune`). */
export interface S3DeleteAction {
  kind: 's3-delete';
  status: DriftStatus;
  bucket: string;
  region: string;
  key: string;
}

export type FixAction = V2WriteAction | V2TombstoneAction | S3UploadAction | S3DeleteAction;

/** An action without the bytes it writes (for reports). */
export type FixActionRecord =
  | Omit<V2WriteAction, 'content' | 'repoFile'>
  | V2TombstoneAction
  | Omit<S3UploadAction, 'body'>
  | S3DeleteAction;

export function withoutPayload(a: FixAction): FixActionRecord {
  switch (a.kind) {
    case 'v2-write':
      return v2Record(a);
    case 's3-upload': {
      const { body: _body, ...rest } = a;
      return rest;
    }
    default:
      return a;
  }
}

/** A V2 action without its content. */
function v2Record(
  a: V2WriteAction | V2TombstoneAction,
): Omit<V2WriteAction, 'content' | 'repoFile'> | V2TombstoneAction {
  if (a.kind === 'v2-tombstone') return a;
  const { content: _content, repoFile: _repoFile, ...rest } = a;
  return rest;
}

/** What an action is about, in one phrase: the repo path, the S3 key or the item. */
export function fixSubject(a: FixActionRecord): string {
  switch (a.kind) {
    case 'v2-write':
    case 's3-upload':
      return a.path;
    case 's3-delete':
      return `s3://${a.bucket}/${a.key}`;
    case 'v2-tombstone':
      return a.itemId;
  }
}

export interface FixPlan {
  source: FixSource;
  /** The validated environment: the only one the fix writes. */
  environment: string;
  /** item-store.yaml's order: a fix of any but the first is a promotion from the one before. */
  environments: string[];
  settings: Settings;
  actions: FixAction[];
  /** Drifted rows this fix cannot repair, with the reason. */
  unfixable: { row: ValidateRow; reason: string }[];
  /** Rows awaiting promotion: not drift, so never touched by a fix (promote moves them). */
  awaitingPromotion: ValidateRow[];
}

export type FixResult = FixActionRecord & {
  /** The repo file written with the S3 content (`--source s3`). */
  repoWritten?: string;
  /** `kept`: a delete not applied because a write of the same fix failed (the object or item stays). */
  outcome: 'done' | 'unchanged' | 'failed' | 'kept';
  /** V2: the version the environment holds afterwards. */
  versions?: Record<string, number>;
  error?: string;
};

interface PlanOptions {
  source: FixSource;
  prune?: boolean;
  reader: ObjectReader;
  /** The working tree (`--source s3` plans the repo files it takes from S3). */
  repoTree?: RepoTree;
}

/** The plan being built, shared by the planning steps. */
interface Planning {
  context: ValidateContext;
  options: PlanOptions;
  actions: FixAction[];
  unfixable: FixPlan['unfixable'];
  v2Planned: Set<string>;
  s3Planned: Set<string>;
  /** The previous environment's S3 listings (a fix of qa/prod uploads only what that one already holds). */
  previousListings: Map<string, Promise<Listing>>;
}

export async function planFix(
  validated: { report: ValidateReport; context: ValidateContext },
  options: PlanOptions,
): Promise<FixPlan> {
  const { report, context } = validated;
  const { settings } = context.snapshot;
  if (report.s3Off && options.source === 's3') {
    throw new UsageError(
      `S3 sync is off (${report.s3Off}), so S3 is no longer a source of truth: fix with --source repo.`,
    );
  }
  const planning: Planning = {
    context,
    options,
    actions: [],
    unfixable: [],
    v2Planned: new Set(),
    s3Planned: new Set(),
    previousListings: new Map(),
  };
  const byPath = new Map(context.snapshot.items.map((i) => [i.config.path, i]));
  for (const row of report.rows) {
    if (!isDrift(row.status)) continue;
    await planRow(planning, row, row.path === undefined ? undefined : byPath.get(row.path));
  }
  return {
    source: options.source,
    environment: context.environment,
    environments: settings.environments,
    settings,
    actions: planning.actions,
    unfixable: planning.unfixable,
    awaitingPromotion: report.rows.filter((r) => r.status === 'awaiting-promotion'),
  };
}

/** One drifted row: what repairs it from the chosen source. */
async function planRow(p: Planning, row: ValidateRow, item: RepoItem | undefined): Promise<void> {
  if (row.status === 'orphan') {
    planOrphan(p, row);
    return;
  }
  if (!item) return;
  if (p.options.source === 'repo') {
    if (row.store !== 's3') await planV2Write(p, item, row);
    if (row.store !== 'v2') await planS3Upload(p, item, row);
    return;
  }
  // source s3: V2 takes S3's content; S3 itself is the truth and is never written.
  if (row.status === 'missing' && row.store === 's3') {
    p.unfixable.push({ row, reason: 'not in S3, so S3 cannot be the source; fix it with --source repo' });
    return;
  }
  await planV2Write(p, item, row);
}

/** An orphan is deleted only with prune: a V2 tombstone or an S3 delete, after every write. */
function planOrphan(p: Planning, row: ValidateRow): void {
  if (!p.options.prune) {
    p.unfixable.push({ row, reason: 'an orphan is left alone unless --prune is given (it deletes it)' });
  } else if (row.store === 'v2' && row.itemId && row.namespace && row.tags) {
    p.actions.push({
      kind: 'v2-tombstone',
      status: row.status,
      namespace: row.namespace,
      tags: row.tags,
      itemId: row.itemId,
    });
  } else if (row.store === 's3' && row.bucket && row.key) {
    const l = p.context.listings.find(
      (x) => x.location.bucket === row.bucket && row.key?.startsWith(x.location.prefix),
    );
    p.actions.push({
      kind: 's3-delete',
      status: row.status,
      bucket: row.bucket,
      key: row.key,
      region: l?.location.region ?? '',
    });
  }
}

/** The V2 content a fix writes for a config: the repo's, or (source s3) the S3 object's value. */
async function planV2Write(p: Planning, item: RepoItem, row: ValidateRow): Promise<void> {
  const { context, options } = p;
  const c = item.config;
  const k = identityKey(c.namespace, c.tags);
  if (p.v2Planned.has(k)) return;
  if (item.v2Text === undefined) {
    p.unfixable.push({
      row,
      reason: `${c.path} does not go to V2 (${c.s3Only ? 'S3-only name' : 'not a V2 target'})`,
    });
    return;
  }
  let content = item.v2Text;
  let from = `repo ${c.path}`;
  let repoFile: V2WriteAction['repoFile'];
  if (options.source === 's3') {
    const taken = await contentFromS3(p, item, row);
    if (!taken) return;
    ({ content, from } = taken);
    repoFile = taken.repoFile;
  }
  const live = context.v2.get(k);
  // Already the source's in V2; with --source s3 the repo file may still need S3's content.
  if (live && !live.deleted && live.md5 === md5Hex(content) && !repoFile) return;
  p.v2Planned.add(k);
  p.actions.push({
    kind: 'v2-write',
    status: row.status,
    path: c.path,
    namespace: c.namespace,
    tags: c.tags,
    ...(live ? { itemId: live.itemId } : {}),
    content,
    md5: md5Hex(content),
    from,
    ...(repoFile ? { repoFile } : {}),
  });
}

/** source s3: the object's value as V2 JSON, and the repo file meaning the same; unfixable rows say why not. */
async function contentFromS3(
  p: Planning,
  item: RepoItem,
  row: ValidateRow,
): Promise<{ content: string; from: string; repoFile?: V2WriteAction['repoFile'] } | undefined> {
  const { context, options } = p;
  const c = item.config;
  if (item.s3KeyBelowPrefix === undefined) {
    p.unfixable.push({
      row,
      reason: `${c.path} is not in S3 (only default/ configs are); fix it with --source repo`,
    });
    return undefined;
  }
  const location = context.locationOf(c.tenant, context.environment);
  const key = s3Key(location, item.config);
  const bytes =
    context.s3Bytes.get(`${location.bucket}\u0000${key}`) ?? (await options.reader.get(location, key));
  if (!bytes) {
    p.unfixable.push({
      row,
      reason: `s3://${location.bucket}/${key} does not exist; fix it with --source repo`,
    });
    return undefined;
  }
  try {
    const content = stringifyV2(s3Value(bytes, key, c.format, item.s3Format ?? 'bytes'));
    const team = context.snapshot.settings.teams[c.team];
    let repoFile: V2WriteAction['repoFile'];
    if (team && options.repoTree) {
      const file = repoBytesOf(bytes, key, c.path, team, context.snapshot.settings).bytes;
      const now = await options.repoTree.read(c.path);
      if (!now?.equals(file)) repoFile = { path: c.path, bytes: file };
    }
    return { content, from: `s3://${location.bucket}/${key}`, ...(repoFile ? { repoFile } : {}) };
  } catch (err) {
    p.unfixable.push({
      row,
      reason: `s3://${location.bucket}/${key} does not convert: ${(err as Error).message}`,
    });
    return undefined;
  }
}

/**
 * The repo's bytes uploaded again to the validated environment's S3 object. In a later environment (qa, prod) S3
 * changes only by promotion too: the upload is planned only when the previous environment's object holds the same
 * bytes (by MD5), so it writes what a promotion would copy; otherwise the row is unfixable until that one is fixed.
 */
async function planS3Upload(p: Planning, item: RepoItem, row: ValidateRow): Promise<void> {
  const { s3Body, s3Md5, contentType } = item;
  if (s3Body === undefined || s3Md5 === undefined || item.s3KeyBelowPrefix === undefined) return;
  const { environment, snapshot } = p.context;
  const location = p.context.locationOf(item.config.tenant, environment);
  const key = s3Key(location, item.config);
  if (p.s3Planned.has(key) || row.s3Md5 === s3Md5) return;
  let from = `repo ${item.config.path}`;
  const i = snapshot.settings.environments.indexOf(environment);
  const prev = i > 0 ? snapshot.settings.environments[i - 1] : undefined;
  if (prev) {
    const prevLocation = p.context.locationOf(item.config.tenant, prev);
    const prevKey = s3Key(prevLocation, item.config);
    const id = locationId(prevLocation);
    let listing = p.previousListings.get(id);
    if (!listing) {
      listing = p.options.reader.list(prevLocation);
      p.previousListings.set(id, listing);
    }
    const o = (await listing).objects.get(prevKey);
    if (!o || objectMd5(prevLocation, o, new Map()) !== s3Md5) {
      p.unfixable.push({
        row,
        reason: `${environment} changes only by promotion and s3://${prevLocation.bucket}/${prevKey} (${prev}) does not hold main's bytes: fix ${prev} first, then run validate --fix on ${environment} again`,
      });
      return;
    }
    from = `s3://${prevLocation.bucket}/${prevKey} (${prev}: the same bytes as repo ${item.config.path})`;
  }
  p.s3Planned.add(key);
  p.actions.push({
    kind: 's3-upload',
    status: row.status,
    path: item.config.path,
    bucket: location.bucket,
    region: location.region,
    key,
    body: s3Body,
    md5: s3Md5,
    contentType: contentType ?? 'application/octet-stream',
    from,
  });
}

export interface ApplyFixOptions {
  store: ItemStore;
  clientFor?: ClientFor;
  concurrency?: number;
  logger?: Logger;
  progress?: Progress;
  /** Recorded with every V2 version the fix writes. */
  runUrl?: string;
  /** The audit trail's fields (who, commit) recorded with every V2 version the fix writes. */
  audit?: VersionMetadata;
  /** Where `repoFile`s are written (the working tree of the config repo). */
  repoDir?: string;
}

/** The application being run, shared by its steps. */
interface Applying {
  plan: FixPlan;
  options: ApplyFixOptions;
  logger: Logger;
  task: ProgressTask;
  /** The environment a later environment's fix promotes from (undefined for the first environment). */
  prev: string | undefined;
  limit: ReturnType<typeof pLimit>;
}

export async function applyFix(plan: FixPlan, options: ApplyFixOptions): Promise<FixResult[]> {
  const env = plan.environment;
  // The environment gate: a fix writes only the validated environment; qa and prod change only by promotion, so
  // their fix is a promotion of what the previous environment holds (fix that one first when it is wrong too).
  const run: Applying = {
    plan,
    options,
    logger: options.logger ?? silentLogger,
    task: (options.progress ?? noProgress).start('fix', plan.actions.length),
    prev: env === plan.environments[0] ? undefined : previousEnvironment(plan.settings, env),
    limit: pLimit(Math.max(1, options.concurrency ?? 8)),
  };
  // Order of effects: writes first; tombstones (pruned orphans, maybe a renamed config's old identity) only when
  // every write succeeded; S3 deletes wait for every upload.
  const results = await applyV2Writes(run);
  results.push(...(await applyV2Tombstones(run, results.filter((r) => r.outcome === 'failed').length)));
  results.push(...(await applyS3Actions(run)));
  run.task.done();
  run.logger.debug(
    `fix: ${results.length} action(s) applied; V2 environments ${plan.environments.join(' → ')}`,
  );
  return results;
}

/** The audit record of a version a fix writes. */
function fixMetadata(run: Applying, a: V2WriteAction | V2TombstoneAction): VersionMetadata {
  return {
    ...(a.kind === 'v2-write' ? { path: a.path, source: a.from } : {}),
    fixedBy: a.kind === 'v2-tombstone' ? 'itemstore validate --fix --prune' : 'itemstore validate --fix',
    ...(run.options.runUrl ? { runUrl: run.options.runUrl } : {}),
    actor: actorFromEnv(),
    ...run.options.audit,
  };
}

function applyV2Writes(run: Applying): Promise<FixResult[]> {
  const writes = run.plan.actions.filter((a): a is V2WriteAction => a.kind === 'v2-write');
  return Promise.all(writes.map((a) => run.limit(() => applyV2(run, a))));
}

async function applyV2Tombstones(run: Applying, failedWrites: number): Promise<FixResult[]> {
  const tombstones = run.plan.actions.filter((a): a is V2TombstoneAction => a.kind === 'v2-tombstone');
  if (!failedWrites) return Promise.all(tombstones.map((a) => run.limit(() => applyV2(run, a))));
  return tombstones.map((a) => {
    run.task.tick();
    return {
      ...a,
      outcome: 'kept',
      error: `not tombstoned: ${failedWrites} V2 write(s) of this fix failed, and tombstones wait for every write`,
    };
  });
}

/** One V2 action: a write or tombstone in the first environment, a promotion in a later one. */
async function applyV2(run: Applying, a: V2WriteAction | V2TombstoneAction): Promise<FixResult> {
  const record = v2Record(a);
  const { store } = run.options;
  const env = run.plan.environment;
  try {
    const itemId = a.itemId ?? (await store.generateId(a.namespace, a.tags)).itemId;
    const metadata = fixMetadata(run, a);
    let w: WriteResult;
    if (run.prev === undefined) {
      w =
        a.kind === 'v2-write'
          ? await store.putContents(itemId, env, a.content, { metadata })
          : await store.deleteItem(itemId, env, { metadata });
    } else {
      const prev = run.prev;
      const source = (await store.getItem(itemId))?.environments[prev];
      const wanted = a.kind === 'v2-write' ? a.md5 : TOMBSTONE_MD5;
      const holds = source && source.md5 === wanted && source.deleted === (a.kind === 'v2-tombstone');
      if (!holds) {
        const message =
          a.kind === 'v2-tombstone' && !source
            ? `${env} changes only by promotion and ${prev} never held this item, so there is no tombstone to promote (it was written to ${env} around the pipeline)`
            : `${env} changes only by promotion and ${prev} does not hold ${a.kind === 'v2-write' ? `${a.from}'s content` : 'a tombstone'}: fix ${prev} first, then run validate --fix on ${env} again`;
        run.logger.error(`fix of ${fixSubject(record)}: ${message}`);
        return { ...record, itemId, outcome: 'failed', error: message };
      }
      w = await store.promote(itemId, env, {
        fromEnvironment: prev,
        version: source.version,
        metadata: { ...source.metadata, ...metadata, promotedFrom: `${prev}@${source.version}` },
      });
    }
    // V2 first, then git: a failed write leaves the repo as it was.
    const repoWritten = a.kind === 'v2-write' ? await writeRepoFile(run, a) : undefined;
    return {
      ...record,
      itemId,
      outcome: w.unchanged && !repoWritten ? 'unchanged' : 'done',
      versions: { [env]: w.version },
      ...(repoWritten ? { repoWritten } : {}),
    };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    run.logger.error(`fix of ${fixSubject(record)}: ${message}`);
    return { ...record, outcome: 'failed', error: message };
  } finally {
    run.task.tick();
  }
}

/** `--source s3`: the repo file meaning what S3 means, once V2 holds it. */
async function writeRepoFile(run: Applying, a: V2WriteAction): Promise<string | undefined> {
  if (!a.repoFile || !run.options.repoDir) return undefined;
  const abs = join(run.options.repoDir, ...a.repoFile.path.split('/'));
  await mkdir(dirname(abs), { recursive: true });
  await writeFile(abs, a.repoFile.bytes);
  return a.repoFile.path;
}

/** S3 uploads, then deletes (pruned orphans) that wait for every upload: an orphan may be a renamed config's old key. */
async function applyS3Actions(run: Applying): Promise<FixResult[]> {
  const s3Actions = run.plan.actions.filter(
    (a): a is S3UploadAction | S3DeleteAction => a.kind === 's3-upload' || a.kind === 's3-delete',
  );
  if (!s3Actions.length) return [];
  if (!run.options.clientFor) throw new Error('applyFix: S3 actions need clientFor');
  const uploads = s3Actions
    .filter((a) => a.kind === 's3-upload')
    .map((a) => ({ bucket: a.bucket, key: a.key }));
  const items: PlanItem[] = s3Actions.map((a) => ({
    bucket: a.bucket,
    region: a.region,
    key: a.key,
    bytes: a.kind === 's3-upload' ? a.body.length : 0,
    reason: a.status,
    ...(a.kind === 's3-upload'
      ? { action: 'upload' as const, path: a.path, md5: a.md5, body: a.body, contentType: a.contentType }
      : { action: 'delete' as const, ...(uploads.length ? { waitsFor: uploads } : {}) }),
  }));
  const syncPlan: SyncPlan = { items, locations: [], full: false, deletionsMode: 'apply' };
  const applied = await applySyncPlan(run.options.clientFor, syncPlan, {
    concurrency: run.options.concurrency ?? 8,
    logger: run.logger,
    onProgress: () => run.task.tick(),
  });
  return s3Actions.map((a, i): FixResult => {
    const r = applied.items[i];
    return {
      ...withoutPayload(a),
      outcome: r?.status === 'failed' ? 'failed' : r?.status === 'kept' ? 'kept' : 'done',
      ...(r?.error ? { error: r.error } : r?.status === 'kept' ? { error: r.reason } : {}),
    };
  });
}
