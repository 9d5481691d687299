/**
 * `itemstore migrate`: the notes' three steps, from an S3 prefix or a local mirror of it.
 * 1. the flags table (CSV) — a draft from the paths, or the existing (possibly edited) table;
 * 2. the configs and tags.yaml files in the repo layout;
 * 3. the configs loaded into V2 for the chosen environments (the deploy code of @itemstore/v2);
 * 4. validate (s3-vs-v2, the source against each environment) and the result.
 * Every step is idempotent: a second run writes no file and no V2 version.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import {
  ConfigError,
  ConfigErrors,
  UsageError,
  silentLogger,
  type Logger,
  type RepoTree,
  type TreeFile,
  noProgress,
  type Progress,
} from '@itemstore/core';
import {
  FsTree,
  allConfigsManifest,
  loadSettings,
  objectKey,
  s3FormatFor,
  type S3Location,
  type Settings,
} from '@itemstore/config';
import { canonicalHash, toV2Json } from '@itemstore/convert';
import { deployToV2, type DeployCounts, type ItemStore } from '@itemstore/v2';
import type { ObjectReader } from '../object-side.js';
import { s3Value, validate, type ValidateReport } from '../validate.js';
import { checkEnvironment } from '../repo-items.js';
import { MIGRATION_COMMIT } from '../trail.js';
import { deriveFlagRow, parseFlags, renderFlags, type FlagRow } from './flags.js';
import {
  MIGRATION_STATE_FILE,
  planLayout,
  repoPathOf,
  underAny,
  writeLayout,
  type KeptFile,
  type PlannedFile,
  type RewrittenScalar,
} from './layout.js';

export const MIGRATE_STEPS = ['flags', 'files', 'load', 'validate'] as const;
export type MigrateStep = (typeof MIGRATE_STEPS)[number];

/** Where one environment's V0 configs are read from. */
export interface EnvironmentSource {
  environment: string;
  location: S3Location;
  reader: ObjectReader;
}

export interface MigrateOptions {
  repoDir: string;
  /**
   * One source for every environment (`--from`, `--from-dir DIR`): an S3 location read through `reader`. Without
   * it, `sources` gives each environment its own (the default: each environment's bucket of item-store.yaml).
   */
  location?: S3Location;
  reader?: ObjectReader;
  /** Per environment: V2 environment E is loaded from S3 environment E. */
  sources?: EnvironmentSource[];
  /** The environment whose content the repo's files get (default: prod, else the last environment). */
  repoFrom?: string;
  /** The tenant this source belongs to: keys of other tenants' teams are skipped. */
  tenant?: string;
  /** The flags table (default `<repoDir>/.itemstore/migration-flags.csv`: a dot folder is never a config). */
  flagsFile?: string;
  /** V2 environments to load (default: all of item-store.yaml). */
  environments?: string[];
  /** Only the configs at these repo paths or below these folders. */
  paths?: string[];
  /** Replace these repo files (or folders) even when they changed since migrate wrote them. */
  overwrite?: string[];
  /** Needed for `load` and `validate`. */
  store?: ItemStore;
  steps?: readonly MigrateStep[];
  concurrency?: number;
  logger?: Logger;
  progress?: Progress;
}

/** A key whose content is not the same in every environment's bucket (by listing MD5s). */
export interface EnvironmentDifference {
  /** The key below the prefix (`<team>/<rest>`). */
  key: string;
  path: string;
  /** Each environment's MD5, or null when the key is not in its bucket. */
  md5: Record<string, string | null>;
  /** One sentence for the flags table's note column and the report. */
  note: string;
}

export interface MigrateReport {
  source: string;
  /** Each environment's source and the environment the repo files come from (per-environment migration). */
  sources?: { environment: string; source: string }[];
  repoFrom?: string;
  flags: {
    file: string;
    /** `created`: a new draft; `read`: the existing table was used; `extended`: new keys were appended. */
    state: 'created' | 'read' | 'extended';
    rows: number;
    migrate: number;
    skip: number;
    appended: string[];
  };
  /** Keys whose content differs between the environments' buckets (also noted in the flags table). */
  differences: EnvironmentDifference[];
  files?: {
    written: string[];
    unchanged: string[];
    /** Files changed since migrate wrote them (or never written by it): not replaced, V2 still gets S3's. */
    kept: KeptFile[];
    /** Every scalar YAML 1.1 readers read differently from YAML 1.2, written as its 1.1 value (yaml11.ts). */
    rewritten: RewrittenScalar[];
  };
  load?: { environment: string; counts: DeployCounts }[];
  validate?: ValidateReport[];
}

export function defaultFlagsFile(repoDir: string, tenant?: string, settings?: Settings): string {
  const many = settings ? Object.keys(settings.tenants).length > 1 : false;
  return resolve(
    repoDir,
    '.itemstore',
    tenant && many ? `migration-flags-${tenant}.csv` : 'migration-flags.csv',
  );
}

/** prod when it is an environment, else the last one (the end of the promotion order). */
export function defaultRepoFrom(settings: Settings): string {
  return settings.environments.includes('prod') ? 'prod' : (settings.environments.at(-1) as string);
}

function describeSource(s: { location: S3Location; reader: ObjectReader }): string {
  const { location, reader } = s;
  return `${reader.label === 'S3' ? '' : `${reader.label} as `}s3://${location.bucket}/${location.prefix}`;
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
  const repoFrom = checkEnvironment(
    settings,
    options.repoFrom ?? defaultRepoFrom(settings),
    '--repo-from environment',
  );
  // Every environment's source: one for all (`--from`), or each its own.
  const sourceOf = new Map<string, EnvironmentSource>();
  if (options.sources?.length) {
    for (const s of options.sources) sourceOf.set(checkEnvironment(settings, s.environment), s);
  } else if (options.location && options.reader) {
    for (const e of settings.environments)
      sourceOf.set(e, { environment: e, location: options.location, reader: options.reader });
  } else throw new UsageError('migrate needs a source: one S3 location, or one per environment.');
  for (const e of [...environments, repoFrom]) {
    if (!sourceOf.has(e)) throw new UsageError(`No source for environment ${e}.`);
  }
  const primary = sourceOf.get(repoFrom) as EnvironmentSource;
  const perEnvironment = new Set([...sourceOf.values()].map((s) => sourceId(s))).size > 1;
  const flagsFile = resolve(options.flagsFile ?? defaultFlagsFile(repoDir, options.tenant, settings));
  const flagsLabel = relative(repoDir, flagsFile).startsWith('..') ? flagsFile : relative(repoDir, flagsFile);
  const { location } = primary;

  // 1. Listings (each distinct source once) and the flags table, keyed by the repo source's prefix.
  const listings = new Map<string, Map<string, string>>();
  for (const s of sourceOf.values()) {
    const id = sourceId(s);
    if (listings.has(id)) continue;
    logger.info(`Listing ${describeSource(s)}`);
    const listing = await s.reader.list(s.location);
    const rel = new Map<string, string>();
    for (const [k, o] of listing.objects)
      if (k.startsWith(s.location.prefix)) rel.set(k.slice(s.location.prefix.length), o.etag);
    listings.set(id, rel);
  }
  const listed = (e: string) =>
    listings.get(sourceId(sourceOf.get(e) as EnvironmentSource)) as Map<string, string>;
  const envsRead = settings.environments.filter((e) => sourceOf.has(e));
  const allRel = [...new Set(envsRead.flatMap((e) => [...listed(e).keys()]))].sort();
  const differences: EnvironmentDifference[] = [];
  /** The environments whose object means something else than repoFrom's, read as the legacy readers read them. */
  const meaningDiffers = async (envs: string[], rel: string): Promise<string[]> => {
    const team = rel.split('/')[0] as string;
    const t = Object.hasOwn(settings.teams, team) ? settings.teams[team] : undefined;
    if (!t) return envs;
    const valueIn = async (e: string): Promise<string | undefined> => {
      const s = sourceOf.get(e) as EnvironmentSource;
      const bytes = await s.reader.get(s.location, objectKey(s.location, rel));
      if (!bytes) return undefined;
      try {
        return canonicalHash(s3Value(bytes, rel, t.format, s3FormatFor(t.format, t.s3Format)));
      } catch {
        return undefined; // unreadable: its bytes decide
      }
    };
    const base = await valueIn(repoFrom);
    if (base === undefined) return envs;
    const out: string[] = [];
    for (const e of envs) if ((await valueIn(e)) !== base) out.push(e);
    return out;
  };
  if (perEnvironment) {
    for (const rel of allRel) {
      const md5 = Object.fromEntries(envsRead.map((e) => [e, listed(e).get(rel) ?? null]));
      if (new Set(Object.values(md5)).size === 1) continue;
      const base = md5[repoFrom];
      const absent = envsRead.filter((e) => md5[e] === null);
      let other = envsRead.filter((e) => e !== repoFrom && md5[e] !== null && md5[e] !== base);
      // Other bytes with the same meaning to the legacy readers (a re-formatted object, `true` where the other
      // bucket says `yes`, what SYNCAS3 writes after the merge) are not a difference.
      if (other.length && base) other = await meaningDiffers(other, rel);
      if (!other.length && !absent.length) continue;
      const parts = [
        ...(other.length
          ? [`${other.join(', ')} ${other.length > 1 ? 'differ' : 'differs'} from ${repoFrom}`]
          : []),
        ...(absent.length ? [`not in ${absent.join(', ')}`] : []),
      ];
      differences.push({ key: rel, path: '', md5, note: `${DIFFERS_NOTE}: ${parts.join('; ')}` });
    }
  }
  const keys = allRel.map((rel) => objectKey(location, rel));
  const { rows, state, appended } = await flagsTable(
    flagsFile,
    flagsLabel,
    settings,
    location,
    keys,
    logger,
    options.tenant,
    new Map(differences.map((d) => [objectKey(location, d.key), d.note])),
  );
  const report: MigrateReport = {
    source: describeSource(primary),
    ...(perEnvironment
      ? {
          sources: envsRead.map((e) => ({ environment: e, source: describeSource(sourceOf.get(e)!) })),
          repoFrom,
        }
      : {}),
    flags: {
      file: flagsFile,
      state,
      rows: rows.length,
      migrate: rows.filter((r) => r.action === 'migrate').length,
      skip: rows.filter((r) => r.action === 'skip').length,
      appended,
    },
    differences,
  };
  for (const d of differences) {
    const row = rows.find((r) => r.s3Key === objectKey(location, d.key));
    if (row) d.path = repoPathOf(row, location.prefix);
    logger.warning(`migrate: ${d.key}: ${d.note}`);
  }
  if (!steps.has('files') && !steps.has('load') && !steps.has('validate')) return report;

  // 2. Each source's configs in the repo layout (all checked before anything is written); the repo gets repoFrom's.
  const migrated = rows.filter(
    (r) =>
      r.action === 'migrate' &&
      (!options.paths?.length || underAny(repoPathOf(r, location.prefix), options.paths)),
  );
  const plans = new Map<string, PlannedFile[]>();
  for (const e of [repoFrom, ...environments]) {
    const s = sourceOf.get(e) as EnvironmentSource;
    const id = sourceId(s);
    if (plans.has(id)) continue;
    const present = listed(e);
    const rowsHere = migrated
      .map((r) => ({ ...r, s3Key: objectKey(s.location, r.s3Key.slice(location.prefix.length)) }))
      .filter((r) => present.has(r.s3Key.slice(s.location.prefix.length)));
    const task = progress.start(
      `migrate: read and convert${perEnvironment ? ` (${e})` : ''}`,
      rowsHere.length,
    );
    plans.set(
      id,
      await planLayout({
        rows: rowsHere,
        settings,
        location: s.location,
        reader: s.reader,
        onRead: () => task.tick(),
        repoDir,
        flagsFile: flagsLabel,
        logger,
      }),
    );
    task.done();
  }
  const planOf = (e: string) => plans.get(sourceId(sourceOf.get(e) as EnvironmentSource)) as PlannedFile[];
  const configPaths = (plan: PlannedFile[]) => plan.filter((f) => f.s3Key !== undefined).map((f) => f.path);
  const planned = planOf(repoFrom);
  const paths = configPaths(planned);
  if (steps.has('files')) {
    const rewritten = [...new Set([repoFrom, ...environments])].flatMap((e) =>
      perEnvironment || e === repoFrom
        ? planOf(e).flatMap((f) =>
            (f.rewrites ?? []).map((r) => (perEnvironment ? { ...r, environment: e } : r)),
          )
        : [],
    );
    const unique = dedupeRewrites(rewritten, settings.environments);
    const stateFile = join(repoDir, ...MIGRATION_STATE_FILE.split('/'));
    const stateText = await readFile(stateFile, 'utf8').catch(() => undefined);
    const { state, ...written } = await writeLayout(repoDir, planned, {
      state: stateText ? (JSON.parse(stateText) as Record<string, string>) : {},
      ...(options.overwrite ? { overwrite: options.overwrite } : {}),
    });
    const sorted = Object.fromEntries(Object.entries(state).sort(([a], [b]) => (a < b ? -1 : 1)));
    const stateOut = JSON.stringify(sorted, null, 2) + '\n';
    if (stateOut !== stateText) {
      await mkdir(dirname(stateFile), { recursive: true });
      await writeFile(stateFile, stateOut);
    }
    report.files = { ...written, rewritten: unique };
    for (const k of written.kept) logger.warning(`migrate: ${k.path}: ${k.reason}`);
    for (const r of unique) {
      const line = `migrate: ${r.s3Key}:${r.line}:${r.column}: ${r.from} → ${r.to} in ${r.path}${r.environments ? ` (${r.environments.join(', ')})` : ''} (YAML 1.1 readers' value, ${r.stored})`;
      if (r.note) logger.warning(`${line}; ${r.note}`);
      else logger.info(line);
    }
    if (unique.length) {
      logger.info(
        `migrate: ${unique.length} scalar(s) that YAML 1.1 readers of S3 and YAML 1.2 read differently were written as their YAML 1.1 value`,
      );
    }
    logger.info(
      `migrate: ${report.files.written.length} file(s) written, ${report.files.unchanged.length} already up to date`,
    );
  }
  if (!paths.length && !environments.some((e) => configPaths(planOf(e)).length)) return report;

  // The repo as environment E sees it: repoFrom's files replaced by E's (nothing written to disk).
  // Always the planned (S3) content, so a repo file kept because an author changed it is not loaded by migration.
  const treeFor = (e: string): OverlayTree => new OverlayTree(tree, planOf(e), paths);

  // 3. Load into V2: each environment from its own source.
  if (steps.has('load')) {
    report.load = [];
    for (const environment of environments) {
      const envTree = treeFor(environment);
      const manifest = await allConfigsManifest(envTree, settings, {
        paths: configPaths(planOf(environment)),
        headSha: MIGRATION_COMMIT,
        event: 'migrate',
        note: 'itemstore migrate: the migrated configs',
      });
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
        tree: envTree,
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

  // 4. Validate: each environment against its own source, as JSON values.
  if (steps.has('validate')) {
    report.validate = [];
    for (const environment of environments) {
      const s = sourceOf.get(environment) as EnvironmentSource;
      const envPaths = configPaths(planOf(environment));
      if (!envPaths.length) continue;
      const { report: v } = await validate({
        tree: treeFor(environment),
        settings,
        environment,
        against: 's3-vs-v2',
        store: options.store as ItemStore,
        s3: { reader: s.reader, locationOf: () => s.location },
        paths: envPaths,
        ...(options.concurrency ? { concurrency: options.concurrency } : {}),
        logger,
        progress,
      });
      report.validate.push(v);
    }
  }
  return report;
}

const DIFFERS_NOTE = 'content differs between environments';

function sourceId(s: { location: S3Location; reader: ObjectReader }): string {
  return `${s.reader.label}\u0000${s.location.bucket}\u0000${s.location.prefix}`;
}

function dedupeRewrites(
  all: (RewrittenScalar & { environment?: string })[],
  order: readonly string[],
): RewrittenScalar[] {
  const seen = new Map<string, RewrittenScalar>();
  for (const { environment, ...r } of all) {
    const k = `${r.path}\u0000${r.line}\u0000${r.column}\u0000${r.from}`;
    const hit = seen.get(k);
    if (hit) {
      if (environment) hit.environments = [...(hit.environments ?? []), environment];
    } else seen.set(k, { ...r, ...(environment ? { environments: [environment] } : {}) });
  }
  for (const r of seen.values()) r.environments?.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return [...seen.values()];
}

/** A RepoTree: the working tree with some files replaced or added, and some configs hidden. */
class OverlayTree implements RepoTree {
  readonly label: string;
  readonly root: string;
  private readonly files: Map<string, Buffer>;
  private readonly hidden: Set<string>;

  constructor(
    private readonly base: FsTree,
    files: readonly PlannedFile[],
    basePaths: readonly string[],
  ) {
    this.root = base.root;
    this.label = `${base.label} with another environment's configs`;
    this.files = new Map(files.map((f) => [f.path, f.bytes]));
    this.hidden = new Set(basePaths.filter((p) => !this.files.has(p)));
  }

  async list(): Promise<TreeFile[]> {
    const out = (await this.base.list()).filter((f) => !this.hidden.has(f.path) && !this.files.has(f.path));
    for (const [path, bytes] of this.files) out.push({ path, kind: 'file', size: bytes.length });
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async read(path: string): Promise<Buffer | undefined> {
    if (this.files.has(path)) return this.files.get(path);
    if (this.hidden.has(path)) return undefined;
    return this.base.read(path);
  }
}

async function flagsTable(
  file: string,
  label: string,
  settings: Settings,
  location: S3Location,
  keys: readonly string[],
  logger: Logger,
  tenant?: string,
  notes: ReadonlyMap<string, string> = new Map(),
): Promise<{ rows: FlagRow[]; state: MigrateReport['flags']['state']; appended: string[] }> {
  const derive = (k: string): FlagRow =>
    withNote(deriveFlagRow(settings, location.prefix, k, tenant), notes.get(k));
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (text === undefined) {
    const rows = keys.map(derive);
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
  const wanted = rows.filter((r) => r.action === 'migrate');
  if (!errors.length && wanted.length && keys.length && !wanted.some((r) => present.has(r.s3Key))) {
    // Not one key of the table is in this source: the table belongs to another source (another tenant's bucket).
    throw new ConfigErrors([
      new ConfigError(
        'flags-other-source',
        `this flags table lists another source's keys (${wanted[0]?.s3Key}, …), none of them in s3://${location.bucket}/${location.prefix}; give each source its own table (--flags TENANT=FILE, or migrate.yaml's flags-file input)`,
        { file: label, line: 1, column: 1 },
      ),
    ]);
  }
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
  const added = keys.filter((k) => !inTable.has(k)).map(derive);
  // The note of a row says whether its content differs between environments (kept current; other notes kept).
  let renoted = false;
  for (const r of rows) {
    const want = withNote(r, notes.get(r.s3Key));
    if (want.note !== r.note) {
      r.note = want.note;
      renoted = true;
    }
  }
  if (!added.length) {
    if (renoted) await writeFile(file, renderFlags(rows));
    return { rows, state: 'read', appended: [] };
  }
  const all = [...rows, ...added];
  await writeFile(file, renderFlags(all));
  logger.warning(`migrate: ${added.length} key(s) new in the source were appended to ${label} as draft rows`);
  return { rows: all, state: 'extended', appended: added.map((r) => r.s3Key) };
}

/** A row's note with the environments' difference (replacing an earlier one); other notes are the maintainer's. */
function withNote(row: FlagRow, difference: string | undefined): FlagRow {
  const own = row.note.replace(new RegExp(`(?:^|; )${DIFFERS_NOTE}.*$`), '');
  return { ...row, note: difference ? (own ? `${own}; ${difference}` : difference) : own };
}
