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
import pLimit from 'p-limit';
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
   * True when the object at `key` already holds exactly these bytes (a single-part ETag equal to their MD5). Such a
   * config stored as its bytes is not parsed again: only what will be written must convert, and parsing every
   * unchanged YAML file was most of a no-op sync's time.
   */
  alreadyStored?: (location: S3Location, key: string, md5: string) => boolean | Promise<boolean>;
}

/** Reads and converts every upsert; throws ConfigErrors listing every bad file (nothing has been written yet). */
export async function collectWanted(options: CollectOptions): Promise<Wanted> {
  const locationOf = (tenant: string): S3Location => {
    const l = options.locations.get(tenant);
    if (!l) throw new Error(`collectWanted: no location for tenant "${tenant}"`);
    return l;
  };
  // Read and hash in parallel, then decide per config: one the bucket already holds is not parsed again; the rest
  // are converted. The check may wait for the listing (alreadyStored may answer a promise), so every file is read
  // and hashed while the listing is still coming in; conversion slots are not held while waiting for it.
  const limit = pLimit(options.readConcurrency ?? 32);
  const rendered = await Promise.all(
    options.upserts.map(async (cfg): Promise<DesiredObject | ConfigError[]> => {
      const bytes = await limit(() => options.tree.read(cfg.path));
      if (bytes === undefined) {
        return [
          new ConfigError(
            'missing-file',
            `${cfg.path} is not a regular file in the ${options.tree.label}; it should be synced to S3`,
            { file: cfg.path },
          ),
        ];
      }
      const s3Format = s3FormatFor(cfg.format, cfg.s3Format);
      if (s3Format === 'bytes' && options.alreadyStored) {
        const location = locationOf(cfg.tenant);
        const key = s3Key(location, cfg);
        const md5 = md5Hex(bytes);
        if (await options.alreadyStored(location, key, md5)) {
          return {
            location,
            key,
            path: cfg.path,
            body: bytes,
            md5,
            contentType: contentTypeFor(cfg.path),
            format: s3Format,
          };
        }
      }
      return limit(async (): Promise<DesiredObject | ConfigError[]> => {
        try {
          const r = renderForS3({
            path: cfg.path,
            bytes,
            format: cfg.format,
            s3Format,
            ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
          });
          const refused = yaml11Refusals(cfg.path, r);
          if (refused) throw refused;
          const location = locationOf(cfg.tenant);
          return {
            location,
            key: s3Key(location, cfg),
            path: cfg.path,
            body: r.body,
            md5: r.md5,
            contentType: r.contentType,
            format: s3Format,
          };
        } catch (err) {
          if (err instanceof ConfigError) return [err.file ? err : err.withLocation({ file: cfg.path })];
          if (err instanceof ConfigErrors) return [...err.errors];
          throw err;
        }
      });
    }),
  );

  const errors: ConfigError[] = [];
  const desired: DesiredObject[] = [];
  const byRef = new Map<string, DesiredObject>();
  for (const r of rendered) {
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
