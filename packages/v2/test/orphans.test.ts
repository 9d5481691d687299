/**
 * Mode `all` on main lists main's items that no config maps to (a config deleted before the workflow's first
 * successful run) as orphans; only `prune` tombstones them, and only after every write of the run succeeded.
 */
import { afterAll, expect, jest, test } from '@jest/globals';
import { toV2Json } from '@itemstore/convert';
import { deploySummary, deployToV2, gitIsAncestor, itemIdFor, type DeployOptions } from '@itemstore/v2';
import { GitRepo } from '../../../test/helpers/git-repo.js';
import { pushManifest } from '../../../test/helpers/pipeline.js';
import { SETTINGS_YAML } from './helpers/fixtures.js';
import { fastClient, testServer } from './helpers/servers.js';

jest.setTimeout(60_000);

let server: Awaited<ReturnType<typeof testServer>> | undefined;
let repo: GitRepo | undefined;
afterAll(async () => {
  await server?.close();
  repo?.remove();
});

test('first run on main: an item whose config is gone is an orphan, tombstoned only with prune', async () => {
  repo = await GitRepo.init();
  await repo.commit('r1', { 'item-store.yaml': SETTINGS_YAML, 'ffi2/a.yaml': 'k: a\n' });
  server = await testServer();
  const store = fastClient(server.url, { retries: 0 });
  // Written before the workflow's first run: a config since deleted, and a feature branch's item.
  const gone = (await store.generateId('ffi2', { name: 'gone', team: 'ffi2' })).itemId;
  await store.putContents(gone, 'dev', '{}\n');
  const branchItem = (await store.generateId('ffi2', { name: 'x', team: 'ffi2', branch: 'feature' })).itemId;
  await store.putContents(branchItem, 'dev', '{}\n');
  const m = await pushManifest(repo, null);
  expect(m.mode).toBe('all');
  const options = (prune: boolean): DeployOptions => ({
    store,
    environment: 'dev',
    dryRun: false,
    deletions: 'apply',
    concurrency: 2,
    isAncestor: gitIsAncestor(repo!.dir, { fetch: false }),
    convert: toV2Json,
    orphans: { prune },
  });

  // Listed, not touched; and a failed write keeps even a pruning run from tombstoning it.
  server.setFaults([{ route: 'putContents', path: 'ffi2/a.yaml', status: 400 }]);
  const failing = await deployToV2(m, options(true));
  server.setFaults([]);
  const orphan = failing.report.entries.find((e) => e.orphan);
  expect(orphan).toMatchObject({ itemId: gone, outcome: 'skipped', kept: true });
  expect((await store.getItem(gone))?.environments.dev?.deleted).toBe(false);

  const listed = await deployToV2(m, options(false));
  expect(listed.report.entries.filter((e) => e.orphan).map((e) => [e.itemId, e.outcome])).toEqual([
    [gone, 'skipped'],
  ]);
  const md = deploySummary(listed.report).toMarkdown();
  expect(md).toContain('### Orphans');
  expect(md).toContain('run again with prune: true to tombstone them');
  expect((await store.getItem(gone))?.environments.dev?.deleted).toBe(false);

  const pruned = await deployToV2(m, options(true));
  expect(pruned.report.entries.filter((e) => e.orphan).map((e) => [e.itemId, e.outcome])).toEqual([
    [gone, 'deleted'],
  ]);
  expect((await store.getItem(gone))?.environments.dev?.deleted).toBe(true);
  expect((await store.getItem(branchItem))?.environments.dev?.deleted).toBe(false);
  expect(itemIdFor('ffi2', { name: 'a', team: 'ffi2' })).not.toBe(gone);
});
