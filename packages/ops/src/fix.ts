/**
 * `validate --fix --source s3|repo`: the notes' manual fix as a plan, then its application. It writes only the
 * validated environment (the environment gate): in the first environment the chosen source's content is written;
 * in a later one (qa, prod) the fix is a promotion of the version the previous environment holds, with the trail,
 * and is refused when that environment does not hold the source's content. With `--source repo`, S3 objects of the
 * validated environment that differ from the repo are uploaded again while S3 sync is on. Orphans are deleted
 * only with `prune`.
 */
import pLimit from 'p-limit';
import { UsageError, md5Hex, silentLogger, type Logger, type RepoTree } from '@itemstore/core';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { repoBytesOf } from './migrate/layout.js';
import { stringifyV2 } from '@itemstore/convert';
import { applySyncPlan, type ClientFor, type PlanItem, type SyncPlan } from '@itemstore/s3';
import { previousEnvironment, s3Key, type S3Location, type Settings, type Tags } from '@itemstore/config';
import {
  TOMBSTONE_MD5,
  actorFromEnv,
  type ItemStore,
  type VersionMetadata,
  type WriteResult,
} from '@itemstore/v2';
import type { ObjectReader } from './object-side.js';
import { noProgress, type Progress } from './progress.js';
import { identityKey, type RepoItem } from './repo-items.js';
import { s3Value, type ValidateContext, type ValidateReport, type ValidateRow } from './validate.js';

export type FixSource = 's3' | 'repo';

export interface FixAction {
  kind: 'v2-write' | 's3-upload' | 'v2-tombstone' | 's3-delete';
  /** The drift this action repairs. */
  status: ValidateRow['status'];
  path?: string;
  namespace?: string;
  tags?: Tags;
  itemId?: string;
  /** V2: the JSON text to write; S3: the bytes to upload. */
  content?: string;
  body?: Buffer;
  contentType?: string;
  /** MD5 of what will be written. */
  md5?: string;
  bucket?: string;
  key?: string;
  region?: string;
  /** Where the content comes from: `repo <path>` or `s3://bucket/key`. */
  from?: string;
  /**
   * `--source s3`: the repo file that means what the S3 object means (YAML 1.2 readers of the repo, YAML 1.1 readers
   * of S3), written to the working tree once the V2 write succeeded, so git and V2 agree.
   */
  repoFile?: { path: string; bytes: Buffer };
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
}

export interface FixResult extends Omit<FixAction, 'content' | 'body' | 'repoFile'> {
  /** The repo file written with the S3 content (`--source s3`). */
  repoWritten?: string;
  /** `kept`: a delete not applied because a write of the same fix failed (the object or item stays). */
  outcome: 'done' | 'unchanged' | 'failed' | 'kept';
  /** V2: the version the environment holds afterwards. */
  versions?: Record<string, number>;
  error?: string;
}

export async function planFix(
  validated: { report: ValidateReport; context: ValidateContext },
  options: {
    source: FixSource;
    prune?: boolean;
    reader: ObjectReader;
    /** The working tree (`--source s3` plans the repo files it takes from S3). */
    repoTree?: RepoTree;
  },
): Promise<FixPlan> {
  const { report, context } = validated;
  const { settings } = context.snapshot;
  if (report.s3Off && options.source === 's3') {
    throw new UsageError(
      `S3 sync is off (${report.s3Off}), so S3 is no longer a source of truth: fix with --source repo.`,
    );
  }
  const env = context.environment;
  const byPath = new Map(context.snapshot.items.map((i) => [i.config.path, i]));
  const actions: FixAction[] = [];
  const unfixable: FixPlan['unfixable'] = [];
  const v2Planned = new Set<string>();
  const s3Planned = new Set<string>();

  const writeV2 = async (item: RepoItem, row: ValidateRow): Promise<void> => {
    const c = item.config;
    const k = identityKey(c.namespace, c.tags);
    if (v2Planned.has(k)) return;
    if (item.v2Text === undefined) {
      unfixable.push({
        row,
        reason: `${c.path} does not go to V2 (${c.s3Only ? 'S3-only name' : 'not a V2 target'})`,
      });
      return;
    }
    let content = item.v2Text;
    let from = `repo ${c.path}`;
    let repoFile: FixAction['repoFile'];
    if (options.source === 's3') {
      if (item.s3KeyBelowPrefix === undefined) {
        unfixable.push({
          row,
          reason: `${c.path} is not in S3 (only default/ configs are); fix it with --source repo`,
        });
        return;
      }
      const location = context.locationOf(c.tenant, env);
      const key = s3Key(location, item.config);
      const bytes =
        context.s3Bytes.get(`${location.bucket}\u0000${key}`) ?? (await options.reader.get(location, key));
      if (!bytes) {
        unfixable.push({
          row,
          reason: `s3://${location.bucket}/${key} does not exist; fix it with --source repo`,
        });
        return;
      }
      try {
        content = stringifyV2(s3Value(bytes, key, c.format, item.s3Format ?? 'bytes'));
        const team = settings.teams[c.team];
        if (team && options.repoTree) {
          const file = repoBytesOf(bytes, key, c.path, team, settings).bytes;
          const now = await options.repoTree.read(c.path);
          if (!now?.equals(file)) repoFile = { path: c.path, bytes: file };
        }
      } catch (err) {
        unfixable.push({
          row,
          reason: `s3://${location.bucket}/${key} does not convert: ${(err as Error).message}`,
        });
        return;
      }
      from = `s3://${location.bucket}/${key}`;
    }
    const live = context.v2.get(k);
    // Already the source's in V2; with --source s3 the repo file may still need S3's content.
    if (live && !live.deleted && live.md5 === md5Hex(content) && !repoFile) return;
    v2Planned.add(k);
    actions.push({
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
  };

  const uploadS3 = (item: RepoItem, row: ValidateRow): void => {
    if (item.s3Body === undefined || item.s3KeyBelowPrefix === undefined) return;
    const location = context.locationOf(item.config.tenant, env);
    const key = s3Key(location, item.config);
    if (s3Planned.has(key) || row.s3Md5 === item.s3Md5) return;
    s3Planned.add(key);
    actions.push({
      kind: 's3-upload',
      status: row.status,
      path: item.config.path,
      bucket: location.bucket,
      region: location.region,
      key,
      body: item.s3Body,
      md5: item.s3Md5 as string,
      contentType: item.contentType as string,
      from: `repo ${item.config.path}`,
    });
  };

  for (const row of report.rows) {
    if (row.status === 'in-sync') continue;
    if (row.status === 'orphan-in-v2' || row.status === 'orphan-in-s3') {
      if (!options.prune) {
        unfixable.push({ row, reason: 'an orphan is left alone unless --prune is given (it deletes it)' });
      } else if (row.status === 'orphan-in-v2') {
        actions.push({
          kind: 'v2-tombstone',
          status: row.status,
          ...(row.namespace ? { namespace: row.namespace } : {}),
          ...(row.tags ? { tags: row.tags } : {}),
          ...(row.itemId ? { itemId: row.itemId } : {}),
        });
      } else {
        const l = context.listings.find(
          (x) => x.location.bucket === row.bucket && row.key?.startsWith(x.location.prefix),
        );
        actions.push({
          kind: 's3-delete',
          status: row.status,
          bucket: row.bucket as string,
          key: row.key as string,
          region: l?.location.region ?? '',
        });
      }
      continue;
    }
    const item = row.path === undefined ? undefined : byPath.get(row.path);
    if (!item) continue;
    if (options.source === 'repo') {
      if (row.store !== 's3') await writeV2(item, row);
      if (row.store !== 'v2') uploadS3(item, row);
      continue;
    }
    // source s3: V2 takes S3's content; S3 itself is the truth and is never written.
    if (row.status === 'missing-in-s3') {
      unfixable.push({ row, reason: 'not in S3, so S3 cannot be the source; fix it with --source repo' });
      continue;
    }
    await writeV2(item, row);
  }
  return {
    source: options.source,
    environment: env,
    environments: settings.environments,
    settings,
    actions,
    unfixable,
  };
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

export async function applyFix(plan: FixPlan, options: ApplyFixOptions): Promise<FixResult[]> {
  const logger = options.logger ?? silentLogger;
  const limit = pLimit(Math.max(1, options.concurrency ?? 8));
  const task = (options.progress ?? noProgress).start('fix', plan.actions.length);
  const env = plan.environment;
  // The environment gate: a fix writes only the validated environment; qa and prod change only by promotion, so
  // their fix is a promotion of what the previous environment holds (fix that one first when it is wrong too).
  const prev = env === plan.environments[0] ? undefined : previousEnvironment(plan.settings, env);
  const { store } = options;
  const metadata = (a: FixAction): VersionMetadata => ({
    ...(a.path ? { path: a.path } : {}),
    ...(a.from ? { source: a.from } : {}),
    fixedBy: a.kind === 'v2-tombstone' ? 'itemstore validate --fix --prune' : 'itemstore validate --fix',
    ...(options.runUrl ? { runUrl: options.runUrl } : {}),
    actor: actorFromEnv(),
    ...options.audit,
  });
  const applyV2 = (a: FixAction) =>
    limit(async (): Promise<FixResult> => {
      const { content: _content, body: _body, repoFile, ...base } = a;
      try {
        const itemId = a.itemId ?? (await store.generateId(a.namespace as string, a.tags as Tags)).itemId;
        let w: WriteResult;
        if (prev === undefined) {
          w =
            a.kind === 'v2-write'
              ? await store.putContents(itemId, env, a.content as string, { metadata: metadata(a) })
              : await store.deleteItem(itemId, env, { metadata: metadata(a) });
        } else {
          const source = (await store.getItem(itemId))?.environments[prev];
          const wanted = a.kind === 'v2-write' ? a.md5 : TOMBSTONE_MD5;
          const holds = source && source.md5 === wanted && source.deleted === (a.kind === 'v2-tombstone');
          if (!holds) {
            const message = `${env} changes only by promotion and ${prev} does not hold ${a.kind === 'v2-write' ? `${a.from}'s content` : 'a tombstone'}: fix ${prev} first, then run validate --fix on ${env} again`;
            logger.error(`fix of ${a.path ?? a.itemId}: ${message}`);
            return { ...base, itemId, outcome: 'failed', error: message };
          }
          w = await store.promote(itemId, env, {
            fromEnvironment: prev,
            version: source.version,
            metadata: { ...source.metadata, ...metadata(a), promotedFrom: `${prev}@${source.version}` },
          });
        }
        // V2 first, then git: a failed write leaves the repo as it was.
        let repoWritten: string | undefined;
        if (a.kind === 'v2-write' && repoFile && options.repoDir) {
          const abs = join(options.repoDir, ...repoFile.path.split('/'));
          await mkdir(dirname(abs), { recursive: true });
          await writeFile(abs, repoFile.bytes);
          repoWritten = repoFile.path;
        }
        return {
          ...base,
          itemId,
          outcome: w.unchanged && !repoWritten ? 'unchanged' : 'done',
          versions: { [env]: w.version },
          ...(repoWritten ? { repoWritten } : {}),
        };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        logger.error(`fix of ${a.path ?? a.itemId}: ${message}`);
        return { ...base, outcome: 'failed', error: message };
      } finally {
        task.tick();
      }
    });
  // Order of effects: writes first; tombstones (pruned orphans, maybe a renamed config's old identity) only when
  // every write succeeded.
  const v2Writes = plan.actions.filter((a) => a.kind === 'v2-write');
  const results = await Promise.all(v2Writes.map(applyV2));
  const failedWrites = results.filter((r) => r.outcome === 'failed').length;
  const tombstones = plan.actions.filter((x) => x.kind === 'v2-tombstone');
  if (failedWrites) {
    for (const a of tombstones) {
      const { content: _content, body: _body, repoFile: _repoFile, ...base } = a;
      results.push({
        ...base,
        outcome: 'kept',
        error: `not tombstoned: ${failedWrites} V2 write(s) of this fix failed, and tombstones wait for every write`,
      });
      task.tick();
    }
  } else results.push(...(await Promise.all(tombstones.map(applyV2))));
  const s3Actions = plan.actions.filter((a) => a.kind.startsWith('s3-'));
  if (s3Actions.length) {
    if (!options.clientFor) throw new Error('applyFix: S3 actions need clientFor');
    // Deletes (pruned orphans) wait for every upload: an orphan may be a renamed config's old key.
    const uploads = s3Actions
      .filter((a) => a.kind === 's3-upload')
      .map((a) => ({ bucket: a.bucket as string, key: a.key as string }));
    const items: PlanItem[] = s3Actions.map((a) => ({
      bucket: a.bucket as string,
      region: a.region as string,
      key: a.key as string,
      action: a.kind === 's3-upload' ? 'upload' : 'delete',
      bytes: a.body?.length ?? 0,
      reason: a.status,
      ...(a.path ? { path: a.path } : {}),
      ...(a.md5 ? { md5: a.md5 } : {}),
      ...(a.body ? { body: a.body, contentType: a.contentType as string } : {}),
      ...(a.kind === 's3-delete' && uploads.length ? { waitsFor: uploads } : {}),
    }));
    const locations: S3Location[] = [];
    const syncPlan: SyncPlan = { items, locations, full: false, deletionsMode: 'apply' };
    const applied = await applySyncPlan(options.clientFor, syncPlan, {
      concurrency: options.concurrency ?? 8,
      logger,
      onProgress: () => task.tick(),
    });
    for (const [i, a] of s3Actions.entries()) {
      const r = applied.items[i];
      const { content: _content, body: _body, repoFile: _repoFile, ...base } = a;
      results.push({
        ...base,
        outcome: r?.status === 'failed' ? 'failed' : r?.status === 'kept' ? 'kept' : 'done',
        ...(r?.error ? { error: r.error } : r?.status === 'kept' ? { error: r.reason } : {}),
      });
    }
  }
  task.done();
  logger.debug(`fix: ${results.length} action(s) applied; V2 environments ${plan.environments.join(' → ')}`);
  return results;
}
