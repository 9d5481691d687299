/**
 * `itemstore audit-yaml11`: every plain scalar that YAML 1.1 readers (the legacy readers of S3) and YAML 1.2 (this
 * suite, V2) read differently, in the repo's configs and in each environment's S3 objects. Before the cutover it
 * says which configs mean something else to S3's readers than to V2's; the CUTOVER runbook has it before migrate.
 */
import pLimit from 'p-limit';
import { ConfigError, ConfigErrors, silentLogger, type Logger, type RepoTree } from '@itemstore/core';
import {
  loadSettings,
  resolveS3Location,
  resolveTree,
  type S3Location,
  type Settings,
} from '@itemstore/config';
import {
  configSyntax,
  plainFor,
  yaml11Findings,
  yaml11Message,
  type Yaml11Finding,
} from '@itemstore/convert';
import { describeLocation, locationId } from '@itemstore/s3';
import type { ObjectReader } from './object-side.js';

export interface Yaml11AuditRow {
  /** `repo` or `s3`. */
  where: 'repo' | 's3';
  /** Repo path, or `s3://bucket/key`. */
  file: string;
  line: number;
  column: number;
  text: string;
  /** The scalar is a mapping key. */
  key: boolean;
  /** repo: S3 gets this file's bytes (an error in resolve); s3: always true. */
  s3Bytes: boolean;
  /** Environments whose bucket holds it (s3 rows). */
  environments?: string[];
  message: string;
  /** YAML 1.1's value, as migration stores it. */
  stored: unknown;
}

export interface Yaml11AuditReport {
  repo: { files: number; rows: number };
  s3: { locations: string[]; objects: number; rows: number; unreadable: string[] };
  rows: Yaml11AuditRow[];
}

export interface Yaml11AuditOptions {
  tree: RepoTree;
  settings?: Settings;
  /** The S3 side; without it only the repo is audited. */
  reader?: ObjectReader;
  environments?: string[];
  locationOf?: (tenant: string, environment: string) => S3Location;
  concurrency?: number;
  logger?: Logger;
}

export async function auditYaml11(options: Yaml11AuditOptions): Promise<Yaml11AuditReport> {
  const logger = options.logger ?? silentLogger;
  const settings = options.settings ?? (await loadSettings(options.tree));
  const rows: Yaml11AuditRow[] = [];
  const row = (where: 'repo' | 's3', file: string, f: Yaml11Finding, s3Bytes: boolean): Yaml11AuditRow => ({
    where,
    file,
    line: f.line,
    column: f.column,
    text: f.text,
    key: f.key,
    s3Bytes,
    message:
      where === 's3'
        ? `${yaml11Message(f, true)} (migrate stores ${plainFor(f.stored)})`
        : yaml11Message(f, s3Bytes),
    stored: f.stored,
  });

  // The repo: every config of main.
  const { configs } = await resolveTree(options.tree, settings, { branch: settings.mainBranch });
  let files = 0;
  for (const c of configs) {
    if (configSyntax(c.path) !== 'yaml') continue;
    const bytes = await options.tree.read(c.path);
    if (!bytes) continue;
    files++;
    try {
      for (const f of yaml11Findings(bytes, { file: c.path, maxBytes: Infinity }))
        rows.push(row('repo', c.path, f, c.s3Format === 'bytes'));
    } catch (err) {
      if (!(err instanceof ConfigError || err instanceof ConfigErrors)) throw err;
      logger.warning(`${c.path}: not audited, it does not parse: ${err.message}`);
    }
  }
  const repoRows = rows.length;

  // S3: each environment's location of each tenant, every YAML object below a team folder.
  const s3 = { locations: [] as string[], objects: 0, rows: 0, unreadable: [] as string[] };
  if (options.reader) {
    const reader = options.reader;
    const envs = options.environments?.length ? options.environments : settings.environments;
    const locationOf = options.locationOf ?? ((tenant, env) => resolveS3Location(settings, tenant, env));
    const locations = new Map<string, { location: S3Location; environments: string[]; teams: Set<string> }>();
    for (const env of envs) {
      for (const [team, t] of Object.entries(settings.teams)) {
        const location = locationOf(t.tenant, env);
        const id = locationId(location);
        const entry = locations.get(id) ?? { location, environments: [], teams: new Set<string>() };
        if (!entry.environments.includes(env)) entry.environments.push(env);
        entry.teams.add(team);
        locations.set(id, entry);
      }
    }
    const limit = pLimit(Math.max(1, options.concurrency ?? 16));
    const found: Yaml11AuditRow[] = [];
    for (const { location, environments, teams } of locations.values()) {
      s3.locations.push(describeLocation(location));
      const listing = await reader.list(location);
      const keys = [...listing.objects.keys()]
        .filter((k) => teams.has(k.slice(location.prefix.length).split('/')[0] as string))
        .filter((k) => configSyntax(k) === 'yaml')
        .sort();
      s3.objects += keys.length;
      await Promise.all(
        keys.map((key) =>
          limit(async () => {
            const bytes = await reader.get(location, key);
            if (!bytes) return;
            const file = `s3://${location.bucket}/${key}`;
            try {
              for (const f of yaml11Findings(bytes, { file, maxBytes: Infinity }))
                found.push({ ...row('s3', file, f, true), environments });
            } catch (err) {
              if (!(err instanceof ConfigError || err instanceof ConfigErrors)) throw err;
              s3.unreadable.push(file);
            }
          }),
        ),
      );
    }
    found.sort((a, b) =>
      a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column,
    );
    rows.push(...found);
    s3.rows = found.length;
  }
  return { repo: { files, rows: repoRows }, s3, rows };
}

/** `file:line:column: message` lines, repo first. */
export function yaml11AuditLines(report: Yaml11AuditReport): string[] {
  return report.rows.map((r) => {
    const where =
      r.where === 'repo' ? (r.s3Bytes ? ' [S3 gets these bytes]' : ' [V2 only or converted]') : '';
    const envs = r.environments ? ` [${r.environments.join(', ')}]` : '';
    return `${r.file}:${r.line}:${r.column}: ${r.message}${where}${envs}`;
  });
}
