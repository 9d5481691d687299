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
 */
import pLimit from 'p-limit';
import {
  ConfigError,
  ConfigErrors,
  UsageError,
  type Logger,
  type RepoTree,
  silentLogger,
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
import { noProgress, type Progress } from './progress.js';
import {
  checkEnvironment,
  identityKey,
  isBranchItem,
  loadRepoItems,
  type RepoItem,
  type RepoSnapshot,
  yaml11Detail,
} from './repo-items.js';

export const VALIDATE_REPORT_VERSION = 1;

export type Against = 'repo' | 's3-vs-v2';

export const DRIFT_STATUSES = [
  'in-sync',
  'content-mismatch',
  'missing-in-v2',
  'missing-in-s3',
  'orphan-in-v2',
  'orphan-in-s3',
] as const;
export type DriftStatus = (typeof DRIFT_STATUSES)[number];

export interface ValidateRow {
  status: DriftStatus;
  /** The store the row is about; `both` for an S3 ⇄ V2 pair (s3-vs-v2). */
  store: 'v2' | 's3' | 'both';
  /** The config's path in the repo (absent for orphans). */
  path?: string;
  namespace?: string;
  tags?: Tags;
  itemId?: string;
  /** V2: the environment's latest version and its MD5. */
  v2Version?: number;
  v2Md5?: string;
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
  against: Against;
  /** The S3 side: `S3` or `mirror <dir>`, and the locations listed. */
  s3Side: string;
  locations: string[];
  counts: DriftCounts;
  inSync: number;
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
  requests: { v2?: number; s3: number };
  rows: ValidateRow[];
}

/** What a validation saw, kept for `--fix` (not part of the JSON report). */
export interface ValidateContext {
  snapshot: RepoSnapshot;
  environment: string;
  listings: Listing[];
  v2: Map<string, ManifestEntry>;
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

export async function validate(
  options: ValidateOptions,
): Promise<{ report: ValidateReport; context: ValidateContext }> {
  const logger = options.logger ?? silentLogger;
  const progress = options.progress ?? noProgress;
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
  const v2Before = options.v2Requests?.() ?? 0;
  const s3Before = options.s3.reader.requests;
  const locationOf: ValidateContext['locationOf'] =
    options.s3.locationOf ?? ((tenant, env) => resolveS3Location(settings, tenant, env));

  // 1. Listings: the V2 manifest of each team namespace, and each S3 prefix once.
  const namespaces = [...new Set(Object.values(settings.teams).map((t) => t.namespace))].sort();
  const ignored = { branchItems: 0, tombstones: 0, s3OutsideTeams: 0 };
  const v2 = new Map<string, ManifestEntry>();
  await Promise.all(
    namespaces.map(async (ns) => {
      for (const e of await manifestAll(options.store, environment, ns)) {
        if (isBranchItem(e.tags)) ignored.branchItems++;
        else v2.set(identityKey(e.namespace, e.tags), e);
      }
    }),
  );
  const locations = new Map<string, { location: S3Location; teams: Set<string> }>();
  for (const [team, t] of s3On ? Object.entries(settings.teams) : []) {
    const location = locationOf(t.tenant, environment);
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
  const listingOf = new Map(listings.map((l) => [locationId(l.location), l]));

  // 2. Objects whose ETag is not an MD5 are hashed from their bytes (few: configs are small single-part uploads).
  const itemLocation = (item: RepoItem): S3Location => locationOf(item.config.tenant, environment);
  const s3KeyOf = (item: RepoItem): string => s3Key(itemLocation(item), item.config);
  const toHash: { location: S3Location; key: string }[] = [];
  for (const item of snapshot.items) {
    if (item.s3Md5 === undefined || !s3On) continue;
    const location = itemLocation(item);
    const o = listingOf.get(locationId(location))?.objects.get(s3KeyOf(item));
    if (o && /-\d+$/.test(o.etag)) toHash.push({ location, key: o.key });
  }
  const hashed = await options.s3.reader.hash(toHash);

  // 3. Compare.
  const rows: ValidateRow[] = [];
  const matchedV2 = new Set<string>();
  const matchedS3 = new Set<string>();
  const s3Bytes = new Map<string, Buffer>();
  let contentsRead = 0;
  const limit = pLimit(Math.max(1, options.concurrency ?? 16));
  const task = progress.start(`validate ${environment} (${options.against})`, snapshot.items.length);
  const pending: Promise<void>[] = [];

  for (const item of snapshot.items) {
    const c = item.config;
    const idKey = identityKey(c.namespace, c.tags);
    const hit = item.v2Md5 !== undefined ? v2.get(idKey) : undefined;
    if (item.v2Md5 !== undefined) matchedV2.add(idKey);
    const v2Live = hit && !hit.deleted ? hit : undefined;
    const v2Fields = {
      path: c.path,
      namespace: c.namespace,
      tags: c.tags,
      ...(hit ? { itemId: hit.itemId, v2Version: hit.version, v2Md5: hit.md5 } : {}),
    };
    let s3Fields: Partial<ValidateRow> = {};
    let s3Md5: string | undefined;
    let s3Present = false;
    let location: S3Location | undefined;
    if (item.s3Md5 !== undefined && s3On) {
      location = itemLocation(item);
      const key = s3KeyOf(item);
      matchedS3.add(objectRef(location.bucket, key));
      const o = listingOf.get(locationId(location))?.objects.get(key);
      s3Present = Boolean(o);
      s3Md5 = o ? objectMd5(location, o, hashed) : undefined;
      s3Fields = { bucket: location.bucket, key, ...(s3Md5 ? { s3Md5 } : {}) };
    }

    if (options.against === 'repo') {
      if (item.v2Md5 !== undefined) {
        rows.push({
          ...v2Fields,
          store: 'v2',
          expectedMd5: item.v2Md5,
          ...(!v2Live
            ? {
                status: 'missing-in-v2' as const,
                detail: hit
                  ? `the latest ${environment} version is a tombstone`
                  : `no version in ${environment}`,
              }
            : v2Live.md5 === item.v2Md5
              ? { status: 'in-sync' as const }
              : {
                  status: 'content-mismatch' as const,
                  detail: `V2 ${environment} v${v2Live.version} MD5 ${v2Live.md5} ≠ the repo's ${item.v2Md5}`,
                }),
        });
      }
      if (item.s3Md5 !== undefined && s3On && s3Present && s3Md5 !== item.s3Md5 && location) {
        // Other bytes may still be the same value (a migrated object in its legacy formatting, `yes` where the
        // repo says `true`): read it as its legacy readers do; only a different value is drift.
        const loc = location;
        const row = { path: c.path, ...s3Fields, store: 's3' as const, expectedMd5: item.s3Md5 };
        pending.push(
          limit(async () => {
            rows.push({
              ...row,
              ...(await formattingOnly(item, row.key as string, loc, options.s3.reader, s3Md5)),
            });
            contentsRead++;
          }),
        );
      } else if (item.s3Md5 !== undefined && s3On) {
        rows.push({
          path: c.path,
          ...s3Fields,
          store: 's3',
          expectedMd5: item.s3Md5,
          ...(!s3Present
            ? { status: 'missing-in-s3' as const, detail: 'no such object' }
            : s3Md5 === item.s3Md5 && item.yaml11
              ? {
                  status: 'content-mismatch' as const,
                  detail: `same bytes, other meaning: ${yaml11Detail(item)}`,
                }
              : s3Md5 === item.s3Md5
                ? { status: 'in-sync' as const }
                : {
                    status: 'content-mismatch' as const,
                    detail: `S3 MD5 ${s3Md5} ≠ the repo's ${item.s3Md5}`,
                  }),
        });
      }
      task.tick();
      continue;
    }

    // s3-vs-v2: only configs that are both an S3 object and a V2 item are pairs.
    if (item.v2Md5 === undefined || item.s3Md5 === undefined || !location) {
      task.tick();
      continue;
    }
    const pair = { ...v2Fields, ...s3Fields, store: 'both' as const };
    if (!v2Live || !s3Present) {
      if (!v2Live)
        rows.push({
          ...pair,
          status: 'missing-in-v2',
          detail: s3Present ? 'in S3 only' : 'in neither store',
        });
      if (!s3Present)
        rows.push({ ...pair, status: 'missing-in-s3', detail: v2Live ? 'in V2 only' : 'in neither store' });
      task.tick();
      continue;
    }
    const v2SameAsRepo = v2Live.md5 === item.v2Md5;
    // The repo's bytes are not S3's meaning when YAML 1.1 readers read them differently: read the object.
    const s3SameAsRepo = s3Md5 === item.s3Md5 && !item.yaml11;
    if (v2SameAsRepo && s3SameAsRepo && !options.readAll) {
      rows.push({ ...pair, status: 'in-sync' });
      task.tick();
      continue;
    }
    const loc = location;
    pending.push(
      limit(async () => {
        const row = await comparePair(item, pair, {
          store: options.store,
          reader: options.s3.reader,
          location: loc,
          environment,
          v2: v2Live,
          readV2: !v2SameAsRepo || Boolean(options.readAll),
          readS3: !s3SameAsRepo || Boolean(options.readAll),
          onRead: (n, bytes) => {
            contentsRead += n;
            if (bytes) s3Bytes.set(objectRef(loc.bucket, pair.key as string), bytes);
          },
        });
        rows.push(row);
        task.tick();
      }),
    );
  }
  await Promise.all(pending);
  task.done();

  // 4. Orphans: what the stores hold for main that no config of the repo maps to (only when validating everything).
  if (!options.paths?.length) {
    for (const [k, e] of v2) {
      if (matchedV2.has(k)) continue;
      if (e.deleted) {
        ignored.tombstones++;
        continue;
      }
      rows.push({
        status: 'orphan-in-v2',
        store: 'v2',
        namespace: e.namespace,
        tags: e.tags,
        itemId: e.itemId,
        v2Version: e.version,
        v2Md5: e.md5,
        detail: 'no config of main has these tags',
      });
    }
    for (const listing of listings) {
      const { location } = listing;
      const teams = locations.get(locationId(location))?.teams ?? new Set<string>();
      for (const o of listing.objects.values()) {
        if (matchedS3.has(objectRef(location.bucket, o.key))) continue;
        const team = o.key.slice(location.prefix.length).split('/')[0] as string;
        if (!teams.has(team) || !o.key.slice(location.prefix.length).includes('/')) {
          ignored.s3OutsideTeams++;
          continue;
        }
        rows.push({
          status: 'orphan-in-s3',
          store: 's3',
          bucket: location.bucket,
          key: o.key,
          s3Md5: o.etag,
          detail: `no config of main maps to this key (it would be ${team}/default/${o.key.slice(location.prefix.length + team.length + 1)})`,
        });
      }
    }
  }

  rows.sort(compareRows);
  const counts = Object.fromEntries(DRIFT_STATUSES.map((s) => [s, 0])) as DriftCounts;
  for (const r of rows) counts[r.status]++;
  const report: ValidateReport = {
    version: VALIDATE_REPORT_VERSION,
    environment,
    against: options.against,
    s3Side: options.s3.reader.label,
    locations: listings.map((l) => describeLocation(l.location)),
    ...(s3On ? {} : { s3Off: options.s3Switch?.why ?? 'off' }),
    counts,
    inSync: counts['in-sync'],
    drifted: rows.length - counts['in-sync'],
    ignored,
    contentsRead,
    requests: {
      ...(options.v2Requests ? { v2: options.v2Requests() - v2Before } : {}),
      s3: options.s3.reader.requests - s3Before,
    },
    rows,
  };
  return { report, context: { snapshot, environment, listings, v2, s3Bytes, locationOf } };
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
      return { ...pair, status: 'missing-in-v2', detail: 'listed, but its contents could not be read' };
    try {
      v2Hash = canonicalHash(v2Value(got.content, c.path));
    } catch (err) {
      return {
        ...pair,
        status: 'content-mismatch',
        detail: `the V2 content is not JSON: ${(err as Error).message}`,
      };
    }
  }
  if (o.readS3) {
    const bytes = await o.reader.get(o.location, pair.key as string);
    o.onRead(1, bytes);
    if (!bytes) return { ...pair, status: 'missing-in-s3', detail: 'listed, but gone when read' };
    try {
      s3Hash = canonicalHash(s3Value(bytes, pair.key as string, c.format, item.s3Format ?? 'bytes'));
    } catch (err) {
      const msg = err instanceof ConfigErrors || err instanceof ConfigError ? err.message : String(err);
      return { ...pair, status: 'content-mismatch', detail: `the S3 object does not parse: ${msg}` };
    }
  }
  return v2Hash === s3Hash
    ? { ...pair, status: 'in-sync', ...(o.readV2 || o.readS3 ? { detail: 'equal as JSON' } : {}) }
    : {
        ...pair,
        status: 'content-mismatch',
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
    status: 'content-mismatch' as const,
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
  'content-mismatch': 0,
  'missing-in-v2': 1,
  'missing-in-s3': 2,
  'orphan-in-v2': 3,
  'orphan-in-s3': 4,
  'in-sync': 5,
};

function compareRows(a: ValidateRow, b: ValidateRow): number {
  const ka = `${a.path ?? ''}\u0000${a.key ?? ''}\u0000${a.namespace ?? ''}\u0000${JSON.stringify(a.tags ?? {})}`;
  const kb = `${b.path ?? ''}\u0000${b.key ?? ''}\u0000${b.namespace ?? ''}\u0000${JSON.stringify(b.tags ?? {})}`;
  return (
    ORDER[a.status] - ORDER[b.status] || (ka < kb ? -1 : ka > kb ? 1 : 0) || a.store.localeCompare(b.store)
  );
}
