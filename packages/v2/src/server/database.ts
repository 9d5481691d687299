import type { Tags } from '@itemstore/config';
import { readFileSync } from 'node:fs';
import { readFile, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { md5Hex, sha256Hex } from '@itemstore/core';
import {
  TOMBSTONE_MD5,
  type EnvironmentState,
  type Item,
  type ManifestEntry,
  type VersionInfo,
  type VersionMetadata,
} from '../types.js';
import {
  DirSyncer,
  GroupLog,
  KeyedMutex,
  appendDurable,
  closeLog,
  ensureDir,
  openAppendLog,
  readLogLines,
  cutTornTail,
  removeStaleTempFiles,
  writeFileDurable,
} from './durable.js';

/** A failure the HTTP layer turns into `{"error":{"code","message"}}` with this status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** More fields of the JSON error object (e.g. `requiredScope` of a 403). */
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** One stored version: what `GET .../versions` answers (VersionInfo), plus when it was last confirmed. */
interface StoredVersion extends VersionInfo {
  /** The commit of the newest unchanged write that found this content already latest (SPEC §5, stale rule). */
  confirmedBy?: string;
  confirmedAt?: string;
}

interface StoredItem {
  itemId: string;
  namespace: string;
  tags: Tags;
  createdAt: string;
  environments: Record<string, StoredVersion[]>;
}

/** An environment's versions; an own-property lookup, so an environment named `constructor` is just a name. */
function versionsIn(item: StoredItem, env: string): StoredVersion[] {
  return Object.hasOwn(item.environments, env) ? (item.environments[env] as StoredVersion[]) : [];
}

/** One line of an item's version log: a new version, or a confirmation of the latest one. */
type LogRecord =
  { env: string; v: StoredVersion } | { env: string; confirm: number; commit: string; at: string };

export interface WriteOutcome {
  version: number;
  md5: string;
  unchanged: boolean;
}

/** The item id for (namespace, tags): a hash, so it is the same on every call and after every restart. */
export function itemIdFor(namespace: string, tags: Tags): string {
  const canonical = JSON.stringify([namespace, Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : 1))]);
  return `it_${sha256Hex(canonical).slice(0, 32)}`;
}

/**
 * The reference server's storage. Every item is a small header file `items/<id>.json` (namespace, tags; written
 * once) and an append-only version log `items/<id>.log` (one JSON line per version or confirmation, on disk before
 * the answer), so a write costs the same at the 10,000th version as at the first. Contents are content-addressed
 * files under `blobs/<md5>`. A write stores the blob first, then appends to the log, and answers only after both
 * are on disk: an acknowledged write survives a crash. Files are written in place with synchronous writes
 * (durable.ts: O_DSYNC, no temp file or rename, one system call per write), so a killed write leaves at most a
 * blob no log line points at, a header no answer acknowledged (short or empty), or a torn last log line: opening
 * drops all three. Writes to one item are serialised; the in-memory copy changes only after the disk did. (Item
 * files of older versions of this server, with their versions inline, are still read.)
 */
export class ItemDatabase {
  private readonly items = new Map<string, StoredItem>();
  private readonly mutex = new KeyedMutex();
  private readonly dirSyncer = new DirSyncer();
  private readonly itemsDir: string;
  private readonly blobsDir: string;
  /**
   * What is on disk, kept in memory so a write asks the file system nothing it knows already: the blobs stored
   * (each fsynced and renamed into place before it is added; a blob being written is its promise, which a second
   * writer of the same content joins), and the items whose version log exists.
   */
  private readonly blobs = new Map<string, true | Promise<void>>();
  private readonly logged = new Set<string>();
  /**
   * Open version logs (append mode), least recently used first: a write to an item written recently appends and
   * fsyncs without opening and closing its log again. At most LOG_HANDLES stay open; one in use is never closed.
   */
  private readonly logHandles = new Map<string, { fd: number; busy: number }>();
  /** Items whose last append failed: their log may end in part of a line, cut off before the next append. */
  private readonly tornLogs = new Set<string>();
  private closed = false;
  /** items.log: one line per item made by generateId (its header), appended with group commit. */
  private headers: GroupLog | undefined;

  private constructor(readonly dataDir: string) {
    this.itemsDir = join(dataDir, 'items');
    this.blobsDir = join(dataDir, 'blobs');
  }

  static async open(dataDir: string): Promise<ItemDatabase> {
    const db = new ItemDatabase(dataDir);
    await ensureDir(dataDir);
    await ensureDir(db.itemsDir);
    await ensureDir(db.blobsDir);
    await removeStaleTempFiles(db.itemsDir);
    await removeStaleTempFiles(db.blobsDir);
    // Item headers: lines of items.log, and (from older versions of this server) one items/<id>.json each.
    for (const header of (await readLogLines(join(dataDir, 'items.log'))) ?? []) {
      const h = JSON.parse(header) as Omit<StoredItem, 'environments'>;
      if (!db.items.has(h.itemId)) db.items.set(h.itemId, { ...h, environments: {} });
    }
    for (const name of await readdir(db.itemsDir)) {
      if (!name.endsWith('.json')) continue;
      const item = JSON.parse(await readFile(join(db.itemsDir, name), 'utf8')) as StoredItem;
      item.environments ??= {};
      db.items.set(item.itemId, item);
    }
    for (const item of db.items.values()) await db.replayLog(item);
    db.headers = await GroupLog.open(join(dataDir, 'items.log'));
    // A blob counts as stored only when a version points at it: its log line was written after the blob was on
    // disk. Any other blob may be the remains of a killed write (short or empty): dropped, and written again in
    // full by the next write of that content.
    const referenced = new Set<string>();
    for (const item of db.items.values()) {
      for (const versions of Object.values(item.environments))
        for (const v of versions) referenced.add(v.md5);
    }
    for (const name of await readdir(db.blobsDir)) {
      if (referenced.has(name)) db.blobs.set(name, true);
      else await unlink(join(db.blobsDir, name));
    }
    return db;
  }

  /** Applies an item's version log; a torn last line (a write killed mid-append, never acknowledged) is cut off. */
  private async replayLog(item: StoredItem): Promise<void> {
    const lines = await readLogLines(this.logPath(item.itemId));
    if (lines === undefined) return;
    this.logged.add(item.itemId);
    for (const line of lines) applyRecord(item, JSON.parse(line) as LogRecord);
  }

  get size(): number {
    return this.items.size;
  }

  async generateId(namespace: string, tags: Tags): Promise<{ itemId: string; created: boolean }> {
    const itemId = itemIdFor(namespace, tags);
    return this.mutex.run(itemId, async () => {
      if (this.items.has(itemId)) return { itemId, created: false };
      const sortedTags = Object.fromEntries(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : 1)));
      const item: StoredItem = {
        itemId,
        namespace,
        tags: sortedTags,
        createdAt: new Date().toISOString(),
        environments: {},
      };
      // The item's (empty) version log is made beside its header, so its first PUT appends to an open log whose
      // name is already durable: a batch of new items shares the folder's fsync, instead of one per first write.
      await Promise.all([this.persist(item), this.createLog(itemId)]);
      return { itemId, created: true };
    });
  }

  /**
   * generateId for many tag sets, answers in their order. The new items' headers go to items.log together (group
   * commit): a batch of 1,000 new items costs one synchronous write, not 1,000 files.
   */
  async generateIds(
    namespace: string,
    tags: readonly Tags[],
  ): Promise<{ itemId: string; created: boolean }[]> {
    return Promise.all(tags.map((t) => this.generateId(namespace, t)));
  }

  /** Items of a namespace whose tags include every given tag, sorted by id, after `afterId`. */
  search(namespace: string, tags: Tags, afterId: string | undefined, limit: number): StoredItem[] {
    const wanted = Object.entries(tags);
    const hits = [...this.items.values()]
      .filter((i) => i.namespace === namespace && wanted.every(([k, v]) => i.tags[k] === v))
      .filter((i) => afterId === undefined || i.itemId > afterId)
      .sort((a, b) => (a.itemId < b.itemId ? -1 : 1));
    return hits.slice(0, limit + 1);
  }

  /** An item's tags (what decides which write scope a request needs), without copying the item. */
  tagsOf(itemId: string): Readonly<Tags> | undefined {
    return this.items.get(itemId)?.tags;
  }

  getItem(itemId: string): Item | undefined {
    const item = this.items.get(itemId);
    return item && toItem(item);
  }

  async getContents(
    itemId: string,
    env: string,
    version: number | undefined,
  ): Promise<{ content: Buffer; md5: string; version: number }> {
    const versions = this.versionsOf(itemId, env);
    const v = version === undefined ? versions.at(-1) : versions[version - 1];
    if (!v) throw new ApiError(404, 'not_found', `Item ${itemId} has no version ${version} in ${env}.`);
    if (v.deleted)
      throw new ApiError(404, 'deleted', `Version ${v.version} of ${itemId} in ${env} is a tombstone.`);
    return { content: await readFile(join(this.blobsDir, v.md5)), md5: v.md5, version: v.version };
  }

  async putContents(
    itemId: string,
    env: string,
    content: Buffer,
    metadata: VersionMetadata,
    preconditions: { ifMatch?: string | undefined; ifNoneMatch?: boolean },
    /** The content's MD5 when the caller has computed it already. */
    md5 = md5Hex(content),
  ): Promise<WriteOutcome> {
    return this.mutex.run(itemId, async () => {
      const item = this.mustGet(itemId);
      const latest = versionsIn(item, env).at(-1);
      // Equal to latest comes before the preconditions: a retried PUT whose first attempt was applied (but whose
      // answer was lost) must answer "unchanged", not 412, and never make a second version.
      if (latest && !latest.deleted && latest.md5 === md5) {
        await this.confirm(item, env, latest, metadata);
        return { version: latest.version, md5, unchanged: true };
      }
      checkPreconditions(itemId, env, latest, preconditions);
      await this.storeBlob(md5, content);
      return this.appendVersion(item, env, { md5, deleted: false, metadata });
    });
  }

  async deleteItem(
    itemId: string,
    env: string,
    metadata: VersionMetadata,
    preconditions: { ifMatch?: string | undefined },
  ): Promise<WriteOutcome> {
    return this.mutex.run(itemId, async () => {
      const item = this.mustGet(itemId);
      const latest = versionsIn(item, env).at(-1);
      if (!latest) throw new ApiError(404, 'not_found', `Item ${itemId} has no version in ${env}.`);
      if (latest.deleted) {
        await this.confirm(item, env, latest, metadata);
        return { version: latest.version, md5: latest.md5, unchanged: true };
      }
      checkPreconditions(itemId, env, latest, preconditions);
      return this.appendVersion(item, env, { md5: TOMBSTONE_MD5, deleted: true, metadata });
    });
  }

  async promote(
    itemId: string,
    env: string,
    fromEnv: string,
    version: number | undefined,
    metadata: VersionMetadata | undefined,
  ): Promise<WriteOutcome> {
    return this.mutex.run(itemId, async () => {
      const item = this.mustGet(itemId);
      const source = versionsIn(item, fromEnv);
      const v = version === undefined ? source.at(-1) : source[version - 1];
      if (!v) {
        throw new ApiError(404, 'not_found', `Item ${itemId} has no version ${version ?? ''} in ${fromEnv}.`);
      }
      const latest = versionsIn(item, env).at(-1);
      if (latest && latest.md5 === v.md5 && latest.deleted === v.deleted) {
        return { version: latest.version, md5: latest.md5, unchanged: true };
      }
      if (v.deleted && !latest)
        throw new ApiError(
          409,
          'nothing_to_delete',
          `${fromEnv}@${v.version} is a tombstone and ${env} has no version.`,
        );
      // The audit trail: the source version's record (commit, path, branch), what the promoter adds (actor, runUrl),
      // and where it came from.
      const meta = { ...v.metadata, ...metadata, promotedFrom: `${fromEnv}@${v.version}` };
      return this.appendVersion(item, env, { md5: v.md5, deleted: v.deleted, metadata: meta });
    });
  }

  /** Every version of an item in `env`, newest first (the audit trail); undefined when there is no such item. */
  versions(itemId: string, env: string): VersionInfo[] | undefined {
    const item = this.items.get(itemId);
    if (!item) return undefined;
    return versionsIn(item, env)
      .map((v) => ({
        version: v.version,
        md5: v.md5,
        deleted: v.deleted,
        createdAt: v.createdAt,
        metadata: v.metadata,
        ...(v.confirmedBy ? { confirmedBy: v.confirmedBy } : {}),
      }))
      .reverse();
  }

  /** The latest version of every item that has one in `env`, sorted by id. */
  manifest(
    env: string,
    namespace: string | undefined,
    afterId: string | undefined,
    limit: number,
  ): ManifestEntry[] {
    const out: ManifestEntry[] = [];
    const sorted = [...this.items.values()].sort((a, b) => (a.itemId < b.itemId ? -1 : 1));
    for (const item of sorted) {
      if (namespace !== undefined && item.namespace !== namespace) continue;
      if (afterId !== undefined && item.itemId <= afterId) continue;
      const latest = versionsIn(item, env).at(-1);
      if (!latest) continue;
      out.push({
        itemId: item.itemId,
        namespace: item.namespace,
        tags: item.tags,
        version: latest.version,
        md5: latest.md5,
        deleted: latest.deleted,
        ...(latest.metadata.commit ? { commit: latest.metadata.commit } : {}),
        ...(latest.confirmedBy ? { confirmedBy: latest.confirmedBy } : {}),
      });
      if (out.length > limit) break;
    }
    return out;
  }

  /** How many versions each item holds per environment (test-only statistics). */
  versionCounts(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const item of this.items.values()) {
      out[item.itemId] = Object.fromEntries(Object.entries(item.environments).map(([e, v]) => [e, v.length]));
    }
    return out;
  }

  private versionsOf(itemId: string, env: string): StoredVersion[] {
    return versionsIn(this.mustGet(itemId), env);
  }

  private mustGet(itemId: string): StoredItem {
    const item = this.items.get(itemId);
    if (!item) throw new ApiError(404, 'not_found', `No item ${itemId}; call items:generateId first.`);
    return item;
  }

  private async appendVersion(
    item: StoredItem,
    env: string,
    v: { md5: string; deleted: boolean; metadata: VersionMetadata },
  ): Promise<WriteOutcome> {
    const next: StoredVersion = {
      version: versionsIn(item, env).length + 1,
      md5: v.md5,
      deleted: v.deleted,
      createdAt: new Date().toISOString(),
      metadata: v.metadata,
    };
    await this.append(item, { env, v: next });
    return { version: next.version, md5: next.md5, unchanged: false };
  }

  /**
   * An unchanged write from another commit: the latest version records that commit as its newest confirmation (no
   * new version). The client sends such a write only when its commit contains the one confirmed before.
   */
  private async confirm(
    item: StoredItem,
    env: string,
    latest: StoredVersion,
    metadata: VersionMetadata,
  ): Promise<void> {
    const commit = metadata.commit;
    if (!commit || commit === latest.metadata.commit || commit === latest.confirmedBy) return;
    await this.append(item, { env, confirm: latest.version, commit, at: new Date().toISOString() });
  }

  /** Records a new item's header in items.log (on disk when this resolves: a batch of new items shares a write). */
  private async persist(item: StoredItem): Promise<void> {
    const { itemId, namespace, tags, createdAt } = item;
    await (this.headers as GroupLog).append(JSON.stringify({ itemId, namespace, tags, createdAt }));
    this.items.set(item.itemId, item);
  }

  /** Stores a blob under its md5 once: durable (written synchronously, folder fsynced) when this resolves. */
  private async storeBlob(md5: string, content: Buffer): Promise<void> {
    const known = this.blobs.get(md5);
    if (known === true) return;
    if (known) return known;
    const path = join(this.blobsDir, md5);
    const writing = writeFileDurable(path, content, { dirSync: this.dirSyncer.sync }).catch(
      (err: unknown) => {
        if ((err as NodeJS.ErrnoException).code !== 'EMFILE') throw err;
        this.closeAllIdleLogs();
        return writeFileDurable(path, content, { dirSync: this.dirSyncer.sync });
      },
    );
    this.blobs.set(md5, writing);
    try {
      await writing;
      this.blobs.set(md5, true);
    } catch (err) {
      this.blobs.delete(md5);
      throw err;
    }
  }

  /** Creates an item's empty version log (its name durable when this resolves) and keeps it open. */
  private async createLog(itemId: string): Promise<void> {
    if (this.logged.has(itemId)) return;
    if (!this.logHandles.has(itemId)) this.logHandles.set(itemId, { fd: this.openLog(itemId), busy: 0 });
    await this.dirSyncer.sync(this.itemsDir);
    this.logged.add(itemId);
    this.closeIdleLogs();
  }

  /** Appends one record to the item's log (on disk before this resolves), then applies it in memory. */
  private async append(item: StoredItem, record: LogRecord): Promise<void> {
    const isNew = !this.logged.has(item.itemId);
    if (this.tornLogs.has(item.itemId)) {
      await cutTornTail(this.logPath(item.itemId));
      this.tornLogs.delete(item.itemId);
    }
    let h = this.logHandles.get(item.itemId);
    if (h)
      this.logHandles.delete(item.itemId); // re-inserted below as the most recently used
    else h = { fd: this.openLog(item.itemId), busy: 0 };
    this.logHandles.set(item.itemId, h);
    h.busy++;
    try {
      await appendDurable(h.fd, JSON.stringify(record) + '\n');
    } catch (err) {
      // A handle that failed once is not trusted again: the next write cuts what the failed write may have left of
      // its line, then opens the log afresh.
      this.tornLogs.add(item.itemId);
      if (this.logHandles.get(item.itemId) === h) this.logHandles.delete(item.itemId);
      h.busy = Infinity;
      closeLog(h.fd);
      throw err;
    } finally {
      h.busy--;
      this.closeIdleLogs();
    }
    if (isNew) {
      await this.dirSyncer.sync(this.itemsDir);
      this.logged.add(item.itemId);
    }
    applyRecord(item, record);
  }

  /**
   * Opens an item's log for appending. Out of file descriptors (a low `ulimit -n`, e.g. 256 on macOS): the idle
   * logs are closed and the open is tried once more.
   */
  private openLog(itemId: string): number {
    try {
      return openAppendLog(this.logPath(itemId));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EMFILE') throw err;
      this.closeAllIdleLogs();
      return openAppendLog(this.logPath(itemId));
    }
  }

  /** Out of file descriptors: every version log not in use is closed. */
  private closeAllIdleLogs(): void {
    for (const [id, h] of this.logHandles) {
      if (h.busy > 0) continue;
      this.logHandles.delete(id);
      closeLog(h.fd);
    }
  }

  /** Closes the least recently used idle logs beyond LOG_HANDLES (all idle ones once the database is closed). */
  private closeIdleLogs(): void {
    const keep = this.closed ? 0 : LOG_HANDLES;
    for (const [id, h] of this.logHandles) {
      if (this.logHandles.size <= keep) break;
      if (h.busy > 0) continue;
      this.logHandles.delete(id);
      closeLog(h.fd);
    }
  }

  /** Closes the open logs (a write still running closes its log when it is done). */
  close(): void {
    this.closed = true;
    this.closeIdleLogs();
    void this.headers?.close().catch(() => {});
    void this.dirSyncer.close();
  }

  private logPath(itemId: string): string {
    return join(this.itemsDir, `${itemId}.log`);
  }
}

/**
 * How many version logs stay open between writes (see ItemDatabase.append): up to 1,024 (a deploy of 1,000 items
 * then appends to open logs), but at most a quarter of the process's open-file limit where it can be read (Linux),
 * so sockets and blob writes always find a descriptor; 64 elsewhere.
 */
const LOG_HANDLES = logHandleBudget();

function logHandleBudget(): number {
  try {
    const soft = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
    if (soft) return Math.max(8, Math.min(1024, Math.floor(Number(soft) / 4)));
  } catch {
    // not Linux
  }
  return 64;
}

function applyRecord(item: StoredItem, r: LogRecord): void {
  if (!Object.hasOwn(item.environments, r.env)) item.environments[r.env] = [];
  const versions = item.environments[r.env] as StoredVersion[];
  if ('v' in r) {
    versions.push(r.v);
    return;
  }
  const v = versions[r.confirm - 1];
  if (v) {
    v.confirmedBy = r.commit;
    v.confirmedAt = r.at;
  }
}

function checkPreconditions(
  itemId: string,
  env: string,
  latest: StoredVersion | undefined,
  p: { ifMatch?: string | undefined; ifNoneMatch?: boolean },
): void {
  if (p.ifNoneMatch && latest) {
    throw new ApiError(
      412,
      'precondition_failed',
      `Item ${itemId} already has version ${latest.version} in ${env}.`,
    );
  }
  if (p.ifMatch !== undefined && p.ifMatch !== '*' && latest?.md5 !== p.ifMatch) {
    throw new ApiError(
      412,
      'precondition_failed',
      `If-Match "${p.ifMatch}" does not match the latest version of ${itemId} in ${env} (${latest ? `"${latest.md5}"` : 'none'}).`,
    );
  }
  if (p.ifMatch === '*' && !latest) {
    throw new ApiError(412, 'precondition_failed', `Item ${itemId} has no version in ${env}.`);
  }
}

function toItem(item: StoredItem): Item {
  const environments: Record<string, EnvironmentState> = {};
  for (const [env, versions] of Object.entries(item.environments)) {
    const latest = versions.at(-1);
    if (!latest) continue;
    environments[env] = {
      version: latest.version,
      md5: latest.md5,
      deleted: latest.deleted,
      updatedAt: latest.createdAt,
      metadata: latest.metadata,
      ...(latest.confirmedBy ? { confirmedBy: latest.confirmedBy, confirmedAt: latest.confirmedAt } : {}),
    };
  }
  return { itemId: item.itemId, namespace: item.namespace, tags: item.tags, environments };
}
