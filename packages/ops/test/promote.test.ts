import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FsTree } from '@itemstore/config';
import { UsageError } from '@itemstore/core';
import { findExact } from '@itemstore/v2';
import { promote, s3SyncSwitch, validate, type PromoteReport } from '@itemstore/ops';
import {
  BUCKETS,
  PREFIX,
  cleanupAll,
  deployAll,
  deployedSample,
  repoFiles,
  tagsOf,
  type Stores,
} from './helpers.js';

let stores: Stores;
let repo: string;

beforeAll(async () => {
  ({ stores, repo } = await deployedSample());
}, 60_000);

afterAll(async () => {
  await stores?.close();
  await cleanupAll();
});

function run(from: string, to: string, extra: { dryRun?: boolean; s3Sync?: boolean; paths?: string[] } = {}) {
  return promote({
    tree: new FsTree(repo),
    from,
    to,
    s3Sync: extra.s3Sync ?? true,
    ...(extra.dryRun ? { dryRun: true } : {}),
    ...(extra.paths ? { paths: extra.paths } : {}),
    store: stores.store,
    reader: stores.reader,
    clientFor: stores.reader.clientFor,
  });
}

function outcomes(r: PromoteReport): string[] {
  return r.entries.map((e) => `${e.outcome} ${e.store} ${e.path ?? e.tags?.name}`);
}

describe('promote', () => {
  test('a skip (dev → prod) and a backwards step are refused before anything is read', async () => {
    await expect(run('dev', 'prod')).rejects.toThrow(
      new UsageError(
        "Promotion goes one step at a time in item-store.yaml's order (dev → qa → prod): from dev the next environment is qa, not prod.",
      ),
    );
    await expect(run('qa', 'dev')).rejects.toThrow(/from qa the next environment is prod, not dev/);
    await expect(run('prod', 'qa')).rejects.toThrow(/prod is the last environment/);
    await expect(run('dev', 'staging')).rejects.toThrow(/"staging" is not one of the environments/);
    expect(await stores.s3.listKeys(BUCKETS.qa)).toEqual([]);
  });

  test('dev → qa → prod: V2 through promote, S3 by copying objects, _SC to S3 only, verified; a rerun changes nothing', async () => {
    const dry = await run('dev', 'qa', { dryRun: true });
    expect(dry.counts.planned).toBe(10);
    expect(await stores.s3.listKeys(BUCKETS.qa)).toEqual([]);

    const qa = await run('dev', 'qa');
    expect(outcomes(qa)).toEqual([
      'promoted s3 data-quality/default/orders_checks.yaml',
      'promoted v2 data-quality/default/orders_checks.yaml',
      'promoted s3 data-router/default/orders.yaml',
      'promoted v2 data-router/default/orders.yaml',
      'promoted s3 data-router/default/refunds_SC.yaml',
      'promoted s3 ffi2/default/eu/store_feed.yaml',
      'promoted v2 ffi2/default/eu/store_feed.yaml',
      'promoted s3 ffi2/default/vendor_feed.json',
      'promoted v2 ffi2/default/vendor_feed.json',
      'promoted v2 ffi2/mappings/store_codes.json',
    ]);
    expect(qa.unverified).toBe(0);
    expect(qa.entries.every((e) => e.verified)).toBe(true);
    // The _SC config is an S3 object in qa and no V2 item.
    expect(await stores.s3.getObject(BUCKETS.qa, `${PREFIX}data-router/refunds_SC.yaml`)).toEqual(
      Buffer.from(repoFiles()['data-router/default/refunds_SC.yaml']!),
    );
    expect(await findExact(stores.store, 'data-router', tagsOf('refunds_SC', 'data-router'))).toBeUndefined();
    // The legacy DQ bytes were copied as they are in dev.
    expect(await stores.s3.getObject(BUCKETS.qa, `${PREFIX}data-quality/orders_checks.yaml`)).toEqual(
      await stores.s3.getObject(BUCKETS.dev, `${PREFIX}data-quality/orders_checks.yaml`),
    );
    const v = qa.entries.find((e) => e.store === 'v2' && e.path === 'ffi2/default/vendor_feed.json')!;
    expect(v.from?.version).toBe(1);
    expect(v.before).toBeUndefined();
    expect(v.after?.version).toBe(1);

    const prod = await run('qa', 'prod');
    expect(prod.counts).toMatchObject({ promoted: 10, failed: 0 });
    const validated = await validate({
      tree: new FsTree(repo),
      environment: 'prod',
      against: 'repo',
      store: stores.store,
      s3: { reader: stores.reader },
    });
    expect(validated.report.drifted).toBe(0);

    const again = await run('dev', 'qa');
    expect(again.counts).toMatchObject({ promoted: 0, unchanged: 10 });
  });

  test('an edit reaches qa only when promoted; paths limit the promotion; S3 sync off writes no S3 object', async () => {
    writeFileSync(
      join(repo, 'ffi2/default/vendor_feed.json'),
      '{"vendor": "acme", "fields": ["a", "b", "c"]}\n',
    );
    writeFileSync(join(repo, 'data-router/default/refunds_SC.yaml'), 'config_list:\n  - route: refunds_v2\n');
    await deployAll(stores, repo, 'dev');
    await stores.s3.resetCounts();

    const off = await run('dev', 'qa', {
      s3Sync: false,
      paths: ['ffi2/default/vendor_feed.json', 'data-router/default'],
    });
    expect(outcomes(off)).toEqual([
      'unchanged v2 data-router/default/orders.yaml',
      'skipped s3 data-router/default/refunds_SC.yaml',
      'promoted v2 ffi2/default/vendor_feed.json',
    ]);
    const c = await stores.s3.counts();
    expect(c.put + c.list + c.get).toBe(0);
    const entry = off.entries.find((e) => e.path === 'ffi2/default/vendor_feed.json')!;
    expect(entry.from?.version).toBe(2);
    expect(entry.before?.version).toBe(1);
    expect(entry.after?.version).toBe(2);

    const on = await run('dev', 'qa', { paths: ['data-router/default/refunds_SC.yaml'] });
    expect(outcomes(on)).toEqual(['promoted s3 data-router/default/refunds_SC.yaml']);
    expect(
      (await stores.s3.getObject(BUCKETS.qa, `${PREFIX}data-router/refunds_SC.yaml`))?.toString(),
    ).toContain('refunds_v2');
  });

  test('the S3 switch: either off is off (an input cannot turn S3 back on), then on', () => {
    expect(s3SyncSwitch('off', { ITEMSTORE_S3_SYNC: 'on' })).toEqual({ on: false, why: 's3-sync: off' });
    expect(s3SyncSwitch('on', { ITEMSTORE_S3_SYNC: 'off' })).toEqual({
      on: false,
      why: 'ITEMSTORE_S3_SYNC=off',
    });
    expect(s3SyncSwitch('', { ITEMSTORE_S3_SYNC: 'off' })).toEqual({
      on: false,
      why: 'ITEMSTORE_S3_SYNC=off',
    });
    expect(s3SyncSwitch(undefined, {}).on).toBe(true);
    expect(() => s3SyncSwitch('maybe', {})).toThrow('The s3-sync input must be on or off, got "maybe".');
  });
});
