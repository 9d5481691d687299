/**
 * What a run wants in S3: objects to write (validated and converted) and keys to delete, from a resolved manifest
 * or from the whole working tree (`full`). Every config is read and converted here, before any request.
 */
import {
  ConfigError,
  ConfigErrors,
  md5Hex,
  replacementsOf,
  type RepoTree,
  type ResolvedManifest,
} from '@itemstore/core';
import {
  resolveS3Location,
  s3FormatFor,
  s3Key,
  type LocationOverrides,
  type S3Format,
  type Settings,
} from '@itemstore/config';
import type { S3Location } from './location.js';
import { objectRef, type DeletionRequest, type DesiredObject } from './plan.js';
import { contentTypeFor, renderForS3, yaml11Refusals } from './render.js';

/** A config that goes to S3, as the manifest or the resolver describes it. */
export interface S3Config {
  path: string;
  tenant: string;
  team?: string;
  format: string;
  s3KeyBelowPrefix: string;
  s3Format?: S3Format;
  /** Deletes only: the path of the upsert that replaces this config (a rename or identity change). */
  replacedBy?: string;
}

export interface Wanted {
  desired: DesiredObject[];
  deletions: DeletionRequest[];
}

/**
 * Where each tenant's configs go in this environment (item-store.yaml, then the overrides). Known before any
 * config is read, so listings can start while the configs are validated.
 */
export function tenantLocations(
  settings: Settings,
  environment: string,
  overrides: LocationOverrides,
  tenants: Iterable<string>,
): Map<string, S3Location> {
  const out = new Map<string, S3Location>();
  const errors: ConfigError[] = [];
  for (const tenant of tenants) {
    if (out.has(tenant)) continue;
    try {
      out.set(tenant, resolveS3Location(settings, tenant, environment, overrides));
    } catch (err) {
      if (err instanceof ConfigError) errors.push(err);
      else throw err;
    }
  }
  if (errors.length) throw new ConfigErrors(errors);
  return out;
}

export interface CollectOptions {
  tree: RepoTree;
  /** Tenant → location (tenantLocations), for every tenant of upserts and deletes. */
  locations: ReadonlyMap<string, S3Location>;
  upserts: readonly S3Config[];
  deletes: readonly S3Config[];
  maxBytes?: number;
  /** Files read at once. */
  readConcurrency?: number;
  /**
   * Resolves, once the listings are in, to the ETag (normalized) stored at `key`, if any. A config stored as its
   * bytes whose MD5 equals a single-part ETag is then not parsed again: only what will be written must convert, and
   * parsing every unchanged YAML file was most of a no-op sync's time. Every file is read and hashed before this is
   * awaited, so the reading overlaps the listing.
   */
  storedEtags?: Promise<(location: S3Location, key: string) => string | undefined>;
}

/** A config read (and, when it may already be stored, hashed) but not parsed yet. */
interface ReadConfig {
  cfg: S3Config;
  bytes: Buffer;
  s3Format: S3Format;
  /** Set when the bytes themselves are what S3 gets and the listing may show them stored. */
  md5?: string;
}

/** Reads and converts every upsert; throws ConfigErrors listing every bad file (nothing has been written yet). */
export async function collectWanted(options: CollectOptions): Promise<Wanted> {
  const locationOf = (tenant: string): S3Location => {
    const l = options.locations.get(tenant);
    if (!l) throw new Error(`collectWanted: no location for tenant "${tenant}"`);
    return l;
  };
  const render = (r: ReadConfig): DesiredObject | ConfigError[] => {
    const { cfg, s3Format } = r;
    try {
      const out = renderForS3({
        path: cfg.path,
        bytes: r.bytes,
        format: cfg.format,
        s3Format,
        ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
      });
      const refused = yaml11Refusals(cfg.path, out);
      if (refused) throw refused;
      const location = locationOf(cfg.tenant);
      return {
        location,
        key: s3Key(location, cfg),
        path: cfg.path,
        body: out.body,
        md5: out.md5,
        contentType: out.contentType,
        format: s3Format,
      };
    } catch (err) {
      if (err instanceof ConfigError) return [err.file ? err : err.withLocation({ file: cfg.path })];
      if (err instanceof ConfigErrors) return [...err.errors];
      throw err;
    }
  };

  // 1. Read every file (a few at a time) while the listing comes in. A config whose bytes are what S3 gets is only
  // hashed for now (the listing decides whether it needs parsing); every other config is converted at once.
  const rendered: (DesiredObject | ConfigError[] | ReadConfig)[] = new Array(options.upserts.length);
  const step = Math.max(1, options.readConcurrency ?? 32);
  for (let from = 0; from < options.upserts.length; from += step) {
    const batch = options.upserts.slice(from, from + step);
    const read = await Promise.all(batch.map((cfg) => options.tree.read(cfg.path)));
    for (const [j, cfg] of batch.entries()) {
      const bytes = read[j];
      if (bytes === undefined) {
        rendered[from + j] = [
          new ConfigError(
            'missing-file',
            `${cfg.path} is not a regular file in the ${options.tree.label}; it should be synced to S3`,
            { file: cfg.path },
          ),
        ];
        continue;
      }
      const s3Format = s3FormatFor(cfg.format, cfg.s3Format);
      rendered[from + j] =
        s3Format === 'bytes' && options.storedEtags
          ? { cfg, bytes, s3Format, md5: md5Hex(bytes) }
          : render({ cfg, bytes, s3Format });
    }
  }

  // 2. Once the listing is in: a config whose bytes the bucket already holds is wanted as it is; the rest convert.
  const etagOf = options.storedEtags ? await options.storedEtags : undefined;
  for (const [i, r] of rendered.entries()) {
    if (Array.isArray(r) || !('cfg' in r)) continue;
    const location = locationOf(r.cfg.tenant);
    const key = s3Key(location, r.cfg);
    rendered[i] =
      r.md5 !== undefined && etagOf?.(location, key) === r.md5
        ? {
            location,
            key,
            path: r.cfg.path,
            body: r.bytes,
            md5: r.md5,
            contentType: contentTypeFor(r.cfg.path),
            format: r.s3Format,
          }
        : render(r);
  }

  const errors: ConfigError[] = [];
  const desired: DesiredObject[] = [];
  const byRef = new Map<string, DesiredObject>();
  for (const r of rendered as (DesiredObject | ConfigError[])[]) {
    if (Array.isArray(r)) {
      errors.push(...r);
      continue;
    }
    const ref = objectRef(r.location.bucket, r.key);
    const other = byRef.get(ref);
    if (other && other.path !== r.path) {
      errors.push(
        new ConfigError(
          's3-key-conflict',
          `${r.path} and ${other.path} would both be written to s3://${r.location.bucket}/${r.key}`,
          { file: r.path },
        ),
      );
    } else if (!other) {
      byRef.set(ref, r);
      desired.push(r);
    }
  }

  const deletions: DeletionRequest[] = options.deletes.map((cfg) => {
    const location = locationOf(cfg.tenant);
    return {
      location,
      key: s3Key(location, cfg),
      path: cfg.path,
      ...(cfg.replacedBy === undefined ? {} : { replacedBy: cfg.replacedBy }),
    };
  });
  if (errors.length) throw new ConfigErrors(dedupe(errors));
  return { desired, deletions };
}

/** The S3 side of a resolved manifest: upserts and deletions of entries whose targets include s3. */
export function s3EntriesOf(manifest: ResolvedManifest): { upserts: S3Config[]; deletes: S3Config[] } {
  const upserts: S3Config[] = [];
  const deletes: S3Config[] = [];
  const replacements = replacementsOf(manifest.entries);
  for (const e of manifest.entries) {
    if (!e.targets.includes('s3') || e.s3KeyBelowPrefix === undefined) continue;
    const cfg: S3Config = {
      path: e.path,
      tenant: e.tenant,
      team: e.team,
      format: e.format,
      s3KeyBelowPrefix: e.s3KeyBelowPrefix,
      ...(e.s3Format === undefined ? {} : { s3Format: e.s3Format }),
    };
    const by = replacements.get(e);
    // Only an upload can stand in for an S3 object: a replacement that goes to V2 only is no dependency here.
    if (by && by.targets.includes('s3') && by.s3KeyBelowPrefix !== undefined) cfg.replacedBy = by.path;
    (e.action === 'delete' ? deletes : upserts).push(cfg);
  }
  return { upserts, deletes };
}

function dedupe(errors: ConfigError[]): ConfigError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.code}\u0000${e.file}\u0000${e.line}\u0000${e.column}\u0000${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
