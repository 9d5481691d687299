/**
 * A deploy killed with SIGKILL half-way, then run again: it completes without duplicate versions, and a third,
 * identical run writes nothing. The deploy runs as a child process (`itemstore deploy`), the server in this one
 * with latency so there is time to kill it mid-run.
 */
import { afterAll, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitRepo } from '../../../test/helpers/git-repo.js';
import { SETTINGS_YAML, entryFor, expectedJson, manifestOf, yamlConfigs } from './helpers/fixtures.js';
import { spawnCli } from './helpers/processes.js';
import { TOKEN, fastClient, stats, testServer, writeRequests } from './helpers/servers.js';
import { findExact } from '@itemstore/v2';

const N = 150;
let server: Awaited<ReturnType<typeof testServer>>;
afterAll(async () => {
  await server?.close();
});

test('killed half-way, run again: complete, no duplicate versions; a third run writes nothing', async () => {
  server = await testServer({ latencyMs: 25 });
  const repo = await GitRepo.init();
  const sha = await repo.commit('configs', { 'item-store.yaml': SETTINGS_YAML, ...yamlConfigs(N) });
  const entries = Object.keys(yamlConfigs(N)).map((p) => entryFor(p));
  const manifestFile = join(mkdtempSync(join(tmpdir(), 'v2-crash-')), 'resolved.json');
  writeFileSync(manifestFile, JSON.stringify(manifestOf(repo.dir, sha, entries)));
  const args = ['--manifest', manifestFile, '--url', server.url, '--concurrency', '4'];
  const env = { ITEMSTORE_TOKEN: TOKEN };
  const puts = async () =>
    (await stats(server.url)).requests['PUT /v2/items/{id}/environments/{env}/contents'] ?? 0;

  const first = await spawnCli(['deploy', ...args], env);
  const deadline = Date.now() + 30_000;
  while ((await puts()) < 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  first.child.kill('SIGKILL');
  expect(await first.exited).toBeNull();
  const written = Object.keys((await stats(server.url)).versions).length;
  const withVersion = Object.values((await stats(server.url)).versions).filter((v) => v.dev).length;
  expect(withVersion).toBeGreaterThanOrEqual(35);
  expect(withVersion).toBeLessThan(N);
  expect(written).toBeLessThan(N + 1);

  const second = await spawnCli(['deploy', ...args], env);
  expect(await second.exited).toBe(0);
  expect(second.stderr()).toMatch(
    new RegExp(`deploy dev: ${N - withVersion} created, 0 updated, ${withVersion} unchanged`),
  );
  const versions = (await stats(server.url)).versions;
  expect(Object.keys(versions)).toHaveLength(N);
  expect(Object.values(versions).every((v) => v.dev === 1)).toBe(true);
  const reader = fastClient(server.url);
  await Promise.all(
    entries.map(async (e, i) => {
      const ref = await findExact(reader, e.namespace, e.tags);
      expect((await reader.getContents(ref!.itemId, 'dev'))?.content).toBe(expectedJson(i));
    }),
  );

  const writesBefore = writeRequests(await stats(server.url));
  const third = await spawnCli(['deploy', ...args], env);
  expect(await third.exited).toBe(0);
  expect(third.stderr()).toContain(`0 created, 0 updated, ${N} unchanged, 0 deleted, 0 stale, 0 failed`);
  expect(writeRequests(await stats(server.url))).toBe(writesBefore);
  expect((await stats(server.url)).versions).toEqual(versions);
}, 90_000);
