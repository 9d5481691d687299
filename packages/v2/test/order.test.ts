/**
 * Order of effects in the V2 deploy, with faults injected into the reference server over real HTTP, on manifests
 * that detect + resolve make from real git history: a delete that belongs to a rename or an identity change is
 * applied only after its new write succeeded; when that write fails the old item stays (and the summary says so);
 * a run that fails before its first write writes nothing.
 */
import { afterAll, describe, expect, jest, test } from '@jest/globals';
import { toV2Json } from '@itemstore/convert';
import {
  deploySummary,
  deployToV2,
  findExact,
  gitIsAncestor,
  itemIdFor,
  type DeployOptions,
  type ItemStore,
} from '@itemstore/v2';
import { GitRepo } from '../../../test/helpers/git-repo.js';
import { pushManifest } from '../../../test/helpers/pipeline.js';
import { SETTINGS_YAML } from './helpers/fixtures.js';
import { fastClient, stats, testServer, writeRequests } from './helpers/servers.js';

jest.setTimeout(60_000);

type Server = Awaited<ReturnType<typeof testServer>>;
const servers: Server[] = [];
const repos: GitRepo[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  repos.forEach((r) => r.remove());
});

function options(store: ItemStore, repoDir: string): DeployOptions {
  return {
    store,
    environment: 'dev',
    dryRun: false,
    deletions: 'apply',
    concurrency: 4,
    isAncestor: gitIsAncestor(repoDir, { fetch: false }),
    convert: toV2Json,
  };
}

/** The dev state of the item with these tags: live content, a tombstone, or absent. */
async function devState(store: ItemStore, tags: Record<string, string>): Promise<string> {
  const ref = await findExact(store, 'ffi2', tags);
  const state = ref && (await store.getItem(ref.itemId))?.environments.dev;
  if (!state) return 'absent';
  if (state.deleted) return `tombstone v${state.version}`;
  return `live v${state.version}`;
}

async function setup(
  log?: (line: string) => void,
): Promise<{ repo: GitRepo; s: Server; store: ItemStore; first: string }> {
  const repo = await GitRepo.init();
  repos.push(repo);
  const first = await repo.commit('first', {
    'item-store.yaml': SETTINGS_YAML,
    'ffi2/tags.yaml': 'tags:\n  interface: emr\n',
    'ffi2/a.yaml': 'key: a\n',
    'ffi2/other.yaml': 'key: other\n',
  });
  const s = await testServer(log ? { log } : {});
  servers.push(s);
  const store = fastClient(s.url, { retries: 2 });
  const r = await deployToV2(await pushManifest(repo, null), options(store, repo.dir));
  expect(r.report.counts).toMatchObject({ created: 2, failed: 0 });
  return { repo, s, store, first };
}

const a = { interface: 'emr', name: 'a', team: 'ffi2' };
const b = { interface: 'emr', name: 'b', team: 'ffi2' };

describe('a rename whose new write fails keeps the old item', () => {
  test.each([500, 400, 413])(
    'b.yaml PUT answers %i: a stays live, b absent, rerun converges',
    async (status) => {
      const { repo, s, store, first } = await setup();
      await repo.rename('ffi2/a.yaml', 'ffi2/b.yaml');
      const m = await pushManifest(repo, first);
      s.setFaults([{ route: 'putContents', path: 'ffi2/b.yaml', status }]);
      const r = await deployToV2(m, options(store, repo.dir));
      expect(await devState(store, a)).toBe('live v1');
      expect(await devState(store, b)).toBe('absent');
      const byPath = Object.fromEntries(r.report.entries.map((e) => [e.path, e]));
      expect(byPath['ffi2/b.yaml']?.outcome).toBe('failed');
      expect(byPath['ffi2/a.yaml']).toMatchObject({
        outcome: 'skipped',
        kept: true,
        replacedBy: 'ffi2/b.yaml',
      });
      const md = deploySummary(r.report).toMarkdown();
      expect(md).toContain('Old items kept');
      expect(md).toMatch(/`ffi2\/a.yaml`.*its replacement ffi2\/b.yaml was not written/);

      // The fault is fixed; the same push runs again: b is written, then a is tombstoned.
      s.setFaults([]);
      const again = await deployToV2(m, options(store, repo.dir));
      expect(again.report.counts).toMatchObject({ created: 1, deleted: 1, failed: 0 });
      expect(await devState(store, b)).toBe('live v1');
      expect(await devState(store, a)).toBe('tombstone v2');
    },
  );

  test('the delete is sent only after the new write succeeded (request order at the server)', async () => {
    const lines: string[] = [];
    const { repo, s, store, first } = await setup((l) => lines.push(l));
    await repo.rename('ffi2/a.yaml', 'ffi2/b.yaml');
    const m = await pushManifest(repo, first);
    lines.length = 0;
    // Lose the answer of b's PUT once (the work was done): the client retries; the delete must still wait.
    s.setFaults([{ route: 'putContents', path: 'ffi2/b.yaml', status: 503, when: 'after', times: 1 }]);
    const r = await deployToV2(m, options(store, repo.dir));
    expect(r.report.counts).toMatchObject({ created: 1, deleted: 1, failed: 0 });
    expect(await devState(store, b)).toBe('live v1');
    expect(await devState(store, a)).toBe('tombstone v2');
    const writes = lines
      .filter((l) => /^(PUT|DELETE) /.test(l))
      .map((l) => l.split(' ').slice(0, 3).join(' '));
    const aId = itemIdFor('ffi2', a);
    const bId = itemIdFor('ffi2', b);
    expect(writes).toEqual([
      `PUT /v2/items/${bId}/environments/dev/contents 503`,
      `PUT /v2/items/${bId}/environments/dev/contents 200`,
      `DELETE /v2/items/${aId}/environments/dev 200`,
    ]);
  });
});

describe('an identity change whose new write fails keeps the old item', () => {
  test('tags.yaml edit: the new identity fails, the old identities stay live', async () => {
    const { repo, s, store, first } = await setup();
    await repo.commit('retag', { 'ffi2/tags.yaml': 'tags:\n  interface: spark\n' });
    const m = await pushManifest(repo, first);
    s.setFaults([
      { route: 'putContents', itemId: itemIdFor('ffi2', { ...a, interface: 'spark' }), status: 500 },
    ]);
    const r = await deployToV2(m, options(store, repo.dir));
    // a's new identity failed: its old one stays; other.yaml moved to its new identity as a whole.
    expect(await devState(store, a)).toBe('live v1');
    expect(await devState(store, { ...a, interface: 'spark' })).toBe('absent');
    expect(await devState(store, { interface: 'spark', name: 'other', team: 'ffi2' })).toBe('live v1');
    expect(await devState(store, { interface: 'emr', name: 'other', team: 'ffi2' })).toBe('tombstone v2');
    expect(r.report.counts).toMatchObject({ created: 1, deleted: 1, failed: 1, skipped: 1 });

    s.setFaults([]);
    const again = await deployToV2(m, options(store, repo.dir));
    expect(again.report.counts).toMatchObject({ created: 1, deleted: 1, failed: 0 });
    expect(await devState(store, { ...a, interface: 'spark' })).toBe('live v1');
    expect(await devState(store, a)).toBe('tombstone v2');
  });
});

describe('a run that fails before its first write writes nothing', () => {
  test('a lookup fails during the plan: no PUT, no DELETE, no generateId', async () => {
    const { repo, s, store, first } = await setup();
    await repo.rename('ffi2/a.yaml', 'ffi2/b.yaml');
    await repo.commit('edit other', { 'ffi2/other.yaml': 'key: other2\n' });
    const m = await pushManifest(repo, first);
    const before = writeRequests(await stats(s.url));
    s.setFaults([{ route: 'search', nth: 2, status: 500 }]);
    await expect(deployToV2(m, options(store, repo.dir))).rejects.toThrow(/500|Injected/);
    expect(writeRequests(await stats(s.url))).toBe(before);
    s.setFaults([]);
    expect(await devState(store, a)).toBe('live v1');
    expect(await devState(store, b)).toBe('absent');
  });
});
