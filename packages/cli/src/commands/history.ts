import { resolve } from 'node:path';
import { UsageError } from '@itemstore/core';
import {
  FsTree,
  formatTags,
  knownEnvironment,
  loadSettings,
  normalizeRepoPath,
  resolveTree,
} from '@itemstore/config';
import { HttpItemStore, findExact, type VersionInfo } from '@itemstore/v2';
import { stdout } from '../io.js';
import { V2_FLAGS, flags, parseCommandWithPositionals, v2Connection } from '../args.js';

const HELP = `Usage: itemstore history <config path> [--environment ENV] [--json] [options]

An item's versions per environment, newest first, with the audit trail each write recorded: who (GITHUB_ACTOR or
the local user), which run, which commit and path, and for a promotion the environment and version it came from.
  <config path>       a config of the repo, e.g. ffi2/default/vendor_feed.json
  --repo DIR          the config repo (default: the current directory)
  --branch B          the branch whose item to show (default: the main branch's item, without a branch tag)
  --environment ENV   only this environment (default: every environment of item-store.yaml, in order)
  --url URL           Item Store V2 base URL (or ITEMSTORE_URL)
  --token T           bearer token (or ITEMSTORE_TOKEN); read access is enough
  --json              print {path, namespace, tags, itemId, environments: {ENV: [versions]}}
Exit: 0 shown, 1 no such item in V2, 2 bad usage.`;

export async function historyCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandWithPositionals('history', HELP, argv, {
    ...flags({ repo: 'string', branch: 'string', environment: 'string', json: 'boolean' }),
    ...V2_FLAGS,
  });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const [path, ...extra] = positionals;
  if (!path || extra.length)
    throw new UsageError('Give exactly one config path (see itemstore history --help).');
  const { url, token } = v2Connection(values);

  const tree = new FsTree(resolve(values.repo ?? '.'));
  const settings = await loadSettings(tree);
  const environments = values.environment
    ? [knownEnvironment(settings, values.environment)]
    : settings.environments;
  const wanted = normalizeRepoPath(path);
  const { configs } = await resolveTree(tree, settings, {
    branch: values.branch ?? settings.mainBranch,
    paths: [wanted],
  });
  const config = configs.find((c) => c.path === wanted);
  if (!config) throw new UsageError(`${wanted} is not a config of the repo at ${tree.root}.`);
  const store = new HttpItemStore({ url, token });
  const ref = await findExact(store, config.namespace, config.tags);
  const byEnv: Record<string, VersionInfo[]> = {};
  if (ref) for (const env of environments) byEnv[env] = await store.versions(ref.itemId, env);
  if (values.json) {
    stdout(
      JSON.stringify(
        {
          path: config.path,
          namespace: config.namespace,
          tags: config.tags,
          itemId: ref?.itemId ?? null,
          environments: byEnv,
        },
        null,
        2,
      ),
    );
    return ref ? 0 : 1;
  }
  stdout(`${config.path}  ${config.namespace} {${formatTags(config.tags)}}${ref ? `  ${ref.itemId}` : ''}`);
  if (!ref) {
    stdout('  no item in Item Store V2 has these tags (never deployed).');
    return 1;
  }
  for (const env of environments) {
    const versions = byEnv[env] ?? [];
    stdout(`${env}: ${versions.length ? `${versions.length} version(s)` : 'no version'}`);
    for (const v of versions) stdout(`  ${versionLine(v)}`);
  }
  return 0;
}

/** `v3  2026-11-27T18:01:02Z  promoted from dev@2  by alice  commit 1a2b3c4d  path …  run …` */
export function versionLine(v: VersionInfo): string {
  const m = v.metadata ?? {};
  const what = m.promotedFrom
    ? `promoted from ${m.promotedFrom}`
    : v.deleted
      ? 'tombstone'
      : m.fixedBy
        ? `written by ${m.fixedBy}`
        : m.commit
          ? 'deployed'
          : 'written outside the pipeline';
  return [
    `v${v.version}`,
    v.createdAt,
    what + (v.deleted && m.promotedFrom ? ' (tombstone)' : ''),
    `by ${m.actor ?? 'unknown'}`,
    ...(m.commit ? [`commit ${m.commit.slice(0, 12)}`] : []),
    ...(m.branch ? [`branch ${m.branch}`] : []),
    ...(m.path ? [`path ${m.path}`] : []),
    ...(m.source ? [`source ${m.source}`] : []),
    ...(m.runUrl ? [`run ${m.runUrl}`] : []),
    `md5 ${v.md5.slice(0, 8)}`,
  ].join('  ');
}
