/**
 * Stale protection that survives reverts, against the reference server over real HTTP, with real git commits:
 * r1 (flag: X), r2 (flag: Y), r3 (flag: X, a revert). Deploy r1, then r3 (unchanged: it records that r3 confirmed
 * X), then a late run of r2: stale, nothing written, V2 dev still holds X.
 */
import { afterAll, expect, jest, test } from '@jest/globals';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { toV2Json } from '@itemstore/convert';
import { deploySummary, deployToV2, findExact, gitIsAncestor, type DeployOptions } from '@itemstore/v2';
import { GitRepo } from '../../../test/helpers/git-repo.js';
import { pushManifest } from '../../../test/helpers/pipeline.js';
import { SETTINGS_YAML } from './helpers/fixtures.js';
import { fastClient, stats, testServer, writeRequests } from './helpers/servers.js';

jest.setTimeout(60_000);

let server: Awaited<ReturnType<typeof testServer>> | undefined;
let repo: GitRepo | undefined;
afterAll(async () => {
  await server?.close();
  repo?.remove();
});

test('r1 X, r2 Y, r3 X (revert): deploy r1, r3, then late r2 → stale, nothing written, dev holds X', async () => {
  repo = await GitRepo.init();
  const r1 = await repo.commit('r1', { 'item-store.yaml': SETTINGS_YAML, 'ffi2/feature.yaml': 'flag: X\n' });
  const r2 = await repo.commit('r2', { 'ffi2/feature.yaml': 'flag: Y\n' });
  const r3 = await repo.commit('r3: revert r2', { 'ffi2/feature.yaml': 'flag: X\n' });
  server = await testServer();
  const store = fastClient(server.url);
  const options: DeployOptions = {
    store,
    environment: 'dev',
    dryRun: false,
    deletions: 'apply',
    concurrency: 4,
    isAncestor: gitIsAncestor(repo.dir, { fetch: false }),
    convert: toV2Json,
  };
  const tags = { name: 'feature', team: 'ffi2' };
  const dev = async () => {
    const ref = await findExact(store, 'ffi2', tags);
    const item = await store.getItem(ref!.itemId);
    return {
      state: item!.environments.dev!,
      content: (await store.getContents(ref!.itemId, 'dev'))!.content,
    };
  };

  await repo.checkout(r1);
  expect((await deployToV2(await pushManifest(repo, null), options)).report.counts.created).toBe(1);

  await repo.checkout(r3);
  const third = await deployToV2(await pushManifest(repo, r2), options);
  expect(third.report.counts).toMatchObject({ unchanged: 1, created: 0, updated: 0 });
  // No new version; the latest version now says r3 confirmed it.
  expect((await dev()).state).toMatchObject({ version: 1, confirmedBy: r3, metadata: { commit: r1 } });

  await repo.checkout(r2);
  const writesBefore = writeRequests(await stats(server.url));
  const late = await deployToV2(await pushManifest(repo, r1), options);
  expect(late.report.counts).toMatchObject({ stale: 1, updated: 0, failed: 0 });
  expect(late.report.entries[0]?.reason).toMatch(
    new RegExp(
      `^the latest version \\(1\\) was confirmed by ${r3.slice(0, 12)}, which already contains ${r2.slice(0, 12)}`,
    ),
  );
  expect(deploySummary(late.report).toMarkdown()).toContain('stale: the latest version (1) was confirmed by');
  expect(writeRequests(await stats(server.url))).toBe(writesBefore);
  expect((await dev()).content).toBe('{\n  "flag": "X"\n}\n');
  expect((await stats(server.url)).versions).toEqual({
    [(await findExact(store, 'ffi2', tags))!.itemId]: { dev: 1 },
  });

  // A re-run of r1 (older than the confirmation) confirms nothing and writes nothing; r3 again is a no-op.
  await repo.checkout(r1);
  const rerun = await deployToV2(await pushManifest(repo, null), options);
  expect(rerun.report.counts).toMatchObject({ unchanged: 1 });
  expect((await dev()).state.confirmedBy).toBe(r3);
  expect(writeRequests(await stats(server.url))).toBe(writesBefore);
});

test('gitIsAncestor with head: questions about the deployed history are answered from one rev-list, no git call', async () => {
  const repo = await GitRepo.init();
  const c1 = await repo.commit('c1', { 'a.txt': '1\n' });
  const c2 = await repo.commit('c2', { 'a.txt': '2\n' });
  const c3 = await repo.commit('c3', { 'a.txt': '3\n' });
  const isAncestor = gitIsAncestor(repo.dir, { head: c3, fetch: false });
  expect(await isAncestor(c1, c3)).toBe(true);
  // Without git (the clone gone), what the listed history proves is still answered.
  rmSync(join(repo.dir, '.git'), { recursive: true, force: true });
  expect(await isAncestor(c2, c3)).toBe(true);
  expect(await isAncestor(c3, c1)).toBe(false);
  expect(await isAncestor(c3, c2)).toBe(false);
  expect(await isAncestor(c3, c3)).toBe(true);
});

test('gitIsAncestor with head: a commit outside the listed history still asks git', async () => {
  const repo = await GitRepo.init();
  const c1 = await repo.commit('c1', { 'a.txt': '1\n' });
  const c2 = await repo.commit('c2', { 'a.txt': '2\n' });
  const withHead = gitIsAncestor(repo.dir, { head: c1, fetch: false });
  // c2 is newer than the deployed commit c1: c1 is in c2's history, and c2 is not in c1's.
  expect(await withHead(c1, c2)).toBe(true);
  expect(await withHead(c2, c1)).toBe(false);
});
