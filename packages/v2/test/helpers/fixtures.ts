/**
 * Config repos and resolved manifests for deploy tests. resolve-tags builds manifests in production; here they are
 * built by hand, with entries whose `path` points into a real repo at manifest.repoRoot.
 */
import {
  RESOLVED_MANIFEST_VERSION,
  type ResolvedEntry,
  type ResolvedManifest,
  type Target,
} from '@itemstore/core';
import { bucketsNamed, settingsYaml } from '../../../../test/helpers/settings.js';

export const SETTINGS_YAML = settingsYaml({
  buckets: bucketsNamed('retail'),
  teams: ['ffi2', 'data-router'],
});

/** `n` YAML configs `ffi2/cfg000.yaml`…, whose content depends on `revision`. */
export function yamlConfigs(n: number, revision = 1, dir = 'ffi2'): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    files[`${dir}/cfg${String(i).padStart(3, '0')}.yaml`] =
      `# config ${i}\ninterface: cfg${i}\nrevision: ${revision}\nenabled: yes\nlimits:\n  rows: ${i * 10}\n`;
  }
  return files;
}

/** What toV2Json makes of yamlConfigs' files (the contract the deploy is checked against). */
export function expectedJson(i: number, revision = 1): string {
  return (
    JSON.stringify({ interface: `cfg${i}`, revision, enabled: 'yes', limits: { rows: i * 10 } }, null, 2) +
    '\n'
  );
}

export function identity(namespace: string, tags: Record<string, string>): string {
  return `${namespace}?${Object.keys(tags)
    .sort()
    .map((k) => `${k}=${encodeURIComponent(tags[k] as string)}`)
    .join('&')}`;
}

export function entryFor(
  path: string,
  options: {
    branch?: string;
    action?: 'upsert' | 'delete';
    targets?: Target[];
    team?: string;
    namespace?: string;
    format?: string;
    extraTags?: Record<string, string>;
  } = {},
): ResolvedEntry {
  const team = options.team ?? path.split('/')[0]!;
  const namespace = options.namespace ?? team;
  const name = path
    .split('/')
    .pop()!
    .replace(/\.(ya?ml|json)$/, '');
  const tags: Record<string, string> = { ...options.extraTags, name, team };
  if (options.branch) tags.branch = options.branch;
  const sorted = Object.fromEntries(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : 1)));
  const action = options.action ?? 'upsert';
  return {
    path,
    status: action === 'delete' ? 'deleted' : 'modified',
    reason: 'changed',
    side: action === 'delete' ? 'base' : 'head',
    action,
    team,
    tenant: 'retail',
    namespace,
    format: options.format ?? 'plain',
    name,
    tags: sorted,
    identity: identity(namespace, sorted),
    targets: options.targets ?? ['v2'],
    s3Only: false,
  };
}

export function manifestOf(
  repoRoot: string,
  headSha: string,
  entries: ResolvedEntry[],
  options: { branch?: string; workingDirectory?: string } = {},
): ResolvedManifest {
  const branch = options.branch ?? 'main';
  return {
    version: RESOLVED_MANIFEST_VERSION,
    mode: 'diff',
    event: 'push',
    branch,
    isMainBranch: branch === 'main',
    baseSha: null,
    headSha,
    workingDirectory: options.workingDirectory ?? '',
    repoRoot,
    entries,
    errors: [],
  };
}
