/**
 * Branch cleanup from outside, the way users meet it: `itemstore cleanup-branch <name>` (the built CLI) and the
 * cleanup-branch action bundle, against the reference V2 server over HTTP and s3rver on 127.0.0.1. V2 dev holds
 * main's items and the items of two branches whose names differ only in case (`feature/a`, `Feature/A`): a cleanup
 * tombstones exactly the named branch's items, lists them (config path, item id), leaves everything else at its
 * version, and sends S3 nothing (s3rver's own request count), with the S3 switch on or off. Refusals (empty name,
 * the main branch, another environment) write nothing. Needs `npm run build`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { FsTree, loadSettings, resolveTree } from '@itemstore/config';
import { RESOLVED_MANIFEST_VERSION, type ResolvedManifest } from '@itemstore/core';
import { toV2Json } from '@itemstore/convert';
import { deployToV2, manifestAll, type ManifestEntry } from '@itemstore/v2';
import { runBundle, runCli } from '../helpers/run-bundle.js';
import {
  TOKEN,
  cleanupAll,
  deployAll,
  repoFiles,
  startStores,
  writeRepo,
  type Stores,
  v2WriteCounter,
} from '../../packages/ops/test/helpers.js';

jest.setTimeout(120_000);

let stores: Stores;
let repo: string;

/** Deploys the repo's V2 configs (all, or `paths`) as a push to `branch` would: items tagged branch=<branch>. */
async function deployBranch(branch: string, paths?: string[]): Promise<void> {
  const tree = new FsTree(repo);
  const settings = await loadSettings(tree);
  const { configs } = await resolveTree(tree, settings, { branch, ...(paths ? { paths } : {}) });
  const manifest: ResolvedManifest = {
    version: RESOLVED_MANIFEST_VERSION,
    mode: 'all',
    note: 'test',
    event: 'push',
    branch,
    isMainBranch: false,
    baseSha: null,
    headSha: `commit-on-${branch}`,
    workingDirectory: '',
    repoRoot: repo,
    entries: configs.map((c) => ({
      ...c,
      status: 'unchanged',
      reason: 'all',
      side: 'head',
      action: 'upsert',
    })),
    errors: [],
  } as ResolvedManifest;
  const { report } = await deployToV2(manifest, {
    store: stores.store,
    environment: 'dev',
    dryRun: false,
    deletions: 'skip',
    concurrency: 4,
    isAncestor: async () => false,
    convert: toV2Json,
    tree,
  });
  if (report.counts.failed || !report.counts.created) throw new Error(`deploy of ${branch} failed`);
}

/** V2 dev by item id. */
async function dev(): Promise<Map<string, ManifestEntry>> {
  const all = await manifestAll(stores.store, 'dev');
  return new Map(all.map((e) => [e.itemId, e]));
}

const branchOf = (e: ManifestEntry): string | undefined => e.tags.branch;

beforeAll(async () => {
  stores = await startStores();
  repo = writeRepo(repoFiles());
  for (const args of [
    ['init', '-q', '-b', 'main'],
    ['add', '-A'],
    ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'configs'],
  ]) {
    execFileSync('git', args, { cwd: repo });
  }
  await deployAll(stores, repo, 'dev');
  await deployBranch('feature/a');
  await deployBranch('Feature/A', ['ffi2/default/vendor_feed.json', 'ffi2/mappings/store_codes.json']);
  await deployBranch('feature/b', ['data-router/default/orders.yaml', 'ffi2/default/eu/store_feed.yaml']);
}, 90_000);

afterAll(async () => {
  await stores?.close();
  await cleanupAll();
});

const v2Writes = (): Promise<number> => counter.writes();
let counter: ReturnType<typeof v2WriteCounter>;
beforeEach(async () => {
  counter ??= v2WriteCounter(stores);
  await counter.reset();
  await stores.s3.resetCounts();
});

function cli(args: string[], env: Record<string, string> = {}) {
  return runCli(args, { cwd: repo, env: { ITEMSTORE_URL: stores.v2.url, ITEMSTORE_TOKEN: TOKEN, ...env } });
}

const OFF = { ITEMSTORE_S3_SYNC: 'off' };

describe('refusals: one sentence, nothing written', () => {
  test('CLI: the main branch, an empty name, another environment', async () => {
    const before = await dev();
    const main = await cli(['cleanup-branch', 'main', '--repo', repo]);
    expect(main.code).toBe(2);
    expect(main.stderr.trim()).toBe(
      'itemstore: cleanup-branch never touches main, the main branch of item-store.yaml: it removes only the items of a deleted feature branch (tag branch=<name>).',
    );
    const empty = await cli(['cleanup-branch', '', '--repo', repo]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('cleanup-branch needs the name of a deleted feature branch');
    const none = await cli(['cleanup-branch', '--repo', repo]);
    expect(none.code).toBe(2);
    const qa = await cli(['cleanup-branch', 'feature/a', '--repo', repo, '--environment', 'qa']);
    expect(qa.code).toBe(2);
    expect(qa.stderr.trim()).toBe(
      'itemstore: cleanup-branch writes only dev, the first environment of item-store.yaml; qa and prod change only by promotion: run promote (from dev to qa).',
    );
    expect(await v2Writes()).toBe(0);
    expect(await dev()).toEqual(before);
  });

  test('action bundle: the main branch and an empty name', async () => {
    for (const [branch, message] of [
      ['main', 'cleanup-branch never touches main'],
      ['', 'cleanup-branch needs the name of a deleted feature branch'],
    ] as const) {
      const r = await runBundle('cleanup-branch', {
        workspace: repo,
        eventName: 'delete',
        inputs: { branch, 'item-store-url': stores.v2.url, 'item-store-token': TOKEN },
      });
      expect(r.exitCode).toBe(1);
      const errors = r.commands.filter((c) => c.command === 'error').map((c) => c.message);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(`cleanup-branch: ${message}`);
      expect(r.outputs).toEqual({});
    }
    expect(await v2Writes()).toBe(0);
  });
});

describe('cleanup of one branch: exactly its items, listed, S3 untouched', () => {
  test('CLI --dry-run lists and writes nothing; then the cleanup tombstones feature/a only (switch off)', async () => {
    const before = await dev();
    const mine = [...before.values()].filter((e) => branchOf(e) === 'feature/a');
    // Every V2 config of the repo (the _SC config goes to S3 only).
    expect(mine).toHaveLength(5);

    const dry = await cli(['cleanup-branch', 'feature/a', '--repo', repo, '--dry-run'], OFF);
    expect(dry.code).toBe(0);
    expect(dry.stdout.trim().split('\n')).toHaveLength(5);
    expect(dry.stdout).toMatch(/^would tombstone ffi2\/default\/vendor_feed\.json {2}it_\S+ {2}v1$/m);
    expect(dry.stderr).toContain(
      'cleanup-branch feature/a in dev (dry run: nothing written): 5 would be tombstoned',
    );
    expect(await v2Writes()).toBe(0);

    const c = await cli(['cleanup-branch', 'feature/a', '--repo', repo, '--summary'], {
      ...OFF,
      ...stores.s3.env,
      GITHUB_ACTOR: 'dora',
    });
    expect(c.code).toBe(0);
    expect(c.stderr).toContain(
      'cleanup-branch feature/a in dev: 5 tombstoned, 0 failed, 0 already tombstoned; S3 not touched',
    );
    // The summary lists each item: config path and item id.
    for (const e of mine) {
      expect(c.stdout).toContain(`\`${e.itemId}\``);
    }
    expect(c.stdout).toContain('| `data-quality/default/orders_checks.yaml` | `it_');
    expect(c.stdout).toContain('v1 → v2 (tombstone)');

    const after = await dev();
    for (const [id, e] of after) {
      if (branchOf(e) === 'feature/a') {
        expect(e).toMatchObject({ deleted: true, version: 2 });
      } else {
        // main's items, Feature/A's (same name but for case) and feature/b's: exactly as before.
        expect(e).toEqual(before.get(id));
      }
    }
    expect(await v2Writes()).toBe(5);
    expect((await stores.s3.counts()).total).toBe(0);

    // The tombstone's audit record: who, which branch, which path, why.
    const item = await stores.store.getItem(mine[0]!.itemId);
    expect(item?.environments.dev?.metadata).toMatchObject({
      actor: 'dora',
      branch: 'feature/a',
      reason: 'branch feature/a deleted',
    });
    expect(item?.environments.dev?.metadata.path).toMatch(/\.(ya?ml|json)$/);

    // Again: nothing left to do.
    const again = await cli(['cleanup-branch', 'feature/a', '--repo', repo], OFF);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('0 tombstoned, 0 failed, 5 already tombstoned');
  });

  test('action bundle: feature/b, with the summary listing config path and item id (S3 switch on: still 0)', async () => {
    const before = await dev();
    const mine = [...before.values()].filter((e) => branchOf(e) === 'feature/b');
    expect(mine).toHaveLength(2);
    const r = await runBundle('cleanup-branch', {
      workspace: repo,
      eventName: 'delete',
      inputs: { branch: 'feature/b', 'item-store-url': stores.v2.url, 'item-store-token': TOKEN },
      env: { ...stores.s3.env, ITEMSTORE_S3_SYNC: 'on' },
    });
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ deleted: '2', 'already-deleted': '0', failed: '0' });
    expect(r.summary).toContain('## Branch cleanup: feature/b in V2 dev');
    for (const e of mine) expect(r.summary).toContain(`\`${e.itemId}\``);
    expect(r.summary).toContain('| `data-router/default/orders.yaml` |');
    expect(r.summary).toContain('| `ffi2/default/eu/store_feed.yaml` |');
    expect(r.summary).toContain('S3 not touched');
    const after = await dev();
    for (const [id, e] of after) {
      if (branchOf(e) === 'feature/b') expect(e.deleted).toBe(true);
      else expect(e).toEqual(before.get(id));
    }
    expect((await stores.s3.counts()).total).toBe(0);
    // Main's and Feature/A's items are still live.
    const live = [...after.values()].filter((e) => !e.deleted);
    expect(live.filter((e) => branchOf(e) === undefined)).toHaveLength(5);
    expect(live.filter((e) => branchOf(e) === 'Feature/A')).toHaveLength(2);
  });
});
