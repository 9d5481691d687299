/**
 * Real parts for the ops tests: config repos in temp folders, the reference V2 server over HTTP, s3rver on
 * 127.0.0.1, and the project's own deploy and sync code to put a repo into both stores.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { MemoryLogger, type ResolvedManifest } from '@itemstore/core';
import { FsTree, allConfigsManifest, loadSettings, type Settings } from '@itemstore/config';
import { toV2Json } from '@itemstore/convert';
import { syncToS3 } from '@itemstore/s3';
import { HttpItemStore, deployToV2, startServer, type RunningServer } from '@itemstore/v2';
import { S3Reader } from '@itemstore/ops';
import { startS3Server, type S3TestServer } from '../../../test/helpers/s3-server.js';
import { settingsYaml } from '../../../test/helpers/settings.js';

export const TOKEN = 'ops-test-token-3b7d';
export const BUCKETS = { dev: 'ops-dev', qa: 'ops-qa', prod: 'ops-prod' } as const;
export const PREFIX = 'item-store/';

export const SETTINGS = settingsYaml({ buckets: BUCKETS, prefix: PREFIX });

export const DQ_CONFIG = `# rules for orders
config_list:
  - rule_id: orders_not_null
    table: curated.orders
    columns: [order_id, customer_id]
  - rule_id: orders_amount_positive
    expression: "total_amount >= 0"
    enabled: yes
`;

export function repoFiles(): Record<string, string> {
  return {
    'item-store.yaml': SETTINGS,
    'tags.yaml': 'tags:\n  owner: platform\n',
    'data-quality/default/orders_checks.yaml': DQ_CONFIG,
    'data-router/default/orders.yaml': 'config_list:\n  - route: orders\n    target: kafka\n',
    'data-router/default/refunds_SC.yaml': 'config_list:\n  - route: refunds\n',
    'ffi2/default/vendor_feed.json': '{\n  "vendor": "acme",\n  "fields": ["a", "b"]\n}\n',
    'ffi2/default/eu/store_feed.yaml': 'feed: stores\nregion: eu\n',
    'ffi2/mappings/store_codes.json': '{"a": 1}\n',
  };
}

const cleanup: (() => Promise<void> | void)[] = [];

export function writeRepo(files: Record<string, string | Buffer>, dir?: string): string {
  const root = dir ?? mkdtempSync(join(tmpdir(), 'ops-repo-'));
  if (!dir) cleanup.push(() => rmSync(root, { recursive: true, force: true }));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

export interface Stores {
  v2: RunningServer;
  s3: S3TestServer;
  store: HttpItemStore;
  reader: S3Reader;
  logger: MemoryLogger;
  /** V2 requests the server has answered, by route (GET /v2/_stats, test-only). */
  v2Stats(): Promise<{ requests: Record<string, number>; versions: Record<string, Record<string, number>> }>;
  close(): Promise<void>;
}

export async function startStores(): Promise<Stores> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ops-v2-'));
  const v2 = await startServer({ port: 0, host: '127.0.0.1', dataDir, token: TOKEN });
  const s3 = await startS3Server({ buckets: Object.values(BUCKETS) });
  const store = new HttpItemStore({
    url: v2.url,
    token: TOKEN,
    retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 20 },
  });
  const reader = new S3Reader({ endpoint: s3.endpoint, credentials: s3.credentials });
  return {
    v2,
    s3,
    store,
    reader,
    logger: new MemoryLogger(),
    async v2Stats() {
      const res = await fetch(`${v2.url}/v2/_stats`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      return (await res.json()) as {
        requests: Record<string, number>;
        versions: Record<string, Record<string, number>>;
      };
    },
    async close() {
      reader.close();
      await v2.close();
      await s3.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Every config of the repo as an `all` manifest, as migrate loads it (commit "migration"). */
export function repoManifest(tree: FsTree, settings: Settings): Promise<ResolvedManifest> {
  return allConfigsManifest(tree, settings, {
    headSha: 'migration',
    event: 'migrate',
    note: 'itemstore migrate: the migrated configs',
  });
}

/** Deploys every config of the repo to V2 `environment` and syncs its default/ configs to S3 `environment`. */
export async function deployAll(stores: Stores, repo: string, environment: string): Promise<void> {
  const tree = new FsTree(repo);
  const settings = await loadSettings(tree);
  const manifest = await repoManifest(tree, settings);
  const { report } = await deployToV2(manifest, {
    store: stores.store,
    environment,
    dryRun: false,
    deletions: 'skip',
    concurrency: 4,
    isAncestor: async () => false,
    convert: toV2Json,
    tree,
  });
  if (report.counts.failed) throw new Error(`deploy failed: ${JSON.stringify(report.entries)}`);
  const s3 = await syncToS3({
    full: true,
    repoDir: repo,
    environment,
    seedAnyEnvironment: true,
    endpoint: stores.s3.endpoint,
    credentials: stores.s3.credentials,
    logger: stores.logger,
  });
  if (s3.report.counts.failed) throw new Error('sync-s3 failed');
}

/** The set-up most ops tests share: both stores started, the sample repo (repoFiles) written and deployed to dev. */
export async function deployedSample(): Promise<{ stores: Stores; repo: string }> {
  const stores = await startStores();
  const repo = writeRepo(repoFiles());
  await deployAll(stores, repo, 'dev');
  return { stores, repo };
}

export async function cleanupAll(): Promise<void> {
  for (const f of cleanup.splice(0)) await f();
}

export function tagsOf(
  name: string,
  team: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return Object.fromEntries(
    Object.entries({ ...extra, name, owner: 'platform', team }).sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}

/**
 * V2 writes the server answered since the last `reset()`: every call that is not a GET (bundle and e2e suites assert
 * that a refusal wrote nothing).
 */
export function v2WriteCounter(stores: Pick<Stores, 'v2Stats'>): {
  reset(): Promise<void>;
  writes(): Promise<number>;
} {
  let baseline: Record<string, number> = {};
  return {
    async reset() {
      baseline = (await stores.v2Stats()).requests;
    },
    async writes() {
      const { requests } = await stores.v2Stats();
      return Object.entries(requests)
        .filter(([route]) => !route.startsWith('GET '))
        .reduce((n, [route, c]) => n + c - (baseline[route] ?? 0), 0);
    },
  };
}
