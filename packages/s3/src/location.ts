import { UsageError } from '@itemstore/core';

/** Where one tenant's configs live in S3 for one environment. */
export interface S3Location {
  bucket: string;
  /** '' or a key prefix ending in '/'. */
  prefix: string;
  region: string;
}

/** Inputs that replace what item-store.yaml says (for every tenant in the run). */
export interface LocationOverrides {
  bucket?: string;
  prefix?: string;
  region?: string;
}

/** `item-store` and `/item-store/` both mean `item-store/`; '' and '/' mean the bucket's root. */
export function normalizePrefix(prefix: string): string {
  const p = prefix.replace(/^\/+/, '');
  return p === '' || p.endsWith('/') ? p : `${p}/`;
}

export function applyOverrides(
  base: Partial<S3Location> | undefined,
  overrides: LocationOverrides,
  what: string,
): S3Location {
  const bucket = overrides.bucket || base?.bucket;
  const region = overrides.region || base?.region;
  if (!bucket) {
    throw new UsageError(`No S3 bucket for ${what}: add it to item-store.yaml or pass the bucket input.`);
  }
  if (!region) {
    throw new UsageError(`No AWS region for ${what}: add it to item-store.yaml or pass the region input.`);
  }
  return { bucket, region, prefix: normalizePrefix(overrides.prefix ?? base?.prefix ?? '') };
}

/** Groups what is listed together: one listing per bucket and prefix. */
export function locationId(l: S3Location): string {
  return `${l.region}\u0000${l.bucket}\u0000${l.prefix}`;
}

export function describeLocation(l: S3Location): string {
  return `s3://${l.bucket}/${l.prefix}`;
}
