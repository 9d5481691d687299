import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ConfigErrors, MemoryLogger, UsageError } from '@itemstore/core';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { startS3Server, type S3TestServer } from '../../../test/helpers/s3-server.js';
import { syncToS3, type SyncToS3Options } from '../src/index.js';
import {
  BASE_KEYS,
  ConfigRepo,
  DQ_CONFIG,
  DQ_LEGACY,
  baseFiles,
  entryOf,
  manifestOf,
  removeRepos,
} from './fixtures.js';

let s3: S3TestServer;
let bucketNo = 0;

beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.close();
  removeRepos();
});

async function newBucket(): Promise<string> {
  const name = `sync-test-${++bucketNo}`;
  await s3.createBucket(name);
  return name;
}

function opts(extra: Partial<SyncToS3Options>): SyncToS3Options {
  return { endpoint: s3.endpoint, credentials: s3.credentials, logger: new MemoryLogger(), ...extra };
}

/** Every S3 config of the repo as one manifest (as resolve-tags gives for a first push). */
async function fullManifest(repo: ConfigRepo) {
  return manifestOf(
    repo,
    (await repo.resolve()).map((c) => entryOf(c, 'upsert')),
  );
}

describe('syncToS3 with a resolved manifest against s3rver', () => {
  test('first sync uploads exactly the default/ configs, byte for byte, DQ in the legacy format', async () => {
    const bucket = await newBucket();
    const repo = ConfigRepo.create(baseFiles(bucket));
    await s3.resetCounts();
    const { report } = await syncToS3(opts({ manifest: await fullManifest(repo) }));

    expect(report.counts).toEqual({ uploaded: 5, unchanged: 0, deleted: 0, kept: 0, failed: 0 });
    expect(await s3.listKeys(bucket)).toEqual(BASE_KEYS.map((k) => `item-store/${k}`));
    const counts = await s3.counts();
    expect(counts.put).toBe(5);
    // Bytes exactly as in git (comments, spacing, key order), checked with a GET.
    const files = baseFiles(bucket);
    for (const key of BASE_KEYS.filter((k) => !k.startsWith('data-quality/'))) {
      const path = key.replace(/^([^/]+)\//, '$1/default/');
      expect((await s3.getObject(bucket, `item-store/${key}`))?.toString('utf8')).toBe(files[path]);
    }
    expect((await s3.getObject(bucket, 'item-store/data-quality/orders_checks.yaml'))?.toString('utf8')).toBe(
      DQ_LEGACY,
    );
    const head = await s3.client.send(
      new HeadObjectCommand({ Bucket: bucket, Key: 'item-store/ffi2/vendor_feed.json' }),
    );
    expect(head.ContentType).toBe('application/json');
    const yaml = await s3.client.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'item-store/data-router/orders.yaml' }),
    );
    expect(yaml.ContentType).toBe('application/yaml');
    await yaml.Body?.transformToByteArray();
  });

  test('a no-op re-sync lists once and makes zero PUTs and zero DELETEs at the server', async () => {
    const bucket = await newBucket();
    const repo = ConfigRepo.create(baseFiles(bucket));
    const manifest = await fullManifest(repo);
    await syncToS3(opts({ manifest }));
    await s3.resetCounts();
    const { report } = await syncToS3(opts({ manifest }));
    expect(report.counts).toMatchObject({ uploaded: 0, unchanged: 5, deleted: 0, failed: 0 });
    expect(await s3.counts()).toMatchObject({ put: 0, delete: 0, post: 0, get: 0, list: 1 });
  });

  test('one changed file makes exactly one PUT, of its key, with the new bytes', async () => {
    const bucket = await newBucket();
    const repo = ConfigRepo.create(baseFiles(bucket));
    await syncToS3(opts({ manifest: await fullManifest(repo) }));
    // Same size, different content: a size/mtime sync could miss this one.
    const changed = 'config_list:\n  - route: orders\n    target: pulsar # comment kept in S3\n';
    repo.write({ 'data-router/default/orders.yaml': changed });
    await s3.resetCounts();
    const { report } = await syncToS3(opts({ manifest: await fullManifest(repo) }));
    expect(report.counts).toMatchObject({ uploaded: 1, unchanged: 4 });
    const puts = (await s3.requests()).filter((r) => r.method === 'PUT');
    expect(puts.map((r) => r.key)).toEqual(['item-store/data-router/orders.yaml']);
    expect((await s3.getObject(bucket, 'item-store/data-router/orders.yaml'))?.toString()).toBe(changed);
    const row = report.objects.find((o) => o.key === 'item-store/data-router/orders.yaml');
    expect(row).toMatchObject({ action: 'upload', status: 'done', reason: 'content differs (MD5 ≠ ETag)' });
  });

  test('a deleted config deletes exactly its key; other configs and an object someone else put survive', async () => {
    const bucket = await newBucket();
    const repo = ConfigRepo.create(baseFiles(bucket));
    await syncToS3(opts({ manifest: await fullManifest(repo) }));
    await s3.putObject(bucket, 'item-store/data-router/hand_made.yaml', 'put: by someone else\n');
    await s3.putObject(bucket, 'elsewhere/file.txt', 'outside the prefix\n');
    const [gone] = await repo.resolve(['data-router/default/eu/returns.yml']);
    repo.remove('data-router/default/eu/returns.yml');
    await s3.resetCounts();
    const { report } = await syncToS3(opts({ manifest: manifestOf(repo, [entryOf(gone!, 'delete')]) }));

    expect(report.counts).toMatchObject({ uploaded: 0, deleted: 1, unchanged: 0, failed: 0 });
    const deletes = (await s3.requests()).filter((r) => r.method === 'DELETE' || r.method === 'POST');
    expect(deletes.map((r) => `${r.method} ${r.key}`)).toEqual([
      'DELETE item-store/data-router/eu/returns.yml',
    ]);
    expect(await s3.listKeys(bucket)).toEqual(
      [
        'elsewhere/file.txt',
        ...BASE_KEYS.filter((k) => k !== 'data-router/eu/returns.yml').map((k) => `item-store/${k}`),
        'item-store/data-router/hand_made.yaml',
      ].sort(),
    );
  });

  test('deletions: skip keeps the object and says so', async () => {
    const bucket = await newBucket();
    const repo = ConfigRepo.create(baseFiles(bucket));
    await syncToS3(opts({ manifest: await fullManifest(repo) }));
    const [gone] = await repo.resolve(['ffi2/default/vendor_feed.json']);
    repo.remove('ffi2/default/vendor_feed.json');
    const { report } = await syncToS3(
      opts({ manifest: manifestOf(repo, [entryOf(gone!, 'delete')]), deletions: 'skip' }),
    );
    expect(report.counts).toMatchObject({ deleted: 0, kept: 1 });
    expect(await s3.getObject(bucket, 'item-store/ffi2/vendor_feed.json')).toBeDefined();
  });

  test('a config that changed identity but keeps its S3 key is updated, never deleted', async () => {
    const bucket = await newBucket();
    const repo = ConfigRepo.create(baseFiles(bucket));
    await syncToS3(opts({ manifest: await fullManifest(repo) }));
    const [before] = await repo.resolve(['ffi2/default/vendor_feed.json']);
    repo.write({ 'ffi2/default/tags.yaml': 'tags:\n  feed: vendor\n' });
    const [after] = await repo.resolve(['ffi2/default/vendor_feed.json']);
    expect(after!.identity).not.toBe(before!.identity);
    await s3.resetCounts();
    const { report } = await syncToS3(
      opts({ manifest: manifestOf(repo, [entryOf(before!, 'delete'), entryOf(after!, 'upsert')]) }),
    );
    expect(report.counts).toMatchObject({ deleted: 0, unchanged: 1 });
    expect(await s3.counts()).toMatchObject({ delete: 0, put: 0 });
    expect(await s3.getObject(bucket, 'item-store/ffi2/vendor_feed.json')).toBeDefined();
  });

  test('dry-run plans the same and writes nothing', async () => {
    const bucket = await newBucket();
    const repo = ConfigRepo.create(baseFiles(bucket));
    await s3.putObject(bucket, 'item-store/ffi2/vendor_feed.json', 'old\n');
    const [gone] = await repo.resolve(['data-router/default/orders.yaml']);
    await s3.putObject(bucket, 'item-store/data-router/orders.yaml', 'to be deleted\n');
    repo.remove('data-router/default/orders.yaml');
    const manifest = manifestOf(repo, [
      ...(await repo.resolve()).map((c) => entryOf(c, 'upsert')),
      entryOf(gone!, 'delete'),
    ]);
    await s3.resetCounts();
    const { report } = await syncToS3(opts({ manifest, dryRun: true }));
    expect(report.dryRun).toBe(true);
    expect(report.counts).toMatchObject({ uploaded: 4, deleted: 1, unchanged: 0 });
    expect(report.objects.every((o) => o.status === 'planned')).toBe(true);
    expect(await s3.counts()).toMatchObject({ put: 0, delete: 0, post: 0, list: 1 });
    expect((await s3.getObject(bucket, 'item-store/ffi2/vendor_feed.json'))?.toString()).toBe('old\n');
  });

  test('one bad config: nothing is written and the error names file, line and column', async () => {
    const bucket = await newBucket();
    const repo = ConfigRepo.create({
      ...baseFiles(bucket),
      'data-router/default/broken.yaml': 'config_list:\n  - route: x\n    target: [unclosed\n',
    });
    const manifest = await fullManifest(repo);
    await s3.resetCounts();
    const err = await syncToS3(opts({ manifest })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigErrors);
    const [first] = (err as ConfigErrors).errors;
    expect(first).toMatchObject({ file: 'data-router/default/broken.yaml' });
    expect(first!.line).toBeGreaterThan(1);
    expect(first!.column).toBeGreaterThanOrEqual(1);
    // The listing (a read) may run while configs are validated; nothing is written.
    expect(await s3.counts()).toMatchObject({ put: 0, delete: 0, post: 0 });
    expect(await s3.listKeys(bucket)).toEqual([]);
  });

  test('a DQ config whose config_list is not a list is refused before any write', async () => {
    const bucket = await newBucket();
    const repo = ConfigRepo.create({
      ...baseFiles(bucket),
      'data-quality/default/bad.yaml': 'config_list:\n  rule_id: not-a-list\n',
    });
    await s3.resetCounts();
    await expect(syncToS3(opts({ manifest: await fullManifest(repo) }))).rejects.toThrow(ConfigErrors);
    expect(await s3.counts()).toMatchObject({ put: 0, delete: 0, post: 0 });
  });

  test('errors recorded in the manifest by resolve-tags stop the run before any request', async () => {
    const bucket = await newBucket();
    const repo = ConfigRepo.create(baseFiles(bucket));
    const manifest = manifestOf(repo, (await fullManifest(repo)).entries, {
      errors: [{ code: 'tags-invalid', message: 'bad tag', severity: 'error', file: 'x/tags.yaml', line: 2 }],
    });
    await s3.resetCounts();
    await expect(syncToS3(opts({ manifest }))).rejects.toThrow(/bad tag/);
    expect((await s3.counts()).total).toBe(0);
  });

  test('a feature-branch manifest writes nothing unless allow-feature-branch is set', async () => {
    const bucket = await newBucket();
    const repo = ConfigRepo.create(baseFiles(bucket));
    const manifest = manifestOf(repo, (await fullManifest(repo)).entries, { branch: 'Feature/ABC' });
    await s3.resetCounts();
    const skipped = await syncToS3(opts({ manifest }));
    expect(skipped.report.ran).toBe(false);
    expect(skipped.report.notRunReason).toMatch(/Feature\/ABC.*allow-feature-branch/);
    expect((await s3.counts()).total).toBe(0);

    const allowed = await syncToS3(opts({ manifest, allowFeatureBranch: true }));
    expect(allowed.report.counts.uploaded).toBe(5);
    expect(await s3.listKeys(bucket)).toHaveLength(5);
  });

  test('inputs override bucket and prefix from item-store.yaml', async () => {
    const bucket = await newBucket();
    const repo = ConfigRepo.create(baseFiles('not-this-bucket'));
    const { report } = await syncToS3(
      opts({ manifest: await fullManifest(repo), overrides: { bucket, prefix: 'v0' } }),
    );
    expect(report.locations).toEqual([{ bucket, prefix: 'v0/', region: 'us-east-1' }]);
    expect(await s3.listKeys(bucket)).toEqual(BASE_KEYS.map((k) => `v0/${k}`));
  });

  test('an environment not in item-store.yaml and a missing bucket are clear usage errors', async () => {
    const bucket = await newBucket();
    const repo = ConfigRepo.create(baseFiles(bucket));
    await expect(
      syncToS3(opts({ manifest: await fullManifest(repo), environment: 'staging' })),
    ).rejects.toThrow(UsageError);
    await expect(
      syncToS3(opts({ manifest: await fullManifest(repo), overrides: { bucket: 'no-such-bucket' } })),
    ).rejects.toThrow(/no-such-bucket.*does not exist/);
  });
});

describe('syncToS3 with full: true (the whole default/ tree)', () => {
  test('uploads every default/ config; a foreign object survives unless deletions: apply is explicit', async () => {
    const bucket = await newBucket();
    const repo = ConfigRepo.create(baseFiles(bucket));
    await s3.putObject(bucket, 'item-store/data-router/stray.yaml', 'stray\n');
    await s3.putObject(bucket, 'other-prefix/keep.yaml', 'keep\n');

    const first = await syncToS3(opts({ full: true, repoDir: repo.root }));
    expect(first.report.counts).toMatchObject({ uploaded: 5, kept: 1, deleted: 0 });
    expect(await s3.getObject(bucket, 'item-store/data-router/stray.yaml')).toBeDefined();

    await s3.resetCounts();
    const second = await syncToS3(opts({ full: true, repoDir: repo.root, deletions: 'apply' }));
    expect(second.report.counts).toMatchObject({ uploaded: 0, unchanged: 5, deleted: 1 });
    expect((await s3.requests()).filter((r) => r.method === 'DELETE').map((r) => r.key)).toEqual([
      'item-store/data-router/stray.yaml',
    ]);
    expect(await s3.getObject(bucket, 'other-prefix/keep.yaml')).toBeDefined();
  });

  test('full: a byte-for-byte config with a YAML 1.1 scalar (enabled: yes) is a located error and nothing is written', async () => {
    // resolve-tags refuses it on the push path; a full sync (and the CLI) reads the checkout itself and must too:
    // legacy readers of S3 would read `true` where V2 reads the string "yes".
    const bucket = await newBucket();
    const repo = ConfigRepo.create({
      ...baseFiles(bucket),
      'data-router/default/yes.yaml': 'config_list:\n  - route: x\n    enabled: yes\n',
    });
    await s3.resetCounts();
    const err = await syncToS3(opts({ full: true, repoDir: repo.root })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigErrors);
    expect((err as ConfigErrors).errors.map((e) => [e.code, e.file, e.line, e.column])).toEqual([
      ['yaml11-ambiguous', 'data-router/default/yes.yaml', 3, 14],
    ]);
    expect((err as ConfigErrors).errors[0]!.message).toContain('"yes" is true to YAML 1.1 readers of S3');
    expect(await s3.counts()).toMatchObject({ put: 0, delete: 0, post: 0 });
    expect(await s3.listKeys(bucket)).toEqual([]);
  });

  test('full with deletions: apply refuses an empty prefix', async () => {
    const bucket = await newBucket();
    const repo = ConfigRepo.create(baseFiles(bucket));
    await expect(
      syncToS3(opts({ full: true, repoDir: repo.root, deletions: 'apply', overrides: { prefix: '' } })),
    ).rejects.toThrow(/prefix is empty/);
  });

  test('only what will be written must convert: a broken config the bucket already holds byte for byte does not block others', async () => {
    const bucket = await newBucket();
    const broken = 'routes: [unclosed\n';
    const repo = ConfigRepo.create({ ...baseFiles(bucket), 'data-router/default/legacy.yaml': broken });
    // Someone put exactly these bytes there before this suite existed.
    await s3.putObject(bucket, 'item-store/data-router/legacy.yaml', broken);
    const first = await syncToS3(opts({ full: true, repoDir: repo.root }));
    expect(first.report.counts).toMatchObject({ uploaded: 5, unchanged: 1, failed: 0 });

    // The moment its bytes differ from the bucket's, it would be written, so it must convert: nothing is written.
    repo.write({
      'data-router/default/legacy.yaml': 'routes: [still unclosed\n',
      'ffi2/default/vendor_feed.json': '{"v": 2}\n',
    });
    await s3.resetCounts();
    const err = await syncToS3(opts({ full: true, repoDir: repo.root })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigErrors);
    expect((err as ConfigErrors).errors[0]).toMatchObject({
      file: 'data-router/default/legacy.yaml',
      line: 2,
    });
    expect(await s3.counts()).toMatchObject({ put: 0, delete: 0, post: 0 });
  });

  test('1,200 unchanged configs among faults: an orphan, an object changed in S3, then an invalid config', async () => {
    // The no-op path reads each file once and parses only what will be written: these are the faults it must still
    // see. The listing takes two pages (ranges cut at the expected keys).
    const bucket = await newBucket();
    const files = baseFiles(bucket);
    for (let i = 0; i < 1_200; i++) {
      files[`ffi2/default/many-${i % 7}/cfg-${String(i).padStart(4, '0')}.yaml`] =
        `id: ${i}\nname: feed ${i}\n`;
    }
    const repo = ConfigRepo.create(files);
    const total = 1_200 + BASE_KEYS.length;
    const first = await syncToS3(opts({ full: true, repoDir: repo.root }));
    expect(first.report.counts).toMatchObject({ uploaded: total, failed: 0 });
    const dqKey = 'item-store/data-quality/orders_checks.yaml';
    expect((await s3.getObject(bucket, dqKey))?.toString()).toBe(DQ_LEGACY);

    // An object no config maps to, and one config's object changed behind our back.
    const drifted = 'item-store/ffi2/many-3/cfg-0500.yaml';
    await s3.putObject(bucket, 'item-store/ffi2/many-3/orphan.yaml', 'orphan: 1\n');
    await s3.putObject(bucket, drifted, 'id: 500\nname: edited in the console\n');
    await s3.resetCounts();
    const second = await syncToS3(opts({ full: true, repoDir: repo.root }));
    expect(second.report.counts).toMatchObject({ uploaded: 1, unchanged: total - 1, kept: 1, failed: 0 });
    const items = second.plan!.items;
    expect(items.find((i) => i.key === drifted)).toMatchObject({
      action: 'upload',
      reason: 'content differs (MD5 ≠ ETag)',
    });
    expect(items.find((i) => i.key === 'item-store/ffi2/many-3/orphan.yaml')).toMatchObject({
      action: 'keep',
    });
    expect(items.find((i) => i.key === dqKey)).toMatchObject({ action: 'unchanged' });
    expect((await s3.requests()).filter((r) => r.method === 'PUT').map((r) => r.key)).toEqual([drifted]);
    expect((await s3.getObject(bucket, drifted))?.toString()).toBe('id: 500\nname: feed 500\n');

    // One config turns invalid among the unchanged ones while another changes validly: a located error, no write.
    repo.write({
      'ffi2/default/many-1/cfg-0701.yaml': 'id: 701\nname: [unclosed\n',
      'ffi2/default/many-2/cfg-0702.yaml': 'id: 702\nname: changed\n',
    });
    await s3.resetCounts();
    const err = await syncToS3(opts({ full: true, repoDir: repo.root })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigErrors);
    expect((err as ConfigErrors).errors.map((e) => [e.file, e.line])).toEqual([
      ['ffi2/default/many-1/cfg-0701.yaml', 3],
    ]);
    expect(await s3.counts()).toMatchObject({ put: 0, delete: 0, post: 0 });
    expect((await s3.getObject(bucket, 'item-store/ffi2/many-2/cfg-0702.yaml'))?.toString()).toBe(
      'id: 702\nname: feed 702\n',
    );
  }, 60_000);

  test('2,500 configs: pagination, then a no-op re-sync with zero PUTs', async () => {
    const bucket = await newBucket();
    const files = baseFiles(bucket);
    for (let i = 0; i < 2_500; i++) {
      files[`ffi2/default/feed-${String(i % 25).padStart(2, '0')}/cfg-${i}.json`] = `{"n": ${i}}\n`;
    }
    const repo = ConfigRepo.create(files);
    const first = await syncToS3(opts({ full: true, repoDir: repo.root, concurrency: 32 }));
    expect(first.report.counts).toMatchObject({ uploaded: 2_505, failed: 0 });

    await s3.resetCounts();
    const again = await syncToS3(opts({ full: true, repoDir: repo.root, deletions: 'apply' }));
    expect(again.report.counts).toMatchObject({ uploaded: 0, unchanged: 2_505, deleted: 0 });
    const counts = await s3.counts();
    expect(counts).toMatchObject({ put: 0, delete: 0, get: 0 });
    expect(counts.list).toBe(3); // 1,000 keys a page
    expect(await s3.listKeys(bucket)).toHaveLength(2_505);
  }, 60_000);
});

test('DQ_CONFIG is valid YAML that the legacy text reflects (fixture sanity)', () => {
  expect(DQ_CONFIG).toContain('config_list:');
  expect(DQ_LEGACY.split('---\n')).toHaveLength(3);
});
