/**
 * The deploy (plan, then apply) against the reference server over real HTTP, with real config repos in git and
 * the real converter.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { ConfigErrors, md5Hex } from '@itemstore/core';
import { toV2Json } from '@itemstore/convert';
import {
  deploySummary,
  deployToV2,
  findExact,
  gitIsAncestor,
  planDeploy,
  type DeployOptions,
  type ItemStore,
} from '@itemstore/v2';
import { GitRepo, git } from '../../../test/helpers/git-repo.js';
import { SETTINGS_YAML, entryFor, expectedJson, manifestOf, yamlConfigs } from './helpers/fixtures.js';
import { fastClient, stats, testServer, writeRequests } from './helpers/servers.js';

type Server = Awaited<ReturnType<typeof testServer>>;
const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});
async function server(options: Parameters<typeof testServer>[0] = {}): Promise<Server> {
  const s = await testServer(options);
  servers.push(s);
  return s;
}

function options(store: ItemStore, repoDir: string, extra: Partial<DeployOptions> = {}): DeployOptions {
  return {
    store,
    environment: 'dev',
    dryRun: false,
    deletions: 'apply',
    concurrency: 8,
    isAncestor: gitIsAncestor(repoDir, { fetch: false }),
    convert: toV2Json,
    runUrl: 'https://github.com/example/repo/actions/runs/1',
    ...extra,
  };
}

async function latest(store: ItemStore, entry: ReturnType<typeof entryFor>, env = 'dev') {
  const ref = await findExact(store, entry.namespace, entry.tags);
  if (!ref) return undefined;
  const item = await store.getItem(ref.itemId);
  const contents = await store.getContents(ref.itemId, env);
  return { item, state: item?.environments[env], content: contents?.content };
}

describe('deploy', () => {
  let repo: GitRepo;
  let c1: string;
  let c2: string;
  beforeAll(async () => {
    repo = await GitRepo.init();
    c1 = await repo.commit('first', { 'item-store.yaml': SETTINGS_YAML, ...yamlConfigs(5) });
  });

  test('writes new configs with metadata, then writes nothing for the same commit again', async () => {
    const s = await server();
    const store = fastClient(s.url);
    const entries = Object.keys(yamlConfigs(5)).map((p) => entryFor(p));
    const m = manifestOf(repo.dir, c1, entries);
    const first = await deployToV2(m, options(store, repo.dir));
    expect(first.report.counts).toMatchObject({ created: 5, updated: 0, unchanged: 0, failed: 0 });
    const got = await latest(store, entries[3]!);
    expect(got?.content).toBe(expectedJson(3));
    expect(got?.state).toMatchObject({
      version: 1,
      md5: md5Hex(expectedJson(3)),
      metadata: {
        commit: c1,
        branch: 'main',
        path: 'ffi2/cfg003.yaml',
        runUrl: 'https://github.com/example/repo/actions/runs/1',
      },
    });
    const before = writeRequests(await stats(s.url));
    const second = await deployToV2(m, options(store, repo.dir));
    expect(second.report.counts).toMatchObject({ created: 0, updated: 0, unchanged: 5 });
    expect(writeRequests(await stats(s.url))).toBe(before);
    expect(Object.values((await stats(s.url)).versions).map((v) => v.dev)).toEqual([1, 1, 1, 1, 1]);
  });

  test('a changed config gets exactly one new version; deletions write a tombstone unless skipped', async () => {
    const s = await server();
    const store = fastClient(s.url);
    const paths = Object.keys(yamlConfigs(5));
    await deployToV2(
      manifestOf(
        repo.dir,
        c1,
        paths.map((p) => entryFor(p)),
      ),
      options(store, repo.dir),
    );
    c2 = await repo.commit('second', {
      'ffi2/cfg001.yaml': yamlConfigs(5, 2)['ffi2/cfg001.yaml']!,
      'ffi2/cfg004.yaml': null,
    });
    const m2 = manifestOf(repo.dir, c2, [
      entryFor('ffi2/cfg001.yaml'),
      entryFor('ffi2/cfg004.yaml', { action: 'delete' }),
    ]);

    const skipped = await deployToV2(m2, options(store, repo.dir, { deletions: 'skip' }));
    expect(skipped.report.counts).toMatchObject({ updated: 1, skipped: 1, deleted: 0 });
    expect((await latest(store, entryFor('ffi2/cfg004.yaml')))?.state?.deleted).toBe(false);

    const applied = await deployToV2(m2, options(store, repo.dir));
    expect(applied.report.counts).toMatchObject({ updated: 0, unchanged: 1, deleted: 1 });
    const updated = await latest(store, entryFor('ffi2/cfg001.yaml'));
    expect(updated?.state?.version).toBe(2);
    expect(updated?.content).toBe(expectedJson(1, 2));
    const gone = await latest(store, entryFor('ffi2/cfg004.yaml'));
    expect(gone?.state).toMatchObject({ version: 2, deleted: true, metadata: { commit: c2 } });
    const row = applied.report.entries.find((e) => e.path === 'ffi2/cfg004.yaml');
    expect(row).toMatchObject({ outcome: 'deleted', before: { version: 1 }, after: { version: 2 } });
    // Deleting again is a no-op.
    expect((await deployToV2(m2, options(store, repo.dir))).report.counts).toMatchObject({
      deleted: 0,
      unchanged: 2,
    });
  });

  test('only entries whose targets include v2; a branch entry is its own item', async () => {
    const s = await server();
    const store = fastClient(s.url);
    const m = manifestOf(repo.dir, c1, [
      entryFor('ffi2/cfg000.yaml'),
      entryFor('ffi2/cfg001.yaml', { targets: ['s3'] }),
      entryFor('ffi2/cfg002.yaml', { branch: 'Feature/ABC' }),
    ]);
    const r = await deployToV2(m, options(store, repo.dir));
    expect(r.report.entries.map((e) => e.path)).toEqual(['ffi2/cfg000.yaml', 'ffi2/cfg002.yaml']);
    expect(r.plan.notForV2).toBe(1);
    expect(await latest(store, entryFor('ffi2/cfg001.yaml'))).toBeUndefined();
    expect(await latest(store, entryFor('ffi2/cfg002.yaml'))).toBeUndefined();
    expect((await latest(store, entryFor('ffi2/cfg002.yaml', { branch: 'Feature/ABC' })))?.content).toBe(
      expectedJson(2),
    );
  });

  test('a late run of an older commit is stale and never overwrites the newer version', async () => {
    const s = await server();
    const store = fastClient(s.url);
    const newer = manifestOf(repo.dir, c2, [entryFor('ffi2/cfg001.yaml')]);
    await deployToV2(newer, options(store, repo.dir));
    // The older commit's content differs (revision 1); c1 is an ancestor of c2.
    const older = manifestOf(repo.dir, c1, [entryFor('ffi2/cfg001.yaml')]);
    const wt = await worktree(repo, c1);
    older.repoRoot = wt;
    const r = await deployToV2(older, options(store, repo.dir));
    expect(r.report.counts).toMatchObject({ stale: 1, updated: 0 });
    expect(r.report.entries[0]?.reason).toContain(c2.slice(0, 12));
    expect((await latest(store, entryFor('ffi2/cfg001.yaml')))?.content).toBe(expectedJson(1, 2));
    expect(deploySummary(r.report).toMarkdown()).toMatch(/stale: the latest version \(1\) comes from/);
  });

  test('dry-run plans with a unified diff per item and writes nothing', async () => {
    const s = await server();
    const store = fastClient(s.url);
    await deployToV2(
      manifestOf(await worktree(repo, c1), c1, [entryFor('ffi2/cfg001.yaml')]),
      options(store, repo.dir),
    );
    const writes = writeRequests(await stats(s.url));
    const m = manifestOf(repo.dir, c2, [
      entryFor('ffi2/cfg001.yaml'),
      entryFor('ffi2/cfg002.yaml'),
      entryFor('ffi2/cfg003.yaml', { action: 'delete' }),
    ]);
    const r = await deployToV2(m, options(store, repo.dir, { dryRun: true }));
    expect(writeRequests(await stats(s.url))).toBe(writes);
    expect(r.report.dryRun).toBe(true);
    const byPath = Object.fromEntries(r.report.entries.map((e) => [e.path, e]));
    expect(byPath['ffi2/cfg001.yaml']).toMatchObject({ outcome: 'updated', before: { version: 1 } });
    expect(byPath['ffi2/cfg001.yaml']?.diff).toContain('-  "revision": 1,\n+  "revision": 2,');
    expect(byPath['ffi2/cfg002.yaml']).toMatchObject({ outcome: 'created' });
    expect(byPath['ffi2/cfg002.yaml']?.diff).toContain('+  "interface": "cfg2",');
    // Not in the store: nothing to delete.
    expect(byPath['ffi2/cfg003.yaml']).toMatchObject({ outcome: 'unchanged', reason: 'not in the store' });
    const md = deploySummary(r.report).toMarkdown();
    expect(md).toContain('Item Store V2 plan (dry run): dev');
    expect(md).toContain('<details><summary>ffi2/cfg001.yaml: would update</summary>');
    expect(md).toContain('```diff');
    expect(md).toContain('| `ffi2/cfg001.yaml` |');
    expect(md).toContain('| dev | 1 → 2 | would update |');
    expect(md).toContain('Nothing was written.');
  });

  test('one invalid config among good ones: nothing is written, every problem is reported with its line', async () => {
    const s = await server();
    const store = fastClient(s.url);
    const bad = await repo.commit('bad', {
      'ffi2/bad.yaml': 'interface: x\nlimits:\n  rows: [1, 2\n',
      'ffi2/dup.json': '{"a": 1, "a": 2}\n',
    });
    const m = manifestOf(repo.dir, bad, [
      ...Object.keys(yamlConfigs(5))
        .slice(0, 4)
        .map((p) => entryFor(p)),
      entryFor('ffi2/bad.yaml'),
      entryFor('ffi2/dup.json'),
    ]);
    const err = await deployToV2(m, options(store, repo.dir)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigErrors);
    const errors = (err as ConfigErrors).errors;
    expect(errors.map((e) => e.file).sort()).toEqual(['ffi2/bad.yaml', 'ffi2/dup.json']);
    for (const e of errors) expect(e.line).toBeGreaterThan(0);
    const st = await stats(s.url);
    expect(Object.keys(st.requests).filter((k) => !k.includes('_stats'))).toEqual([]);
    await repo.commit('drop bad', { 'ffi2/bad.yaml': null, 'ffi2/dup.json': null });
  });

  test('a bad config among 30 of a listed namespace: not even the listing is sent, nothing is written', async () => {
    const s = await server();
    const bad = await repo.commit('bad among many', {
      ...yamlConfigs(30),
      'ffi2/bad.yaml': 'interface: x\nlimits:\n  rows: [1, 2\n',
    });
    const m = manifestOf(repo.dir, bad, [
      ...Object.keys(yamlConfigs(30)).map((p) => entryFor(p)),
      entryFor('ffi2/bad.yaml'),
    ]);
    const err = await deployToV2(m, options(fastClient(s.url), repo.dir)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigErrors);
    expect((err as ConfigErrors).errors.map((e) => e.file)).toEqual(['ffi2/bad.yaml']);
    const st = await stats(s.url);
    expect(Object.keys(st.requests).filter((k) => !k.includes('_stats'))).toEqual([]);
    expect(st.versions).toEqual({});
    await repo.commit('drop bad', { 'ffi2/bad.yaml': null });
  });

  test('errors carried by the manifest (from resolve-tags) also stop every write', async () => {
    const s = await server();
    const m = manifestOf(repo.dir, c1, [entryFor('ffi2/cfg000.yaml')]);
    m.errors = [
      { code: 'tags-invalid', message: 'bad tag', severity: 'error', file: 'ffi2/tags.yaml', line: 3 },
    ];
    await expect(deployToV2(m, options(fastClient(s.url), repo.dir))).rejects.toBeInstanceOf(ConfigErrors);
    expect((await stats(s.url)).versions).toEqual({});
  });
});

test('fault test: 200 configs against --fail-rate 0.3; every latest content right, one version per change', async () => {
  const s = await server({ failRate: 0.3 });
  const store = fastClient(s.url, { retries: 14 });
  const repo = await GitRepo.init();
  const first = await repo.commit('first', { 'item-store.yaml': SETTINGS_YAML, ...yamlConfigs(200) });
  const paths = Object.keys(yamlConfigs(200));
  const r1 = await deployToV2(
    manifestOf(
      repo.dir,
      first,
      paths.map((p) => entryFor(p)),
    ),
    options(store, repo.dir),
  );
  expect(r1.report.counts).toMatchObject({ created: 200, failed: 0 });

  // Change every other config and deploy again through the same failures.
  const next = yamlConfigs(200, 2);
  const changed = paths.filter((_, i) => i % 2 === 0);
  const second = await repo.commit('second', Object.fromEntries(changed.map((p) => [p, next[p]!])));
  const r2 = await deployToV2(
    manifestOf(
      repo.dir,
      second,
      paths.map((p) => entryFor(p)),
    ),
    options(store, repo.dir),
  );
  expect(r2.report.counts.failed).toBe(0);
  expect(r2.report.counts.updated + r2.report.counts.unchanged).toBe(200);

  const st = await stats(s.url);
  expect(st.injectedFailures.before).toBeGreaterThan(10);
  expect(st.injectedFailures.after).toBeGreaterThan(10);
  const versions = Object.values(st.versions).map((v) => v.dev);
  expect(versions).toHaveLength(200);
  expect(versions.filter((v) => v === 2)).toHaveLength(100);
  expect(versions.filter((v) => v === 1)).toHaveLength(100);
  const reader = fastClient(s.url, { retries: 14 });
  await Promise.all(
    paths.map(async (p, i) => {
      const got = await latest(reader, entryFor(p));
      expect(got?.content).toBe(expectedJson(i, i % 2 === 0 ? 2 : 1));
    }),
  );
}, 60_000);

describe('requests per config', () => {
  const fresh = async () => {
    const repo = await GitRepo.init();
    const c = await repo.commit('first', { 'item-store.yaml': SETTINGS_YAML, ...yamlConfigs(60) });
    const m = manifestOf(
      repo.dir,
      c,
      Object.keys(yamlConfigs(60)).map((p) => entryFor(p)),
    );
    return { repo, m };
  };

  test('60 new configs: one listing, one batchGenerateId, then one conditional PUT each (no generateId per config)', async () => {
    const s = await server();
    const store = fastClient(s.url);
    const { repo, m } = await fresh();
    const r = await deployToV2(m, options(store, repo.dir));
    expect(r.report.counts).toMatchObject({ created: 60, failed: 0 });
    expect((await stats(s.url)).requests).toEqual({
      'GET /v2/_stats': 1,
      'GET /v2/environments/{env}/manifest': 1,
      'POST /v2/namespaces/{ns}/items:batchGenerateId': 1,
      'PUT /v2/items/{id}/environments/{env}/contents': 60,
    });
    expect(Object.values((await stats(s.url)).versions).map((v) => v.dev)).toEqual(Array(60).fill(1));
    repo.remove();
  });

  test('the batch of ids fails: every new config fails with its error, no PUT is sent, nothing is written', async () => {
    const s = await server();
    const store = fastClient(s.url, { retries: 1 });
    s.setFaults([{ route: 'batchGenerateId', status: 500 }]);
    const { repo, m } = await fresh();
    const r = await deployToV2(m, options(store, repo.dir));
    expect(r.report.counts).toMatchObject({ created: 0, failed: 60 });
    const st = await stats(s.url);
    expect(st.requests['PUT /v2/items/{id}/environments/{env}/contents']).toBeUndefined();
    expect(st.requests['POST /v2/namespaces/{ns}/items:generateId']).toBeUndefined();
    expect(Object.keys(st.versions)).toEqual([]);
    // Once the server answers again, the same deploy writes every config.
    s.setFaults([]);
    expect((await deployToV2(m, options(store, repo.dir))).report.counts).toMatchObject({
      created: 60,
      failed: 0,
    });
    repo.remove();
  });
});

test('race: two deploys of different commits of one branch at once; the newer commit wins', async () => {
  const s = await server({ latencyMs: 3 });
  const repo = await GitRepo.init();
  const old = await repo.commit('old', { 'item-store.yaml': SETTINGS_YAML, ...yamlConfigs(40, 1) });
  const newer = await repo.commit('new', yamlConfigs(40, 2));
  const oldTree = await worktree(repo, old);
  const paths = Object.keys(yamlConfigs(40));
  for (let round = 0; round < 3; round++) {
    // Each round starts from a different state: empty, then the newer content, then the older content.
    const entries = paths.map((p) => entryFor(p, { namespace: `race${round}` }));
    if (round === 2) {
      await deployToV2(manifestOf(oldTree, old, entries), options(fastClient(s.url), repo.dir));
    }
    if (round === 1) {
      await deployToV2(manifestOf(repo.dir, newer, entries), options(fastClient(s.url), repo.dir));
    }
    const [a, b] = await Promise.all([
      deployToV2(manifestOf(oldTree, old, entries), options(fastClient(s.url, { concurrency: 4 }), repo.dir)),
      deployToV2(
        manifestOf(repo.dir, newer, entries),
        options(fastClient(s.url, { concurrency: 4 }), repo.dir),
      ),
    ]);
    expect(a.report.counts.failed + b.report.counts.failed).toBe(0);
    const reader = fastClient(s.url);
    await Promise.all(
      entries.map(async (e, i) => {
        const got = await latest(reader, e);
        expect(got?.content).toBe(expectedJson(i, 2));
        expect(got?.state?.metadata.commit).toBe(newer);
      }),
    );
  }
}, 60_000);

test('planDeploy is data: what would happen, per entry, without writing', async () => {
  const s = await server();
  const store = fastClient(s.url);
  const repo = await GitRepo.init();
  const sha = await repo.commit('c', { 'item-store.yaml': SETTINGS_YAML, ...yamlConfigs(2) });
  const plan = await planDeploy(manifestOf(repo.dir, sha, [entryFor('ffi2/cfg000.yaml')]), {
    store,
    environment: 'qa',
    deletions: 'apply',
    isAncestor: async () => false,
    convert: toV2Json,
  });
  expect(plan).toMatchObject({
    environment: 'qa',
    commit: sha,
    entries: [
      { path: 'ffi2/cfg000.yaml', status: 'create', content: expectedJson(0), md5: md5Hex(expectedJson(0)) },
    ],
  });
  expect((await stats(s.url)).versions).toEqual({});
});

/** A second checkout of `sha` sharing the repo's objects (so ancestry checks see both commits). */
async function worktree(repo: GitRepo, sha: string): Promise<string> {
  const dir = `${repo.dir}-wt-${sha.slice(0, 8)}`;
  if (!existsSync(dir)) await git(repo.dir, ['worktree', 'add', '--detach', dir, sha]);
  return dir;
}
