/**
 * Drift between the repo, Item Store V2 and S3 for one environment (SPEC §4 `validate`, the notes' validation
 * script). Two modes:
 * - `repo`: listings only. The V2 manifest (paged) and one ListObjectsV2 walk per prefix give each item's MD5;
 *   they are compared with the MD5 of the bytes we would write for each config of main. Requests grow with pages,
 *   not items.
 * - `s3-vs-v2`: S3 against V2, as JSON values (canonicalJson), so a legacy multi-document object in S3 and the V2
 *   JSON of the same config count as in sync. Pairs come from the repo (a config under default/ is both an S3 key
 *   and a V2 identity). A side whose MD5 equals the repo's bytes is known without reading it; only the other
 *   objects are downloaded (`readAll` downloads every pair).
 *
 * Each row has one status (SPEC §3 "Drift"): `in-sync`, `awaiting-promotion`, `edited-outside`, `missing`,
 * `orphan`. In repo mode the V2 rows that differ are judged by the audit trail (trail.ts): a version the pipeline
 * wrote that a newer one supersedes awaits promotion (not drift); content no pipeline write produced is drift. The
 * steps: prepare → listStores → hashMultipartObjects → compareConfigs (locate, then compareWithRepo or
 * compareS3WithV2 per config) → findOrphans → judgeByTrail →
 * followV2ForS3 → judgeS3OnlyByPrevious → buildReport.
 */
import pLimit from 'p-limit';
import {
  ConfigError,
  ConfigErrors,
  UsageError,
  type Logger,
  type RepoTree,
  silentLogger,
  noProgress,
  type Progress,
} from '@itemstore/core';
import {
  resolveS3Location,
  s3Key,
  type S3Location,
  type S3Switch,
  type Settings,
  type Tags,
} from '@itemstore/config';
import { canonicalHash, fromLegacyMultiDoc, parseConfig, type ConfigFormat } from '@itemstore/convert';
import { describeLocation, locationId, objectRef, type Listing } from '@itemstore/s3';
import { manifestAll, type ItemStore, type ManifestEntry } from '@itemstore/v2';
import { objectMd5, type ObjectReader } from './object-side.js';
import { TrailReader, originOf, type Origin } from './trail.js';
import {
  checkEnvironment,
  identityKey,
  isBranchItem,
  loadRepoItems,
  type RepoItem,
  type RepoSnapshot,
  yaml11Detail,
} from './repo-items.js';

export const VALIDATE_REPORT_VERSION = 2;

export type Against = 'repo' | 's3-vs-v2';

/**
 * One status per config (or orphan), environment and store. Only `edited-outside`, `missing` and `orphan` are drift;
 * `awaiting-promotion` is what the pipeline left on purpose (a newer version waits in the environment before).
 */
export const DRIFT_STATUSES = [
  'in-sync',
  'awaiting-promotion',
  'edited-outside',
  'missing',
  'orphan',
] as const;
export type DriftStatus = (typeof DRIFT_STATUSES)[number];

/** The statuses that are drift: they fail a validation (`fail-on-drift`) and are what `--fix` repairs. */
export function isDrift(status: DriftStatus): boolean {
  return status === 'edited-outside' || status === 'missing' || status === 'orphan';
}

export interface ValidateRow {
  status: DriftStatus;
  /** The validated environment. */
  environment: string;
  /** The store the row is about; `both` for an S3 ⇄ V2 pair (s3-vs-v2) that both stores hold. */
  store: 'v2' | 's3' | 'both';
  /** The config's path in the repo (absent for orphans). */
  path?: string;
  namespace?: string;
  tags?: Tags;
  itemId?: string;
  /** V2: the environment's latest version and its MD5. */
  v2Version?: number;
  v2Md5?: string;
  /** V2 (repo mode): where the environment's latest version came from, read from the audit trail. */
  origin?: string;
  bucket?: string;
  key?: string;
  /** S3: the object's MD5 (its ETag, or the stored bytes' MD5 for a multipart upload). */
  s3Md5?: string;
  /** repo mode: the MD5 of what we would write. */
  expectedMd5?: string;
  /** One sentence for the summary. */
  detail?: string;
}

export type DriftCounts = Record<DriftStatus, number>;

export interface ValidateReport {
  version: typeof VALIDATE_REPORT_VERSION;
  environment: string;
  /** The environment before this one in item-store.yaml (absent for the first, which deploys of main write). */
  previousEnvironment?: string;
  against: Against;
  /** The S3 side: `S3` or `mirror <dir>`, and the locations listed. */
  s3Side: string;
  locations: string[];
  counts: DriftCounts;
  inSync: number;
  /** Rows awaiting promotion: reported, not drift. */
  awaiting: number;
  /** Rows that are drift: edited-outside, missing, orphan. */
  drifted: number;
  /** Set when S3 was not looked at because the switch is off: why. */
  s3Off?: string;
  /** What was left out on purpose. */
  ignored: {
    /** V2 items with a `branch` tag (feature branches are not main's items). */
    branchItems: number;
    /** V2 tombstones that no config maps to (deleted on purpose). */
    tombstones: number;
    /** S3 objects under a prefix but outside every team folder of that prefix. */
    s3OutsideTeams: number;
  };
  /** s3-vs-v2: how many objects and V2 contents were downloaded. */
  contentsRead: number;
  /** repo mode: how many version histories were read to tell pipeline writes from others. */
  trailsRead: number;
  requests: { v2?: number; s3: number };
  rows: ValidateRow[];
}

/** What a validation saw, kept for `--fix` (not part of the JSON report). */
export interface ValidateContext {
  snapshot: RepoSnapshot;
  environment: string;
  listings: Listing[];
  v2: Map<string, ManifestEntry>;
  /** The previous environment's listing (repo mode, not the first environment). */
  previousV2?: Map<string, ManifestEntry>;
  /** S3 bytes read in s3-vs-v2 mode, by objectRef. */
  s3Bytes: Map<string, Buffer>;
  /** Where a tenant's objects are (overrides applied): --fix writes where validate looked. */
  locationOf: (tenant: string, environment: string) => S3Location;
}

export interface S3Side {
  reader: ObjectReader;
  /** Where a tenant's objects are for an environment (default: item-store.yaml with `overrides`). */
  locationOf?: (tenant: string, environment: string) => S3Location;
}

export interface ValidateOptions {
  tree: RepoTree;
  environment?: string;
  against: Against;
  store: ItemStore;
  s3: S3Side;
  /** Only these configs (repo paths or folders); orphans are then not looked for. */
  paths?: string[];
  readAll?: boolean;
  concurrency?: number;
  settings?: Settings;
  logger?: Logger;
  progress?: Progress;
  /** For request counts in the report. */
  v2Requests?: () => number;
  /** The cutover switch: off validates V2 alone (no S3 request, so no AWS credentials are needed). */
  s3Switch?: S3Switch;
}

/** One validation's fixed inputs, shared by its steps. */
interface Run {
  options: ValidateOptions;
  logger: Logger;
  snapshot: RepoSnapshot;
  environment: string;
  previous: string | undefined;
  s3On: boolean;
  locationOf: ValidateContext['locationOf'];
}

/** What the stores hold: step 1's listings. */
interface Listed {
  v2: Map<string, ManifestEntry>;
  previousV2: Map<string, ManifestEntry> | undefined;
  locations: Map<string, { location: S3Location; teams: Set<string> }>;
  listings: Listing[];
  listingOf: Map<string, Listing>;
  ignored: ValidateReport['ignored'];
}

/** Step 3's result. */
interface Compared {
  rows: ValidateRow[];
  matchedV2: Set<string>;
  matchedS3: Set<string>;
  s3Bytes: Map<string, Buffer>;
  contentsRead: number;
}

export async function validate(
  options: ValidateOptions,
): Promise<{ report: ValidateReport; context: ValidateContext }> {
  const run = await prepare(options);
  const v2Before = options.v2Requests?.() ?? 0;
  const s3Before = options.s3.reader.requests;
  const listed = await listStores(run);
  const hashed = await hashMultipartObjects(run, listed);
  const compared = await compareConfigs(run, listed, hashed);
  if (!options.paths?.length) compared.rows.push(...findOrphans(run, listed, compared));
  const trailsRead = options.against === 'repo' ? await judgeByTrail(run, listed, compared.rows) : 0;
  followV2ForS3(compared.rows);
  if (options.against === 'repo') await judgeS3OnlyByPrevious(run, compared.rows);
  const report = buildReport(run, listed, compared, {
    trailsRead,
    requests: {
      ...(options.v2Requests ? { v2: options.v2Requests() - v2Before } : {}),
      s3: options.s3.reader.requests - s3Before,
    },
  });
  return {
    report,
    context: {
      snapshot: run.snapshot,
      environment: run.environment,
      listings: listed.listings,
      v2: listed.v2,
      ...(listed.previousV2 ? { previousV2: listed.previousV2 } : {}),
      s3Bytes: compared.s3Bytes,
      locationOf: run.locationOf,
    },
  };
}

/** Step 0: main's configs as the stores should hold them, the environment (the gate) and the S3 switch. */
async function prepare(options: ValidateOptions): Promise<Run> {
  const logger = options.logger ?? silentLogger;
  const snapshot = await loadRepoItems(options.tree, {
    logger,
    ...(options.paths ? { paths: options.paths } : {}),
    ...(options.settings ? { settings: options.settings } : {}),
  });
  const { settings } = snapshot;
  const environment = checkEnvironment(settings, options.environment);
  const s3On = options.s3Switch?.on ?? true;
  if (!s3On && options.against === 's3-vs-v2') {
    throw new UsageError(
      `S3 sync is off (${options.s3Switch?.why}), so S3 is no longer a store to compare: validate against repo.`,
    );
  }
  const i = settings.environments.indexOf(environment);
  return {
    options,
    logger,
    snapshot,
    environment,
    previous: i > 0 ? settings.environments[i - 1] : undefined,
    s3On,
    locationOf: options.s3.locationOf ?? ((tenant, env) => resolveS3Location(settings, tenant, env)),
  };
}

/** Step 1: the V2 manifest of each team namespace (and of the previous environment in repo mode), each S3 prefix once. */
async function listStores(run: Run): Promise<Listed> {
  const { options, snapshot, environment, logger } = run;
  const { settings } = snapshot;
  const namespaces = [...new Set(Object.values(settings.teams).map((t) => t.namespace))].sort();
  const ignored = { branchItems: 0, tombstones: 0, s3OutsideTeams: 0 };
  const listV2 = async (env: string, countIgnored: boolean): Promise<Map<string, ManifestEntry>> => {
    const byIdentity = new Map<string, ManifestEntry>();
    await Promise.all(
      namespaces.map(async (ns) => {
        for (const e of await manifestAll(options.store, env, ns)) {
          if (!isBranchItem(e.tags)) byIdentity.set(identityKey(e.namespace, e.tags), e);
          else if (countIgnored) ignored.branchItems++;
        }
      }),
    );
    return byIdentity;
  };
  const [v2, previousV2] = await Promise.all([
    listV2(environment, true),
    run.previous && options.against === 'repo' ? listV2(run.previous, false) : undefined,
  ]);
  const locations = new Map<string, { location: S3Location; teams: Set<string> }>();
  for (const [team, t] of run.s3On ? Object.entries(settings.teams) : []) {
    const location = run.locationOf(t.tenant, environment);
    const id = locationId(location);
    const entry = locations.get(id) ?? { location, teams: new Set<string>() };
    entry.teams.add(team);
    locations.set(id, entry);
  }
  const listings: Listing[] = [];
  for (const { location } of locations.values()) {
    logger.info(`Listing ${describeLocation(location)} (${options.s3.reader.label})`);
    listings.push(await options.s3.reader.list(location));
  }
  return {
    v2,
    previousV2,
    locations,
    listings,
    listingOf: new Map(listings.map((l) => [locationId(l.location), l])),
    ignored,
  };
}

/** Step 2: objects whose ETag is not an MD5 are hashed from their bytes (few: configs are small single-part uploads). */
async function hashMultipartObjects(run: Run, listed: Listed): Promise<Map<string, string>> {
  const toHash: { location: S3Location; key: string }[] = [];
  for (const item of run.s3On ? run.snapshot.items : []) {
    if (item.s3Md5 === undefined) continue;
    const location = run.locationOf(item.config.tenant, run.environment);
    const o = listed.listingOf.get(locationId(location))?.objects.get(s3Key(location, item.config));
    if (o && /-\d+$/.test(o.etag)) toHash.push({ location, key: o.key });
  }
  return run.options.s3.reader.hash(toHash);
}

/** One config's S3 side in this environment, from the listing. */
interface S3Seen {
  location: S3Location;
  key: string;
  present: boolean;
  md5: string | undefined;
  fields: Partial<ValidateRow>;
}

/** Where one config is in each store of this environment, from the listings. */
interface Seen {
  /** The V2 manifest entry of its identity (V2 targets only). */
  hit: ManifestEntry | undefined;
  /** The row fields every V2 (or pair) row of this config carries. */
  v2Fields: Omit<ValidateRow, 'status' | 'store'>;
  /** Its S3 side (default/ configs while S3 sync is on). */
  s3: S3Seen | undefined;
}

/**
 * Step 3: each config of main against the stores. V2 rows that differ from the repo are provisionally
 * `edited-outside` and absent ones `missing`: step 5 reads the trail to tell which of them await promotion.
 */
async function compareConfigs(run: Run, listed: Listed, hashed: Map<string, string>): Promise<Compared> {
  const { options, environment } = run;
  const out: Compared = {
    rows: [],
    matchedV2: new Set(),
    matchedS3: new Set(),
    s3Bytes: new Map(),
    contentsRead: 0,
  };
  const limit = pLimit(Math.max(1, options.concurrency ?? 16));
  const task = (options.progress ?? noProgress).start(
    `validate ${environment} (${options.against})`,
    run.snapshot.items.length,
  );
  const compare = options.against === 'repo' ? compareWithRepo : compareS3WithV2;
  await Promise.all(
    run.snapshot.items.map((item) => {
      const seen = locate(run, listed, hashed, item, out);
      return limit(async () => {
        out.rows.push(...(await compare(run, item, seen, out)));
        task.tick();
      });
    }),
  );
  task.done();
  return out;
}

/** A config's V2 entry and S3 object in this environment (recorded as matched, so they are not orphans). */
function locate(run: Run, listed: Listed, hashed: Map<string, string>, item: RepoItem, out: Compared): Seen {
  const c = item.config;
  const idKey = identityKey(c.namespace, c.tags);
  const hit = item.v2Md5 !== undefined ? listed.v2.get(idKey) : undefined;
  if (item.v2Md5 !== undefined) out.matchedV2.add(idKey);
  let s3: S3Seen | undefined;
  if (item.s3Md5 !== undefined && run.s3On) {
    const location = run.locationOf(c.tenant, run.environment);
    const key = s3Key(location, c);
    out.matchedS3.add(objectRef(location.bucket, key));
    const o = listed.listingOf.get(locationId(location))?.objects.get(key);
    const md5 = o ? objectMd5(location, o, hashed) : undefined;
    s3 = {
      location,
      key,
      present: Boolean(o),
      md5,
      fields: { bucket: location.bucket, key, ...(md5 ? { s3Md5: md5 } : {}) },
    };
  }
  const v2Fields = {
    environment: run.environment,
    path: c.path,
    namespace: c.namespace,
    tags: c.tags,
    ...(hit ? { itemId: hit.itemId, v2Version: hit.version, v2Md5: hit.md5 } : {}),
  };
  return { hit, v2Fields, s3 };
}

/** repo mode: the V2 row and the S3 row of one config against the repo's MD5s. */
async function compareWithRepo(run: Run, item: RepoItem, seen: Seen, out: Compared): Promise<ValidateRow[]> {
  const env = run.environment;
  const v2Row = item.v2Md5 !== undefined ? [v2AgainstRepo(item, seen.hit, seen.v2Fields, env)] : [];
  const s3 = seen.s3;
  if (!s3) return v2Row;
  if (!s3.present || s3.md5 === item.s3Md5) return [...v2Row, s3AgainstRepo(item, s3, env)];
  // Other bytes may still be the same value (a migrated object in its legacy formatting, `yes` where the repo says
  // `true`): read it as its legacy readers do; only a different value is drift.
  const verdict = await formattingOnly(item, s3.key, s3.location, run.options.s3.reader, s3.md5);
  out.contentsRead++;
  const row = { environment: env, path: item.config.path, ...s3.fields, store: 's3' as const };
  return [...v2Row, { ...row, expectedMd5: item.s3Md5 as string, ...verdict }];
}

/** s3-vs-v2: a config that is both an S3 object and a V2 item, its two sides compared as JSON values. */
async function compareS3WithV2(run: Run, item: RepoItem, seen: Seen, out: Compared): Promise<ValidateRow[]> {
  const { options, environment } = run;
  const { hit, s3 } = seen;
  // Only configs that are both an S3 object and a V2 item are pairs.
  if (item.v2Md5 === undefined || !s3) return [];
  const v2Live = hit && !hit.deleted ? hit : undefined;
  const pair = { ...seen.v2Fields, ...s3.fields, store: 'both' as const };
  if (!v2Live || !s3.present) {
    const rows: ValidateRow[] = [];
    if (!v2Live) {
      const detail = s3.present ? 'in S3 only' : 'in neither store';
      rows.push({ ...pair, store: 'v2', status: 'missing', detail });
    }
    if (!s3.present) {
      const detail = v2Live ? 'in V2 only' : 'in neither store';
      rows.push({ ...pair, store: 's3', status: 'missing', detail });
    }
    return rows;
  }
  const v2SameAsRepo = v2Live.md5 === item.v2Md5;
  // The repo's bytes are not S3's meaning when YAML 1.1 readers read them differently: read the object.
  const s3SameAsRepo = s3.md5 === item.s3Md5 && !item.yaml11;
  if (v2SameAsRepo && s3SameAsRepo && !options.readAll) return [{ ...pair, status: 'in-sync' }];
  const loc = s3.location;
  return [
    await comparePair(item, pair, {
      store: options.store,
      reader: options.s3.reader,
      location: loc,
      environment,
      v2: v2Live,
      readV2: !v2SameAsRepo || Boolean(options.readAll),
      readS3: !s3SameAsRepo || Boolean(options.readAll),
      onRead: (n, bytes) => {
        out.contentsRead += n;
        if (bytes) out.s3Bytes.set(objectRef(loc.bucket, s3.key), bytes);
      },
    }),
  ];
}

/** repo mode, V2: the environment's latest version against the repo's MD5 (step 5 judges the differences). */
function v2AgainstRepo(
  item: RepoItem,
  hit: ManifestEntry | undefined,
  fields: Omit<ValidateRow, 'status' | 'store'>,
  environment: string,
): ValidateRow {
  const row = { ...fields, store: 'v2' as const, expectedMd5: item.v2Md5 as string };
  if (!hit || hit.deleted) {
    return {
      ...row,
      status: 'missing',
      detail: hit ? `the latest ${environment} version is a tombstone` : `no version in ${environment}`,
    };
  }
  if (hit.md5 === item.v2Md5) return { ...row, status: 'in-sync' };
  return {
    ...row,
    status: 'edited-outside',
    detail: `V2 ${environment} v${hit.version} MD5 ${hit.md5} ≠ the repo's ${item.v2Md5}`,
  };
}

/** repo mode, S3 (bytes equal to the repo's, or no object): S3 keeps no trail, so a difference is judged by V2's. */
function s3AgainstRepo(item: RepoItem, s3: S3Seen, environment: string): ValidateRow {
  const row = { environment, path: item.config.path, ...s3.fields, store: 's3' as const };
  const expectedMd5 = item.s3Md5 as string;
  if (!s3.present) return { ...row, expectedMd5, status: 'missing', detail: 'no such object' };
  if (item.yaml11) {
    return {
      ...row,
      expectedMd5,
      status: 'edited-outside',
      detail: `same bytes, other meaning: ${yaml11Detail(item)}`,
    };
  }
  return { ...row, expectedMd5, status: 'in-sync' };
}

/** Step 4: what the stores hold for main that no config of the repo maps to (only when validating everything). */
function findOrphans(run: Run, listed: Listed, compared: Compared): ValidateRow[] {
  const rows: ValidateRow[] = [];
  const { environment } = run;
  for (const [k, e] of listed.v2) {
    if (compared.matchedV2.has(k)) continue;
    if (e.deleted) {
      listed.ignored.tombstones++;
      continue;
    }
    rows.push({
      status: 'orphan',
      environment,
      store: 'v2',
      namespace: e.namespace,
      tags: e.tags,
      itemId: e.itemId,
      v2Version: e.version,
      v2Md5: e.md5,
      detail: 'no config of main has these tags',
    });
  }
  for (const listing of listed.listings) {
    const { location } = listing;
    const teams = listed.locations.get(locationId(location))?.teams ?? new Set<string>();
    for (const o of listing.objects.values()) {
      if (compared.matchedS3.has(objectRef(location.bucket, o.key))) continue;
      const below = o.key.slice(location.prefix.length);
      const team = below.split('/')[0] as string;
      if (!teams.has(team) || !below.includes('/')) {
        listed.ignored.s3OutsideTeams++;
        continue;
      }
      rows.push({
        status: 'orphan',
        environment,
        store: 's3',
        bucket: location.bucket,
        key: o.key,
        s3Md5: o.etag,
        detail: `no config of main maps to this key (it would be ${team}/default/${below.slice(team.length + 1)})`,
      });
    }
  }
  return rows;
}

/**
 * Step 5 (repo mode): V2 rows that are not in sync, judged by the audit trail. A version the pipeline wrote (a
 * deploy of main, a promotion backed by its source, a fix, a migration) that the repo or the previous environment
 * has superseded is `awaiting-promotion`; content no pipeline write produced is `edited-outside`. An environment
 * after the first that lacks a config the previous one holds awaits promotion too, unless its tombstone was written
 * around the pipeline; a live item no config maps to awaits the promotion of the previous environment's tombstone.
 * Returns how many histories were read.
 */
async function judgeByTrail(run: Run, listed: Listed, rows: ValidateRow[]): Promise<number> {
  const { settings } = run.snapshot;
  let read = 0;
  const trail = new TrailReader({
    versions: (id, env) => {
      read++;
      return run.options.store.versions(id, env);
    },
  });
  const ctx = { trail, environments: settings.environments, mainBranch: settings.mainBranch };
  const index = settings.environments.indexOf(run.environment);
  const limit = pLimit(Math.max(1, run.options.concurrency ?? 16));
  await Promise.all(
    rows.map((row, i) =>
      limit(async () => {
        if (row.store !== 'v2' || row.status === 'in-sync' || !row.namespace || !row.tags) return;
        const k = identityKey(row.namespace, row.tags);
        const here = listed.v2.get(k);
        const origin = here ? await originOf(ctx, here.itemId, index, here.version) : undefined;
        const before = run.previous ? listed.previousV2?.get(k) : undefined;
        rows[i] = judgeRow(run, row, { here, before, origin });
      }),
    ),
  );
  return read;
}

/** One V2 row's status from the environment's latest version, its origin, and what the one before holds. */
function judgeRow(
  run: Run,
  row: ValidateRow,
  seen: { here?: ManifestEntry; before?: ManifestEntry; origin?: Origin },
): ValidateRow {
  const { here, before, origin } = seen;
  const env = run.environment;
  const prev = run.previous;
  const judged: ValidateRow = { ...row, ...(origin ? { origin: origin.text } : {}) };
  const beforeText = before
    ? before.deleted
      ? `a tombstone (v${before.version})`
      : before.md5 === here?.md5
        ? `the same (v${before.version}), itself awaiting`
        : `v${before.version}`
    : 'nothing';
  const promoteHint = `${prev} holds ${beforeText}: promote ${prev} → ${env}`;
  if (row.status === 'edited-outside' && origin) {
    // Live content other than main's: the pipeline's earlier version awaits; anything else was edited outside.
    judged.status = origin.pipeline ? 'awaiting-promotion' : 'edited-outside';
    judged.detail = !origin.pipeline
      ? `${row.detail}; ${origin.text}`
      : prev
        ? `${env} holds ${origin.text}; ${promoteHint}`
        : `${env} holds ${origin.text}; main's newer content is not deployed yet (the deploy workflow writes it)`;
  } else if (row.status === 'missing') {
    // Not there (or a tombstone): awaits when the environment before holds it live and no hand deleted it here.
    const awaits = prev && before && !before.deleted && (!origin || origin.pipeline);
    judged.status = awaits ? 'awaiting-promotion' : 'missing';
    judged.detail = awaits
      ? `${here ? `${env} holds ${origin?.text} (a tombstone)` : `not in ${env} yet`}; ${promoteHint}`
      : `${row.detail}${origin ? `: ${origin.text}` : ''}`;
  } else if (row.status === 'orphan' && origin) {
    // No config: awaits the promotion of the tombstone the environment before holds, if the pipeline wrote it here.
    const awaits = prev && before?.deleted && origin.pipeline;
    judged.status = awaits ? 'awaiting-promotion' : 'orphan';
    judged.detail = awaits ? `deleted from main; ${promoteHint}` : `${row.detail}; ${origin.text}`;
  }
  return judged;
}

/**
 * S3 keeps no trail, but promote moves a config's V2 version and S3 object together: an S3 object that differs from
 * the repo (or is not there) while the same config's V2 item awaits promotion in this environment awaits it too.
 */
function followV2ForS3(rows: ValidateRow[]): void {
  const awaiting = new Set(
    rows.filter((r) => r.store === 'v2' && r.status === 'awaiting-promotion').map((r) => r.path),
  );
  for (const r of rows) {
    if (
      r.store === 's3' &&
      r.path &&
      awaiting.has(r.path) &&
      (r.status === 'edited-outside' || r.status === 'missing')
    ) {
      r.status = 'awaiting-promotion';
      r.detail = `${r.detail ?? ''}; S3 keeps no trail, and this config's V2 item awaits promotion (promote moves both)`;
    }
  }
}

/**
 * S3-only configs (`_SC`) have no V2 item to follow, and S3 keeps no trail: in an environment after the first, such
 * an object that is missing or differs from main's bytes while the environment before already holds main's bytes
 * awaits promotion (promote copies it, and would overwrite a hand edit too). The previous environment's prefixes are
 * listed only when there is such a row.
 */
async function judgeS3OnlyByPrevious(run: Run, rows: ValidateRow[]): Promise<void> {
  const prev = run.previous;
  if (!prev || !run.s3On) return;
  const byPath = new Map(run.snapshot.items.map((i) => [i.config.path, i]));
  const candidates = rows.filter((r) => {
    const item = r.path === undefined ? undefined : byPath.get(r.path);
    return (
      r.store === 's3' &&
      (r.status === 'missing' || r.status === 'edited-outside') &&
      item?.v2Md5 === undefined &&
      !item?.yaml11
    );
  });
  if (!candidates.length) return;
  const listings = new Map<string, Promise<Listing>>();
  for (const r of candidates) {
    const item = byPath.get(r.path as string) as RepoItem;
    const location = run.locationOf(item.config.tenant, prev);
    const id = locationId(location);
    let listing = listings.get(id);
    if (!listing) {
      listing = run.options.s3.reader.list(location);
      listings.set(id, listing);
    }
    const o = (await listing).objects.get(s3Key(location, item.config));
    if (!o || objectMd5(location, o, new Map()) !== item.s3Md5) continue;
    r.status = 'awaiting-promotion';
    r.detail = `${r.detail ?? ''}; ${prev} holds main's bytes and S3 keeps no trail: promote ${prev} → ${run.environment} (it also overwrites a hand edit)`;
  }
}

/** Step 6: rows in a stable order, counted. */
function buildReport(
  run: Run,
  listed: Listed,
  compared: Compared,
  extra: Pick<ValidateReport, 'trailsRead' | 'requests'>,
): ValidateReport {
  const rows = [...compared.rows].sort(compareRows);
  const counts = Object.fromEntries(DRIFT_STATUSES.map((s) => [s, 0])) as DriftCounts;
  for (const r of rows) counts[r.status]++;
  return {
    version: VALIDATE_REPORT_VERSION,
    environment: run.environment,
    ...(run.previous ? { previousEnvironment: run.previous } : {}),
    against: run.options.against,
    s3Side: run.options.s3.reader.label,
    locations: listed.listings.map((l) => describeLocation(l.location)),
    ...(run.s3On ? {} : { s3Off: run.options.s3Switch?.why ?? 'off' }),
    counts,
    inSync: counts['in-sync'],
    awaiting: counts['awaiting-promotion'],
    drifted: rows.filter((r) => isDrift(r.status)).length,
    ignored: listed.ignored,
    contentsRead: compared.contentsRead,
    trailsRead: extra.trailsRead,
    requests: extra.requests,
    rows,
  };
}

/** Reads what is needed of one pair and compares the two as JSON values. */
async function comparePair(
  item: RepoItem,
  pair: Omit<ValidateRow, 'status'>,
  o: {
    store: ItemStore;
    reader: ObjectReader;
    location: S3Location;
    environment: string;
    v2: ManifestEntry;
    readV2: boolean;
    readS3: boolean;
    onRead: (n: number, s3Bytes?: Buffer) => void;
  },
): Promise<ValidateRow> {
  const c = item.config;
  const repoHash = canonicalHash(v2Value(item.v2Text as string, c.path));
  let v2Hash = repoHash;
  let s3Hash = repoHash;
  if (o.readV2) {
    const got = await o.store.getContents(o.v2.itemId, o.environment);
    o.onRead(1);
    if (!got)
      return {
        ...pair,
        store: 'v2',
        status: 'missing',
        detail: 'listed, but its contents could not be read',
      };
    try {
      v2Hash = canonicalHash(v2Value(got.content, c.path));
    } catch (err) {
      return {
        ...pair,
        status: 'edited-outside',
        detail: `the V2 content is not JSON: ${(err as Error).message}`,
      };
    }
  }
  if (o.readS3) {
    const bytes = await o.reader.get(o.location, pair.key as string);
    o.onRead(1, bytes);
    if (!bytes) return { ...pair, store: 's3', status: 'missing', detail: 'listed, but gone when read' };
    try {
      s3Hash = canonicalHash(s3Value(bytes, pair.key as string, c.format, item.s3Format ?? 'bytes'));
    } catch (err) {
      const msg = err instanceof ConfigErrors || err instanceof ConfigError ? err.message : String(err);
      return { ...pair, status: 'edited-outside', detail: `the S3 object does not parse: ${msg}` };
    }
  }
  return v2Hash === s3Hash
    ? { ...pair, status: 'in-sync', ...(o.readV2 || o.readS3 ? { detail: 'equal as JSON' } : {}) }
    : {
        ...pair,
        status: 'edited-outside',
        detail: yaml11Detail(item) ?? 'S3 and V2 hold different JSON values',
      };
}

/** repo mode, S3 bytes other than the repo's: in-sync when the object means the same to its readers. */
async function formattingOnly(
  item: RepoItem,
  key: string,
  location: S3Location,
  reader: ObjectReader,
  s3Md5: string | undefined,
): Promise<Pick<ValidateRow, 'status' | 'detail'>> {
  const differ = {
    status: 'edited-outside' as const,
    detail: `S3 MD5 ${s3Md5} ≠ the repo's ${item.s3Md5}`,
  };
  const bytes = await reader.get(location, key);
  if (!bytes || !item.s3Body) return differ;
  const format = item.s3Format ?? 'bytes';
  try {
    const same =
      canonicalHash(s3Value(bytes, key, item.config.format, format)) ===
      canonicalHash(s3Value(item.s3Body, key, item.config.format, format));
    return same
      ? {
          status: 'in-sync',
          detail: 'same value as the repo in other bytes (formatting); a full sync-s3 rewrites it',
        }
      : differ;
  } catch {
    return differ;
  }
}

/** The JSON value of V2 content (strict JSON: duplicate keys and big integers are errors, not silent changes). */
export function v2Value(text: string, path: string): unknown {
  return parseConfig(text, { file: `${path}.v2.json`, maxBytes: Infinity });
}

/**
 * The JSON value of an S3 object as its legacy readers get it: legacy multi-document YAML, or the config's own
 * syntax, with YAML read as YAML 1.1 (`yes` is true, `0755` is 493: see convert's yaml11.ts).
 */
export function s3Value(
  bytes: Buffer,
  key: string,
  format: ConfigFormat,
  s3Format: 'bytes' | 'legacy-multidoc',
): unknown {
  const options = { file: key, maxBytes: Infinity, yaml11: { read: true } };
  if (s3Format === 'legacy-multidoc') return fromLegacyMultiDoc(bytes, options).value;
  try {
    return parseConfig(bytes, { ...options, format });
  } catch (err) {
    // A config_list team's object still in the legacy multi-document form (V0 buckets hold many) is the same
    // config as its config_list: read it as legacy.
    const code = err instanceof ConfigError ? err.code : undefined;
    if (format !== 'plain' && (code === 'multi-document' || code === 'config-list-shape')) {
      return fromLegacyMultiDoc(bytes, options).value;
    }
    throw err;
  }
}

const ORDER: Record<DriftStatus, number> = {
  'edited-outside': 0,
  missing: 1,
  orphan: 2,
  'awaiting-promotion': 3,
  'in-sync': 4,
};

function compareRows(a: ValidateRow, b: ValidateRow): number {
  const ka = `${a.path ?? ''}\u0000${a.key ?? ''}\u0000${a.namespace ?? ''}\u0000${JSON.stringify(a.tags ?? {})}`;
  const kb = `${b.path ?? ''}\u0000${b.key ?? ''}\u0000${b.namespace ?? ''}\u0000${JSON.stringify(b.tags ?? {})}`;
  return (
    ORDER[a.status] - ORDER[b.status] || (ka < kb ? -1 : ka > kb ? 1 : 0) || a.store.localeCompare(b.store)
  );
}
