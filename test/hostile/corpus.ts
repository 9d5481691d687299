/**
 * The hostile-input corpus (test/hostile/cases/*.json): each case is a small config repo (a base repo with the
 * case's files laid over it) and the located problems the plan must report for it. `runCase` runs the offline part
 * of a plan, exactly what a pull request's plan does before it talks to the store: item-store.yaml, tags.yaml,
 * tag resolution, then reading and converting every config. Used by hostile.test.ts and, bundled, by
 * scripts/hostile-figures.mjs (one child process per case, for its time and peak RSS).
 */
import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ConfigError } from '@itemstore/core';
import { ConfigErrors, RESOLVED_MANIFEST_VERSION, type ResolvedManifest } from '@itemstore/core';
import { FsTree, loadSettings, resolveTree } from '@itemstore/config';
import { toV2Json } from '@itemstore/convert';
import { prepareDeploy } from '@itemstore/v2';

/** A file's content: text, or parts (text, `[text, n]` repeated n times, `{hex}` raw bytes), or null to remove it. */
export type Part = string | [string, number] | { hex: string };
export type FileSpec = string | Part[] | null;

export interface HostileCase {
  /** The file name without .json. */
  id: string;
  /** What the case is, one line. */
  what: string;
  /** Files laid over the base repo, by repo-relative path. */
  files?: Record<string, FileSpec>;
  /** Symlinks to create: path → link target. */
  symlinks?: Record<string, string>;
  /** Hard links to create: new path → an existing path (or `OUTSIDE`, a file outside the repo). */
  hardlinks?: Record<string, string>;
  /** The branch deployed (default main). */
  branch?: string;
  /**
   * Problems the plan must report, each `file:line:column severity code` (`-` where there is no line or column).
   * Every one must be among the reported problems; an `error` means the plan refuses.
   */
  expect: string[];
}

export const CASES_DIR = join(import.meta.dirname, 'cases');

export const BASE_FILES: Record<string, string> = {
  'item-store.yaml': [
    'version: 1',
    'environments: [dev, qa, prod]',
    'tenants:',
    '  retail:',
    '    region: us-east-1',
    '    s3:',
    '      dev: { bucket: retail-dev, prefix: item-store/ }',
    '      qa: { bucket: retail-qa, prefix: item-store/ }',
    '      prod: { bucket: retail-prod, prefix: item-store/ }',
    'teams:',
    '  team: { tenant: retail, namespace: team-ns }',
    '  dq: { tenant: retail, namespace: dq-ns, format: dq }',
    '',
  ].join('\n'),
  'team/tags.yaml': 'tags:\n  env: test\n',
  'team/ok.yaml': 'a: 1\n',
  'dq/default/rules.yaml': 'config_list:\n  - rule: r1\n',
};

export function loadCases(dir = CASES_DIR): HostileCase[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map(
      (f) =>
        ({
          id: f.slice(0, -5),
          ...(JSON.parse(readFileSync(join(dir, f), 'utf8')) as object),
        }) as HostileCase,
    );
}

export function materialize(spec: Exclude<FileSpec, null>): Buffer {
  if (typeof spec === 'string') return Buffer.from(spec, 'utf8');
  return Buffer.concat(
    spec.map((p) =>
      typeof p === 'string'
        ? Buffer.from(p, 'utf8')
        : Array.isArray(p)
          ? Buffer.from(p[0].repeat(p[1]), 'utf8')
          : Buffer.from(p.hex, 'hex'),
    ),
  );
}

/** Writes the case's repo into a new temp folder; returns it (and a folder outside it, for hard links). */
export function writeCaseRepo(c: HostileCase): { dir: string; cleanup: () => void } {
  const top = mkdtempSync(join(tmpdir(), 'hostile-'));
  const dir = join(top, 'repo');
  const files: Record<string, FileSpec> = { ...BASE_FILES, ...c.files };
  for (const [path, spec] of Object.entries(files)) {
    if (spec === null) continue;
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), materialize(spec));
  }
  for (const [path, target] of Object.entries(c.symlinks ?? {})) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    symlinkSync(target, join(dir, path));
  }
  for (const [path, existing] of Object.entries(c.hardlinks ?? {})) {
    let from = join(dir, existing);
    if (existing === 'OUTSIDE') {
      from = join(top, 'outside.yaml');
      writeFileSync(from, 'secret: outside the repo\n');
    }
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    linkSync(from, join(dir, path));
  }
  return { dir, cleanup: () => rmSync(top, { recursive: true, force: true }) };
}

/** `file:line:column severity code`. */
export function formatProblem(e: ConfigError): string {
  return `${e.file ?? '-'}:${e.line ?? '-'}:${e.column ?? '-'} ${e.severity} ${e.code}`;
}

/**
 * The offline plan of a repo: every problem it reports, formatted. Anything thrown that is not a ConfigError
 * (a crash, "a bug") is thrown on: the corpus exists to show there is none.
 */
export async function planProblems(dir: string, branch = 'main'): Promise<ConfigError[]> {
  const tree = new FsTree(dir);
  let settings;
  try {
    settings = await loadSettings(tree);
  } catch (err) {
    if (err instanceof ConfigErrors) return [...err.errors];
    throw err;
  }
  const { configs, errors } = await resolveTree(tree, settings, { branch });
  const problems = [...errors];
  const manifest: ResolvedManifest = {
    version: RESOLVED_MANIFEST_VERSION,
    mode: 'all',
    note: 'hostile corpus',
    event: 'cli',
    branch,
    isMainBranch: branch === settings.mainBranch,
    baseSha: null,
    headSha: '0'.repeat(40),
    workingDirectory: '',
    repoRoot: dir,
    entries: configs.map((c) => ({
      ...c,
      status: 'unchanged',
      reason: 'all',
      side: 'head',
      action: 'upsert',
    })),
    errors: [],
  };
  try {
    await prepareDeploy(manifest, {
      convert: toV2Json,
      tree,
      ...(settings.maxConfigBytes ? { maxBytes: settings.maxConfigBytes } : {}),
    });
  } catch (err) {
    if (err instanceof ConfigErrors) problems.push(...err.errors);
    else throw err;
  }
  return problems;
}

export async function runCase(c: HostileCase): Promise<string[]> {
  const { dir, cleanup } = writeCaseRepo(c);
  try {
    return (await planProblems(dir, c.branch)).map(formatProblem);
  } finally {
    cleanup();
  }
}
