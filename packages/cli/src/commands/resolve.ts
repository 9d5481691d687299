import { existsSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ConfigError,
  ConfigErrors,
  UsageError,
  createProgress,
  formatLocation,
  noProgress,
  sortErrors,
  type Progress,
} from '@itemstore/core';
import {
  DEFAULT_MAX_CONFIG_BYTES,
  FsTree,
  loadSettings,
  normalizeRepoPath,
  resolveS3Location,
  resolveTree,
  s3Key,
  type ResolvedConfig,
  type Settings,
} from '@itemstore/config';
import { toV2Json, yaml11Problems, type Yaml11Finding } from '@itemstore/convert';
import { stderr, stdout } from '../io.js';

const HELP = `Usage: itemstore resolve [--repo DIR] [--branch B] [--json] [paths...]

Shows what each config of the config repo is: team, namespace, effective tags, targets (V2, S3) and the S3 key in
the first environment, and checks every config's content the way a deploy would. Problems are printed as
file:line:col: message on stderr; the exit code is 1 when there are any.
  --repo DIR     the config repo (default: the current directory)
  --branch B     resolve as branch B: any branch but the main one adds the tag branch=B (default: the main branch)
  --json         print {branch, isMainBranch, environment, configs, errors} as JSON instead of a table
  paths...       only these configs, or every config below these folders (relative to the repo root or the
                 current directory); all configs are still read so identity conflicts are found`;

export interface ResolveIO {
  out(text: string): void;
  err(line: string): void;
  cwd: string;
  /** Progress on stderr for large repos (none when absent). */
  progress?: Progress;
}

export async function resolveCommand(argv: string[]): Promise<number> {
  return runResolve(argv, { out: stdout, err: stderr, cwd: process.cwd(), progress: createProgress() });
}

/** The command with its terminal passed in, so tests see exactly what a user sees. */
export async function runResolve(argv: string[], io: ResolveIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        repo: { type: 'string' },
        branch: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('\n')[0]} (see \`itemstore resolve --help\`).`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const repo = resolve(io.cwd, values.repo ?? '.');
  if (!existsSync(repo) || !statSync(repo).isDirectory()) {
    throw new UsageError(`--repo ${values.repo ?? '.'} is not a directory.`);
  }
  if (values.branch !== undefined && values.branch.trim() === '') {
    throw new UsageError('--branch needs a branch name.');
  }
  const tree = new FsTree(repo);

  let settings: Settings;
  try {
    settings = await loadSettings(tree);
  } catch (err) {
    if (err instanceof ConfigErrors || err instanceof ConfigError) {
      printProblems(err instanceof ConfigErrors ? err.errors : [err], io);
      return 1;
    }
    throw err;
  }

  const branch = values.branch ?? settings.mainBranch;
  const paths = positionals.length ? positionals.map((p) => toRepoPath(p, repo, io.cwd)) : undefined;
  const progress = io.progress ?? noProgress;
  const resolving = progress.start('resolve: reading the configs and their tags');
  const result = await resolveTree(tree, settings, { branch, ...(paths ? { paths } : {}) }).finally(() =>
    resolving.done(),
  );

  // The content check a deploy would do, so `resolve` finds every problem before a push does.
  const problems: ConfigError[] = [...result.errors];
  const configs: ResolvedConfig[] = [];
  const checking = progress.start('resolve: checking', result.configs.length, 'configs');
  for (const cfg of result.configs) {
    const contentErrors = await checkContent(tree, settings, cfg);
    if (contentErrors.length) problems.push(...contentErrors);
    else configs.push(cfg);
    checking.tick();
  }
  checking.done();

  const environment = settings.environments[0] as string;
  if (values.json) {
    io.out(
      JSON.stringify(
        {
          branch,
          isMainBranch: branch === settings.mainBranch,
          environment,
          configs: configs.map((c) => ({
            ...c,
            ...(c.s3KeyBelowPrefix ? { s3: s3Target(settings, c, environment) } : {}),
          })),
          errors: sortErrors(problems).map((e) => e.toJSON()),
        },
        null,
        2,
      ),
    );
  } else if (configs.length) {
    io.out(table(settings, configs, environment));
  }
  printProblems(problems, io, configs.length);
  return problems.some((e) => e.severity === 'error') ? 1 : 0;
}

async function checkContent(tree: FsTree, settings: Settings, cfg: ResolvedConfig): Promise<ConfigError[]> {
  const bytes = await tree.read(cfg.path);
  if (bytes === undefined) {
    return [new ConfigError('unreadable', `${cfg.path} could not be read`, { file: cfg.path })];
  }
  const findings: Yaml11Finding[] = [];
  try {
    toV2Json(bytes, {
      file: cfg.path,
      format: cfg.format,
      maxBytes: settings.maxConfigBytes ?? DEFAULT_MAX_CONFIG_BYTES,
      yaml11: { onFinding: (f) => findings.push(f) },
    });
    return yaml11Problems(findings, cfg.path, cfg.s3Format === 'bytes');
  } catch (err) {
    if (err instanceof ConfigErrors) return [...err.errors];
    if (err instanceof ConfigError) return [err];
    throw err;
  }
}

function s3Target(
  settings: Settings,
  cfg: ResolvedConfig,
  environment: string,
): { bucket: string; key: string; region: string } {
  const loc = resolveS3Location(settings, cfg.tenant, environment);
  return { bucket: loc.bucket, key: s3Key(loc, cfg), region: loc.region };
}

function table(settings: Settings, configs: ResolvedConfig[], environment: string): string {
  const header = ['PATH', 'TEAM', 'NAMESPACE', 'TAGS (besides name, team)', 'TARGETS', `S3 (${environment})`];
  const rows = configs.map((c) => {
    const tags = Object.entries(c.tags)
      .filter(([k]) => k !== 'name' && k !== 'team')
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    const s3 = c.s3KeyBelowPrefix ? s3Target(settings, c, environment) : undefined;
    return [
      c.path,
      c.team,
      c.namespace,
      tags || '-',
      c.targets.join('+'),
      s3 ? `s3://${s3.bucket}/${s3.key}` : '-',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function printProblems(problems: readonly ConfigError[], io: ResolveIO, resolved?: number): void {
  const sorted = sortErrors(problems);
  for (const e of sorted) {
    io.err(e.severity === 'error' ? e.toString() : `${formatLocation(e)}warning: ${e.message}`);
  }
  const errors = sorted.filter((e) => e.severity === 'error').length;
  const warnings = sorted.length - errors;
  const parts = [
    ...(resolved === undefined ? [] : [`${resolved} config${resolved === 1 ? '' : 's'} resolved`]),
    ...(errors ? [`${errors} error${errors === 1 ? '' : 's'}`] : []),
    ...(warnings ? [`${warnings} warning${warnings === 1 ? '' : 's'}`] : []),
  ];
  if (parts.length) io.err(parts.join(', ') + '.');
}

/** A path argument as a repo path: relative to the current directory when it exists there, else to the repo root. */
function toRepoPath(arg: string, repo: string, cwd: string): string {
  const abs = resolve(cwd, arg);
  if (isAbsolute(arg) || existsSync(abs)) {
    const rel = relative(repo, abs);
    if (rel === '') return '';
    if (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)) return rel.split(sep).join('/');
    if (isAbsolute(arg)) throw new UsageError(`${arg} is outside the config repo ${repo}.`);
  }
  return normalizeRepoPath(arg);
}
