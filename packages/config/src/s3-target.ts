/**
 * Where a config lives in S3: the one place that resolves an S3 location (item-store.yaml, then the run's
 * overrides) and the one place that builds an object key. sync-s3, validate, validate --fix, promote and
 * `itemstore resolve` all go through here, so they cannot disagree about where a config is.
 */
import { ConfigError, UsageError } from '@itemstore/core';
import { s3Location, type S3Location, type Settings } from './settings.js';

/** What S3 stores for a config: its bytes as in git, or the legacy multi-document YAML. */
export type S3Format = 'bytes' | 'legacy-multidoc';

/** Inputs that replace what item-store.yaml says (for every tenant in the run). */
export interface LocationOverrides {
  bucket?: string;
  prefix?: string;
  region?: string;
}

/** Where one S3-bound config goes in one environment: computed by s3TargetOf only. */
export interface S3Target {
  location: S3Location;
  bucket: string;
  region: string;
  /** The full object key: the location's prefix + `<team>/<path below default/>`. */
  key: string;
  format: S3Format;
}

/** The part of a resolved config (or a manifest entry) that says whether and where it goes to S3. */
export interface S3Bound {
  path: string;
  /** The team's format (`plain`, `config-list`, `dq`). */
  format: string;
  /** `<team>/<path below default/>`; absent when S3 is not a target. */
  s3KeyBelowPrefix?: string;
  s3Format?: S3Format;
}

/** dq teams always store the legacy format; others only when the team says s3Format: legacy-multidoc. */
export function s3FormatFor(format: string, s3Format: S3Format | undefined): S3Format {
  return s3Format ?? (format === 'dq' ? 'legacy-multidoc' : 'bytes');
}

/** `item-store` and `/item-store/` both mean `item-store/`; '' and '/' mean the bucket's root. */
export function normalizePrefix(prefix: string): string {
  const p = prefix.replace(/^\/+/, '');
  return p === '' || p.endsWith('/') ? p : `${p}/`;
}

/** A location with the overrides applied; `what` names it in the error when there is no bucket or region. */
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

/**
 * Where a tenant's configs live in S3 for an environment: item-store.yaml's location, then the overrides. When
 * item-store.yaml has none, a bucket override is enough (with a region from the overrides); otherwise the
 * ConfigError located at item-store.yaml is thrown.
 */
export function resolveS3Location(
  settings: Settings,
  tenant: string,
  environment: string,
  overrides: LocationOverrides = {},
): S3Location {
  let base: S3Location | undefined;
  try {
    base = s3Location(settings, tenant, environment);
  } catch (err) {
    if (!(err instanceof ConfigError) || !overrides.bucket) throw err;
  }
  return applyOverrides(base, overrides, `tenant "${tenant}" in environment "${environment}"`);
}

/**
 * The S3 key of a name below a location's prefix: the one place a key is put together. `s3Key` uses it for a
 * config; listings, mirrors and migration use it for the names they read below the prefix.
 */
export function objectKey(location: Pick<S3Location, 'prefix'>, belowPrefix: string): string {
  return location.prefix + belowPrefix;
}

/** The full S3 object key of a config: the location's prefix + `<team>/<path below default/>`. */
export function s3Key(location: S3Location, cfg: { path: string; s3KeyBelowPrefix?: string }): string {
  if (cfg.s3KeyBelowPrefix === undefined) {
    throw new ConfigError(
      'not-s3-target',
      'this config does not go to S3: only configs under <team>/default/ do',
      {
        file: cfg.path,
      },
    );
  }
  return objectKey(location, cfg.s3KeyBelowPrefix);
}

/** Where a config goes in S3 at `location`, or undefined when S3 is not one of its targets. */
export function s3TargetOf(location: S3Location, cfg: S3Bound): S3Target | undefined {
  if (cfg.s3KeyBelowPrefix === undefined) return undefined;
  return {
    location,
    bucket: location.bucket,
    region: location.region,
    key: s3Key(location, cfg),
    format: s3FormatFor(cfg.format, cfg.s3Format),
  };
}
