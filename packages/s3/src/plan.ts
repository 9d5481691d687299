/**
 * The sync plan: pure data computed from what we would write and one listing of each prefix. Dry-run, the job
 * summary, the JSON report and applySyncPlan all read the same plan.
 */
import { locationId, type S3Location } from './location.js';

/** An object we would write: the exact bytes, already validated and converted. */
export interface DesiredObject {
  location: S3Location;
  /** Full key: prefix + `<team>/<path below default/>`. */
  key: string;
  /** The config's path in the repo. */
  path: string;
  body: Buffer;
  /** Hex MD5 of body. */
  md5: string;
  contentType: string;
  format: 'bytes' | 'legacy-multidoc';
}

/** A key whose config was deleted (or renamed away) in git. */
export interface DeletionRequest {
  location: S3Location;
  key: string;
  /** The config's path in the base commit. */
  path: string;
  /** The path of the config that replaces it (a rename or identity change): delete only after its upload. */
  replacedBy?: string;
}

export interface RemoteObject {
  key: string;
  /** Without quotes, lower case. A single-part upload's ETag is the MD5 of its bytes; a multipart one ends in -N. */
  etag: string;
  size: number;
}

/** One ListObjectsV2 walk of one location's prefix. */
export interface Listing {
  location: S3Location;
  objects: Map<string, RemoteObject>;
}

export type PlanAction = 'upload' | 'unchanged' | 'delete' | 'keep';

export interface PlanItem {
  bucket: string;
  region: string;
  key: string;
  action: PlanAction;
  /** Bytes uploaded, or the size of the object deleted, kept or left unchanged. */
  bytes: number;
  /** One short phrase for the summary table. */
  reason: string;
  /** The config's path in the repo (absent for objects no config maps to). */
  path?: string;
  /** MD5 of our bytes. */
  md5?: string;
  /** The ETag S3 had before the run. */
  remoteEtag?: string;
  body?: Buffer;
  contentType?: string;
  /**
   * Deletes only: the uploads this delete waits for. It is sent only when every one of them succeeded (a rename's
   * new key; for a full sync's unmapped keys, every upload of the run), otherwise the object is kept.
   */
  waitsFor?: { bucket: string; key: string }[];
}

export type DeletionsMode = 'apply' | 'skip';

export interface SyncPlanInput {
  desired: readonly DesiredObject[];
  deletions: readonly DeletionRequest[];
  listings: readonly Listing[];
  /** MD5 of the stored bytes of multipart objects (their ETag is not an MD5), keyed by objectRef(bucket, key). */
  remoteMd5?: ReadonlyMap<string, string>;
  deletionsMode: DeletionsMode;
  /** Full sync: every object under a listed prefix that no config maps to is a candidate for deletion. */
  full: boolean;
}

export interface SyncPlan {
  items: PlanItem[];
  locations: S3Location[];
  full: boolean;
  deletionsMode: DeletionsMode;
}

/** A shallow copy of `obj` without `key`, the other keys in their order (cheaper than a rest-and-spread copy). */
export function copyWithout<T extends object, K extends keyof T>(obj: T, key: K): Omit<T, K> {
  const out: Partial<T> = {};
  for (const k in obj) if ((k as PropertyKey) !== key && Object.hasOwn(obj, k)) out[k] = obj[k];
  return out as Omit<T, K>;
}

export function objectRef(bucket: string, key: string): string {
  return `${bucket}\u0000${key}`;
}

/** `"abc-3"` → true. S3 computes multipart ETags from the parts' MD5s, so they cannot be compared with ours. */
export function isMultipartEtag(etag: string): boolean {
  return /-\d+$/.test(etag);
}

export function normalizeEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^W\//, '').replace(/"/g, '').toLowerCase();
}

/** The desired objects whose remote ETag is multipart: fetch and hash these before planning. */
export function objectsToVerifyByContent(
  desired: readonly DesiredObject[],
  listings: readonly Listing[],
): { location: S3Location; key: string }[] {
  const byLocation = new Map(listings.map((l) => [locationId(l.location), l.objects]));
  return desired
    .filter((d) => {
      const remote = byLocation.get(locationId(d.location))?.get(d.key);
      return remote !== undefined && isMultipartEtag(remote.etag);
    })
    .map((d) => ({ location: d.location, key: d.key }));
}

export function planSync(input: SyncPlanInput): SyncPlan {
  const remoteByLocation = new Map(input.listings.map((l) => [locationId(l.location), l.objects]));
  const remoteOf = (location: S3Location, key: string): RemoteObject | undefined =>
    remoteByLocation.get(locationId(location))?.get(key);
  // Keys a config maps to, per bucket: never delete these, even when another location's listing also covers them.
  const wanted = new Set(input.desired.map((d) => objectRef(d.location.bucket, d.key)));
  const desiredByPath = new Map(input.desired.map((d) => [d.path, d]));
  const items: PlanItem[] = [];

  // Items are built as whole literals (no spread of a shared base): 10,000 of them on every no-op run.
  for (const d of input.desired) {
    const { bucket, region } = d.location;
    const remote = remoteOf(d.location, d.key);
    if (!remote) {
      items.push({
        bucket,
        region,
        key: d.key,
        path: d.path,
        md5: d.md5,
        bytes: d.body.length,
        action: 'upload',
        reason: 'new',
        body: d.body,
        contentType: d.contentType,
      });
      continue;
    }
    let remoteMd5 = remote.etag;
    let multipart = false;
    if (isMultipartEtag(remote.etag)) {
      const hashed = input.remoteMd5?.get(objectRef(d.location.bucket, d.key));
      if (hashed === undefined) throw new Error(`planSync: multipart object ${d.key} was not hashed first`);
      remoteMd5 = hashed;
      multipart = true;
    }
    if (remoteMd5 === d.md5) {
      items.push({
        bucket,
        region,
        key: d.key,
        path: d.path,
        md5: d.md5,
        bytes: d.body.length,
        action: 'unchanged',
        reason: multipart ? 'MD5 equals stored bytes (multipart ETag)' : 'MD5 equals ETag',
        remoteEtag: remote.etag,
      });
    } else {
      items.push({
        bucket,
        region,
        key: d.key,
        path: d.path,
        md5: d.md5,
        bytes: d.body.length,
        action: 'upload',
        reason: multipart
          ? 'content differs (MD5 ≠ stored bytes (multipart ETag))'
          : 'content differs (MD5 ≠ ETag)',
        remoteEtag: remote.etag,
        body: d.body,
        contentType: d.contentType,
      });
    }
  }

  const planned = new Set<string>();
  for (const del of input.deletions) {
    const ref = objectRef(del.location.bucket, del.key);
    // A config that moved or changed identity but keeps its S3 key is an update, not a delete.
    if (wanted.has(ref) || planned.has(ref)) continue;
    planned.add(ref);
    const remote = remoteOf(del.location, del.key);
    const base = { bucket: del.location.bucket, region: del.location.region, key: del.key, path: del.path };
    if (!remote) {
      items.push({
        ...base,
        action: 'unchanged',
        bytes: 0,
        reason: 'deleted in git; already absent from S3',
      });
    } else if (input.deletionsMode === 'skip') {
      items.push({
        ...base,
        action: 'keep',
        bytes: remote.size,
        reason: 'deleted in git; kept (deletions: skip)',
        remoteEtag: remote.etag,
      });
    } else {
      const by = del.replacedBy === undefined ? undefined : desiredByPath.get(del.replacedBy);
      items.push({
        ...base,
        action: 'delete',
        bytes: remote.size,
        reason: del.replacedBy === undefined ? 'deleted in git' : `replaced by ${del.replacedBy}`,
        remoteEtag: remote.etag,
        ...(by ? { waitsFor: [{ bucket: by.location.bucket, key: by.key }] } : {}),
      });
    }
  }

  if (input.full) {
    // An unmapped key may be a renamed config's old key: delete it only when every upload succeeded.
    const uploads = items.filter((i) => i.action === 'upload').map((i) => ({ bucket: i.bucket, key: i.key }));
    for (const listing of input.listings) {
      for (const remote of listing.objects.values()) {
        const ref = objectRef(listing.location.bucket, remote.key);
        if (wanted.has(ref) || planned.has(ref)) continue;
        planned.add(ref);
        const apply = input.deletionsMode === 'apply';
        items.push({
          ...(apply && uploads.length ? { waitsFor: uploads } : {}),
          bucket: listing.location.bucket,
          region: listing.location.region,
          key: remote.key,
          action: apply ? 'delete' : 'keep',
          bytes: remote.size,
          reason: apply ? 'no config maps to this key' : 'no config maps to this key; kept (deletions: skip)',
          remoteEtag: remote.etag,
        });
      }
    }
  }

  items.sort((a, b) => cmp(a.bucket, b.bucket) || cmp(a.key, b.key));
  const locations = uniqueLocations([
    ...input.listings.map((l) => l.location),
    ...input.desired.map((d) => d.location),
    ...input.deletions.map((d) => d.location),
  ]);
  return { items, locations, full: input.full, deletionsMode: input.deletionsMode };
}

export interface PlanCounts {
  upload: number;
  unchanged: number;
  delete: number;
  keep: number;
}

export function countPlan(plan: SyncPlan): PlanCounts {
  const c: PlanCounts = { upload: 0, unchanged: 0, delete: 0, keep: 0 };
  for (const i of plan.items) c[i.action]++;
  return c;
}

function uniqueLocations(locations: readonly S3Location[]): S3Location[] {
  const seen = new Map<string, S3Location>();
  for (const l of locations) if (!seen.has(locationId(l))) seen.set(locationId(l), l);
  return [...seen.values()];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
