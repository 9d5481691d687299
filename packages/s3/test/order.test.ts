/**
 * Order of effects in sync-s3, with faults injected into s3rver, on manifests that detect + resolve make from real
 * git history: the old key of a renamed config is deleted only after the new key was uploaded; when that upload
 * fails, the old object stays and the report says so.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { MemoryLogger } from '@itemstore/core';
import { startS3Server, type S3TestServer } from '../../../test/helpers/s3-server.js';
import { GitRepo } from '../../../test/helpers/git-repo.js';
import { pushManifest } from '../../../test/helpers/pipeline.js';
import { syncSummary, syncToS3, type SyncToS3Options } from '../src/index.js';
import { settingsYaml } from './fixtures.js';

jest.setTimeout(60_000);

let s3: S3TestServer;
let bucketNo = 0;
const repos: GitRepo[] = [];
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.close();
  repos.forEach((r) => r.remove());
});

function opts(extra: Partial<SyncToS3Options>): SyncToS3Options {
  return {
    endpoint: s3.endpoint,
    credentials: s3.credentials,
    logger: new MemoryLogger(),
    maxAttempts: 2,
    ...extra,
  };
}

async function setup(): Promise<{ repo: GitRepo; bucket: string; first: string }> {
  const bucket = `order-test-${++bucketNo}`;
  await s3.createBucket(bucket);
  const repo = await GitRepo.init();
  repos.push(repo);
  const first = await repo.commit('first', {
    'item-store.yaml': settingsYaml(bucket),
    'data-router/default/orders.yaml': 'config_list:\n  - route: orders\n',
    'ffi2/default/feed.json': '{"a": 1}\n',
  });
  const { report } = await syncToS3(opts({ manifest: await pushManifest(repo, null) }));
  expect(report.counts).toMatchObject({ uploaded: 2, failed: 0 });
  return { repo, bucket, first };
}

describe('a renamed config whose upload fails keeps its old object', () => {
  test.each([500, 403])(
    'PUT of the new key answers %i: the old key stays; a rerun converges',
    async (status) => {
      const { repo, bucket, first } = await setup();
      await repo.rename('data-router/default/orders.yaml', 'data-router/default/orders_v2.yaml');
      const m = await pushManifest(repo, first);
      await s3.setFaults([{ method: 'PUT', bucket, key: 'item-store/data-router/orders_v2.yaml', status }]);
      await s3.resetCounts();
      const { report } = await syncToS3(opts({ manifest: m }));
      await s3.setFaults([]);
      expect((await s3.counts()).delete).toBe(0);
      expect(await s3.listKeys(bucket)).toEqual([
        'item-store/data-router/orders.yaml',
        'item-store/ffi2/feed.json',
      ]);
      expect(report.counts).toMatchObject({ uploaded: 0, deleted: 0, kept: 1, failed: 1 });
      const old = report.objects.find((o) => o.key === 'item-store/data-router/orders.yaml');
      expect(old).toMatchObject({ action: 'delete', status: 'kept' });
      expect(old?.reason).toMatch(
        /^kept: replaced by data-router\/default\/orders_v2.yaml, but .* was not uploaded/,
      );
      expect(syncSummary(report).toMarkdown()).toMatch(/\| kept \|/);

      const again = await syncToS3(opts({ manifest: m }));
      expect(again.report.counts).toMatchObject({ uploaded: 1, deleted: 1, failed: 0 });
      expect(await s3.listKeys(bucket)).toEqual([
        'item-store/data-router/orders_v2.yaml',
        'item-store/ffi2/feed.json',
      ]);
    },
  );

  test('full sync with deletions: apply deletes unmapped keys only when every upload succeeded', async () => {
    const { repo, bucket } = await setup();
    await repo.rename('data-router/default/orders.yaml', 'data-router/default/orders_v2.yaml');
    await s3.setFaults([{ method: 'PUT', bucket, key: 'item-store/data-router/orders_v2.yaml' }]);
    const { report } = await syncToS3(opts({ full: true, repoDir: repo.dir, deletions: 'apply' }));
    await s3.setFaults([]);
    expect(report.counts).toMatchObject({ kept: 1, failed: 1, deleted: 0 });
    expect(await s3.listKeys(bucket)).toContain('item-store/data-router/orders.yaml');
    const again = await syncToS3(opts({ full: true, repoDir: repo.dir, deletions: 'apply' }));
    expect(again.report.counts).toMatchObject({ uploaded: 1, deleted: 1, failed: 0 });
  });
});
