/**
 * `itemstore migrate`: the notes' three steps, from an S3 prefix or a local mirror of it.
 * 1. the flags table (CSV) — a draft from the paths, or the existing (possibly edited) table;
 * 2. the configs and tags.yaml files in the repo layout;
 * 3. the configs loaded into V2 for the chosen environments (the deploy code of @itemstore/v2);
 * 4. validate (s3-vs-v2, the source against each environment) and the result.
 * Every step is idempotent: a second run writes no file and no V2 version.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import {
  ConfigError,
  ConfigErrors,
  RESOLVED_MANIFEST_VERSION,
  UsageError,
  silentLogger,
  type Logger,
  type ResolvedEntry,
  type ResolvedManifest,
} from '@itemstore/core';
import { FsTree, loadSettings, resolveTree, type Settings } from '@itemstore/config';
import { toV2Json } from '@itemstore/convert';
import type { S3Location } from '@itemstore/s3';
import { deployToV2, type DeployCounts, type ItemStore } from '@itemstore/v2';
import type { ObjectReader } from '../object-side.js';
import { noProgress, type Progress } from '../progress.js';
import { validate, type ValidateReport } from '../validate.js';
import { checkEnvironment } from '../repo-items.js';
import { deriveFlagRow, parseFlags, renderFlags, type FlagRow } from './flags.js';
import { planLayout, repoPathOf, writeLayout, type RewrittenScalar } from './layout.js';

export const MIGRATE_STEPS = ['flags', 'files', 'load', 'validate'] as const;
export type MigrateStep = (typeof MIGRATE_STEPS)[number];

export interface MigrateOptions {
  repoDir: string;
  /** The source: an S3 location read through `reader` (S3Reader or MirrorReader). */
  location: S3Location;
  reader: ObjectReader;
  /** The flags table (default `<repoDir>/.itemstore/migration-flags.csv`: a dot folder is never a config). */
  flagsFile?: string;
  /** V2 environments to load (default: all of item-store.yaml). */
  environments?: string[];
  /** Needed for `load` and `validate`. */
  store?: ItemStore;
  steps?: readonly MigrateStep[];
  concurrency?: number;
  logger?: Logger;
  progress?: Progress;
}

export interface MigrateReport {
  source: string;
  flags: {
    file: string;
    /** `created`: a new draft; `read`: the existing table was used; `extended`: new keys were appended. */
    state: 'created' | 'read' | 'extended';
    rows: number;
    migrate: number;
    skip: number;
    appended: string[];
  };
  files?: {
    written: string[];
    unchanged: string[];
    /** Every scalar YAML 1.1 readers read differently from YAML 1.2, written as its 1.1 value (yaml11.ts). */
    rewritten: RewrittenScalar[];
  };
  load?: { environment: string; counts: DeployCounts }[];
  validate?: ValidateReport[];
}

export function defaultFlagsFile(repoDir: string): string {
  return resolve(repoDir, '.itemstore', 'migration-flags.csv');
}

export async function migrate(options: MigrateOptions): Promise<MigrateReport> {
  const logger = options.logger ?? silentLogger;
  const progress = options.progress ?? noProgress;
  const steps = new Set(options.steps ?? MIGRATE_STEPS);
  const repoDir = resolve(options.repoDir);
  const tree = new FsTree(repoDir);
  const settings = await loadSettings(tree);
  const environments = (options.environments?.length ? options.environments : settings.environments).map(
    (e) => checkEnvironment(settings, e),
  );
  if ((steps.has('load') || steps.has('validate')) && !options.store) {
    throw new UsageError('Loading into V2 and validating need the Item Store URL and token.');
  }
  const flagsFile = resolve(options.flagsFile ?? defaultFlagsFile(repoDir));
  const flagsLabel = relative(repoDir, flagsFile).startsWith('..') ? flagsFile : relative(repoDir, flagsFile);
  const { location, reader } = options;
  const source = `${reader.label === 'S3' ? '' : `${reader.label} as `}s3://${location.bucket}/${location.prefix}`;

  // 1. The flags table.
  logger.info(`Listing ${source}`);
  const listing = await reader.list(location);
  const keys = [...listing.objects.keys()].sort();
  const { rows, state, appended } = await flagsTable(flagsFile, flagsLabel, settings, location, keys, logger);
  const report: MigrateReport = {
    source,
    flags: {
      file: flagsFile,
      state,
      rows: rows.length,
      migrate: rows.filter((r) => r.action === 'migrate').length,
      skip: rows.filter((r) => r.action === 'skip').length,
      appended,
    },
  };
  if (!steps.has('files') && !steps.has('load') && !steps.has('validate')) return report;

  // 2. The repo layout (checked as a whole before anything is written).
  const migrated = rows.filter((r) => r.action === 'migrate');
  const paths = migrated.map((r) => repoPathOf(r, location.prefix));
  if (steps.has('files')) {
    const task = progress.start('migrate: read and convert', migrated.length);
    const planned = await planLayout({
      rows: migrated,
      settings,
      location,
      reader,
      onRead: () => task.tick(),
      repoDir,
      flagsFile: flagsLabel,
      logger,
    });
    task.done();
    const rewritten = planned.flatMap((f) => f.rewrites ?? []);
    report.files = { ...(await writeLayout(repoDir, planned)), rewritten };
    for (const r of rewritten) {
      const line = `migrate: ${r.s3Key}:${r.line}:${r.column}: ${r.from} → ${r.to} in ${r.path} (YAML 1.1 readers' value, ${r.stored})`;
      if (r.note) logger.warning(`${line}; ${r.note}`);
      else logger.info(line);
    }
    if (rewritten.length) {
      logger.info(
        `migrate: ${rewritten.length} scalar(s) that YAML 1.1 readers of S3 and YAML 1.2 read differently were written as their YAML 1.1 value`,
      );
    }
    logger.info(
      `migrate: ${report.files.written.length} file(s) written, ${report.files.unchanged.length} already up to date`,
    );
  }
  if (!paths.length) return report;

  // 3. Load into V2: every migrated config that goes to V2, deployed to each environment.
  if (steps.has('load')) {
    const manifest = await manifestOf(tree, settings, paths);
    report.load = [];
    for (const environment of environments) {
      const total = manifest.entries.filter((e) => e.targets.includes('v2')).length;
      const task = progress.start(`migrate: load V2 ${environment}`, total);
      const { report: deployed } = await deployToV2(manifest, {
        store: options.store as ItemStore,
        environment,
        dryRun: false,
        deletions: 'skip',
        concurrency: options.concurrency ?? 8,
        // Migration versions are not from a commit, so nothing is ever stale against them.
        isAncestor: async () => false,
        convert: toV2Json,
        tree,
        ...(settings.maxConfigBytes ? { maxBytes: settings.maxConfigBytes } : {}),
        logger,
        onResult: () => task.tick(),
      });
      task.done();
      report.load.push({ environment, counts: deployed.counts });
      const c = deployed.counts;
      logger.info(
        `migrate: V2 ${environment}: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.failed} failed`,
      );
    }
  }

  // 4. Validate: the source against each environment, as JSON values.
  if (steps.has('validate')) {
    report.validate = [];
    for (const environment of environments) {
      const { report: v } = await validate({
        tree,
        settings,
        environment,
        against: 's3-vs-v2',
        store: options.store as ItemStore,
        s3: { reader, locationOf: () => location },
        paths,
        ...(options.concurrency ? { concurrency: options.concurrency } : {}),
        logger,
        progress,
      });
      report.validate.push(v);
    }
  }
  return report;
}

async function flagsTable(
  file: string,
  label: string,
  settings: Settings,
  location: S3Location,
  keys: readonly string[],
  logger: Logger,
): Promise<{ rows: FlagRow[]; state: MigrateReport['flags']['state']; appended: string[] }> {
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (text === undefined) {
    const rows = keys.map((k) => deriveFlagRow(settings, location.prefix, k));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, renderFlags(rows));
    logger.info(
      `migrate: wrote the flags table draft ${label} (${rows.length} keys); edit it and run again to change tags or skip keys`,
    );
    return { rows, state: 'created', appended: [] };
  }
  const { rows, errors } = parseFlags(text, label, settings);
  const present = new Set(keys);
  const inTable = new Set(rows.map((r) => r.s3Key));
  for (const r of rows) {
    if (!present.has(r.s3Key) && r.action === 'migrate') {
      errors.push(
        new ConfigError(
          'flags-unknown-key',
          `${r.s3Key} is not in the source any more; remove the row or mark it skip`,
          { file: label, ...(r.line ? { line: r.line, column: 1 } : {}) },
        ),
      );
    }
  }
  if (errors.length) throw new ConfigErrors(errors);
  const added = keys.filter((k) => !inTable.has(k)).map((k) => deriveFlagRow(settings, location.prefix, k));
  if (!added.length) return { rows, state: 'read', appended: [] };
  const all = [...rows, ...added];
  await writeFile(file, renderFlags(all));
  logger.warning(`migrate: ${added.length} key(s) new in the source were appended to ${label} as draft rows`);
  return { rows: all, state: 'extended', appended: added.map((r) => r.s3Key) };
}

/** A resolved manifest of the given configs of main, as resolve-tags would make for a full run. */
export async function manifestOf(
  tree: FsTree,
  settings: Settings,
  paths?: string[],
): Promise<ResolvedManifest> {
  const { configs, errors } = await resolveTree(tree, settings, {
    branch: settings.mainBranch,
    ...(paths ? { paths } : {}),
  });
  const fatal = errors.filter((e) => e.severity === 'error');
  if (fatal.length) throw new ConfigErrors(fatal);
  const entries: ResolvedEntry[] = configs.map((c) => ({
    ...c,
    status: 'unchanged',
    reason: 'all',
    side: 'head',
    action: 'upsert',
  }));
  return {
    version: RESOLVED_MANIFEST_VERSION,
    mode: 'all',
    note: 'itemstore migrate: the migrated configs',
    event: 'migrate',
    branch: settings.mainBranch,
    isMainBranch: true,
    baseSha: null,
    headSha: 'migration',
    workingDirectory: '',
    repoRoot: tree.root,
    entries,
    errors: [],
  };
}
