/** Real config repos in temp folders and resolved manifests pointing into them, for the sync tests. */
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ResolvedEntry, ResolvedManifest } from '@itemstore/core';
import { FsTree, loadSettings, resolveTree, type ResolvedConfig } from '@itemstore/config';
import { settingsYaml as settingsFor } from '../../../test/helpers/settings.js';

export function settingsYaml(bucket: string, prefix = 'item-store/', extraTeams = ''): string {
  return settingsFor({
    buckets: { dev: bucket, qa: `${bucket}-qa`, prod: `${bucket}-prod` },
    prefix,
    extraTeams,
  });
}

export const DQ_CONFIG = `# rules for orders
config_list:
  - rule_id: orders_not_null
    table: curated.orders
    check: not_null
    columns: [order_id, customer_id]
  - rule_id: orders_amount_positive
    expression: "total_amount >= 0"
    threshold: 0.999
    enabled: yes
`;

/** What S3 must hold for DQ_CONFIG: one document per config_list entry, in order. */
export const DQ_LEGACY = `---
rule_id: orders_not_null
table: curated.orders
check: not_null
columns:
  - order_id
  - customer_id
---
rule_id: orders_amount_positive
expression: total_amount >= 0
threshold: 0.999
enabled: "yes"
`;

export function baseFiles(bucket: string): Record<string, string> {
  return {
    'item-store.yaml': settingsYaml(bucket),
    'tags.yaml': 'tags:\n  owner: platform\n',
    'data-router/tags.yaml': 'tags:\n  component: router\n',
    'data-router/default/orders.yaml':
      'config_list:\n  - route: orders\n    target: kafka # comment kept in S3\n',
    'data-router/default/eu/returns.yml': 'config_list:\n  - route: returns\n',
    'data-router/default/refunds_SC.yaml': 'config_list:\n  - route: refunds\n',
    'data-router/experimental/clicks.yaml': 'config_list:\n  - route: clicks\n',
    'data-quality/default/orders_checks.yaml': DQ_CONFIG,
    'ffi2/default/vendor_feed.json': '{\n  "vendor": "acme",\n  "fields": ["a", "b"]\n}\n',
    'ffi2/mappings/store_codes.json': '{"a": 1}\n',
  };
}

/** The S3 keys (below the prefix) of baseFiles: only default/ configs. */
export const BASE_KEYS = [
  'data-quality/orders_checks.yaml',
  'data-router/eu/returns.yml',
  'data-router/orders.yaml',
  'data-router/refunds_SC.yaml',
  'ffi2/vendor_feed.json',
];

const made: string[] = [];

export class ConfigRepo {
  constructor(readonly root: string) {}

  static create(files: Record<string, string>): ConfigRepo {
    const root = mkdtempSync(join(tmpdir(), 'itemstore-s3-repo-'));
    made.push(root);
    const repo = new ConfigRepo(root);
    repo.write(files);
    return repo;
  }

  write(files: Record<string, string>): void {
    for (const [path, content] of Object.entries(files)) {
      const abs = join(this.root, path);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, content);
    }
  }

  remove(path: string): void {
    unlinkSync(join(this.root, path));
  }

  /** Resolves configs of the working tree as resolve-tags would (throws on resolver errors). */
  async resolve(paths?: string[]): Promise<ResolvedConfig[]> {
    const tree = new FsTree(this.root);
    const settings = await loadSettings(tree);
    const { configs, errors } = await resolveTree(tree, settings, paths ? { paths } : {});
    const bad = errors.filter((e) => e.severity === 'error');
    if (bad.length) throw new Error(bad.map(String).join('\n'));
    return paths ? configs.filter((c) => paths.includes(c.path)) : configs;
  }
}

export function removeRepos(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function entryOf(cfg: ResolvedConfig, action: 'upsert' | 'delete'): ResolvedEntry {
  return {
    ...cfg,
    status: action === 'delete' ? 'deleted' : 'modified',
    reason: 'changed',
    side: action === 'delete' ? 'base' : 'head',
    action,
  };
}

/** A resolved manifest as resolve-tags writes it, pointing into the repo (repoRoot + workingDirectory ''). */
export function manifestOf(
  repo: ConfigRepo,
  entries: ResolvedEntry[],
  options: { branch?: string; errors?: ResolvedManifest['errors'] } = {},
): ResolvedManifest {
  const branch = options.branch ?? 'main';
  return {
    version: 1,
    mode: 'diff',
    event: 'push',
    branch,
    isMainBranch: branch === 'main',
    baseSha: 'a'.repeat(40),
    headSha: 'b'.repeat(40),
    workingDirectory: '',
    repoRoot: repo.root,
    entries,
    errors: options.errors ?? [],
  };
}
