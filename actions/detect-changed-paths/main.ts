import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  actionsLogger,
  getBooleanInput,
  getInput,
  runAction,
  setOutputs,
  writeSummary,
} from '@itemstore/action-kit';
import {
  branchOf,
  changeSummary,
  countChanges,
  detectChanges,
  lastSuccessfulRunSha,
  readEventContext,
} from '@itemstore/changes';
import { FsTree, loadSettings, type Settings } from '@itemstore/config';

export function run(): Promise<void> {
  return runAction('detect-changed-paths', main);
}

async function main(): Promise<void> {
  const event = readEventContext();
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const directory = resolve(workspace, getInput('working-directory') || '.');
  const lastSuccess = await lastSuccessOf(event);
  // Started first: detectChanges spawns its first git process before it returns.
  const detection = detectChanges({
    ...(lastSuccess === undefined ? {} : { lastSuccess }),
    directory,
    event,
    base: getInput('base') || undefined,
    head: getInput('head') || undefined,
    defaultBranch: getInput('default-branch') || undefined,
    paths: patterns('paths'),
    exclude: patterns('exclude'),
    trustDirectory: true,
    logger: actionsLogger,
  });
  // item-store.yaml (for the namespaces output) is read and parsed while git works out the changes.
  const settings = loadSettings(new FsTree(directory)).then(
    (value) => ({ value }),
    (err: unknown) => ({ err }),
  );
  const manifest = await detection;

  // Synchronous: each call is quicker than its round trip through libuv's thread pool.
  const dir = mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), 'itemstore-detect-'));
  const file = join(dir, 'changes.json');
  writeFileSync(file, JSON.stringify(manifest, null, 2) + '\n');
  const counts = countChanges(manifest.entries);
  setOutputs({
    manifest: file,
    changed: manifest.entries.length > 0,
    count: manifest.entries.length,
    added: counts.added,
    modified: counts.modified,
    deleted: counts.deleted,
    renamed: counts.renamed,
    mode: manifest.mode,
    branch: manifest.branch,
    'base-sha': manifest.baseSha ?? '',
    'head-sha': manifest.headSha,
    ...teamOutputs(manifest.entries, await settings),
  });
  await writeSummary(changeSummary(manifest));
}

/**
 * `teams` and `namespaces`: JSON arrays (sorted, unique) of the team folders whose configs changed (before and after
 * a rename) and their namespaces from item-store.yaml, for gating later jobs (`contains(fromJSON(...), 'emr')`).
 */
function teamOutputs(
  entries: readonly { path: string; previousPath?: string; kind: string }[],
  settings: { value: Settings } | { err: unknown },
): { teams: string; namespaces: string } {
  const teams = new Set<string>();
  for (const e of entries) {
    if (e.kind !== 'config') continue;
    for (const p of [e.path, e.previousPath]) {
      const team = p?.includes('/') ? p.split('/')[0] : undefined;
      if (team) teams.add(team);
    }
  }
  const namespaces = new Set<string>();
  if ('value' in settings) {
    for (const t of teams) {
      const ns = settings.value.teams[t]?.namespace;
      if (ns) namespaces.add(ns);
    }
  } else {
    actionsLogger.debug(`namespaces: item-store.yaml not read (${(settings.err as Error).message})`);
  }
  return { teams: JSON.stringify([...teams].sort()), namespaces: JSON.stringify([...namespaces].sort()) };
}

/** One glob per line (commas belong to globs such as `*.{yaml,json}`); blank lines and `#` comments skipped. */
function patterns(name: string): string[] {
  return getInput(name)
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s && !s.startsWith('#'));
}

/** since-last-success: the commit of this workflow's last successful push run on the branch, if any. */
async function lastSuccessOf(event: ReturnType<typeof readEventContext>): Promise<string | null | undefined> {
  if (!getBooleanInput('since-last-success', false) || event.eventName !== 'push' || getInput('base'))
    return undefined;
  const token = getInput('token');
  const { GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = process.env;
  const branch = branchOf(event);
  if (!token || !GITHUB_REPOSITORY || !GITHUB_RUN_ID || !branch) {
    actionsLogger.warning(
      "since-last-success needs a token, GITHUB_REPOSITORY and GITHUB_RUN_ID on a branch push; using the push's before.",
    );
    return undefined;
  }
  actionsLogger.mask?.(token);
  return lastSuccessfulRunSha({
    apiUrl: GITHUB_API_URL || 'https://api.github.com',
    repository: GITHUB_REPOSITORY,
    runId: GITHUB_RUN_ID,
    branch,
    event: 'push',
    token,
    logger: actionsLogger,
  });
}
