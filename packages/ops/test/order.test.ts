/**
 * Order of effects in promote and `validate --fix --prune`, with faults injected into the reference V2 server and
 * s3rver: a tombstone or an object delete that may be a renamed config's old identity is applied only after the
 * writes of the same run succeeded; when one failed, the old item/object stays and the report says so.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { FsTree } from '@itemstore/config';
import { findExact, itemIdFor } from '@itemstore/v2';
import { applyFix, planFix, promote, validate } from '@itemstore/ops';
import {
  BUCKETS,
  PREFIX,
  cleanupAll,
  deployAll,
  repoFiles,
  startStores,
  tagsOf,
  writeRepo,
  type Stores,
} from './helpers.js';

jest.setTimeout(60_000);

let stores: Stores;
beforeAll(async () => {
  stores = await startStores();
}, 60_000);
afterAll(async () => {
  await stores?.close();
  await cleanupAll();
});

async function state(env: string, name: string, team = 'ffi2'): Promise<string> {
  const ref = await findExact(stores.store, team, tagsOf(name, team));
  const s = ref && (await stores.store.getItem(ref.itemId))?.environments[env];
  if (!s) return 'absent';
  return s.deleted ? 'tombstone' : 'live';
}

describe('promote: a tombstone waits for every new version', () => {
  test('the renamed config fails to promote: qa keeps the old item; a rerun converges', async () => {
    const repo = writeRepo(repoFiles());
    await deployAll(stores, repo, 'dev');
    await deployAll(stores, repo, 'qa');
    // The rename in dev: vendor_feed → vendor_feed2 (new item live, old one tombstoned).
    const files = repoFiles();
    writeRepo({ 'ffi2/default/vendor_feed2.json': files['ffi2/default/vendor_feed.json']! }, repo);
    rmSync(join(repo, 'ffi2/default/vendor_feed.json'));
    await deployAll(stores, repo, 'dev');
    const old = await findExact(stores.store, 'ffi2', tagsOf('vendor_feed', 'ffi2'));
    await stores.store.deleteItem(old!.itemId, 'dev');

    const run = () =>
      promote({
        tree: new FsTree(repo),
        from: 'dev',
        to: 'qa',
        s3Sync: false,
        store: stores.store,
        reader: stores.reader,
        clientFor: stores.reader.clientFor,
      });
    stores.v2.setFaults([
      { route: 'promote', itemId: itemIdFor('ffi2', tagsOf('vendor_feed2', 'ffi2')), status: 500 },
    ]);
    const r = await run();
    stores.v2.setFaults([]);
    expect(await state('qa', 'vendor_feed')).toBe('live');
    expect(await state('qa', 'vendor_feed2')).toBe('absent');
    const kept = r.entries.find((e) => e.store === 'v2' && e.tags?.name === 'vendor_feed');
    expect(kept).toMatchObject({ outcome: 'skipped' });
    expect(kept?.reason).toMatch(/^kept: 1 promotion\(s\) failed/);

    const again = await run();
    expect(again.counts.failed).toBe(0);
    expect(await state('qa', 'vendor_feed2')).toBe('live');
    expect(await state('qa', 'vendor_feed')).toBe('tombstone');
  });
});

describe('validate --fix --prune: deletes wait for every write', () => {
  test('the new config fails to write: the orphan (its old identity) is kept in V2 and S3', async () => {
    const repo = writeRepo(repoFiles());
    await deployAll(stores, repo, 'dev');
    // A rename whose deploy and sync never happened: the repo has orders_v2, the stores still have orders.
    const files = repoFiles();
    writeRepo({ 'data-router/default/orders_v2.yaml': files['data-router/default/orders.yaml']! }, repo);
    rmSync(join(repo, 'data-router/default/orders.yaml'));
    const validated = await validate({
      tree: new FsTree(repo),
      environment: 'dev',
      against: 'repo',
      store: stores.store,
      s3: { reader: stores.reader },
    });
    const plan = await planFix(validated, { source: 'repo', prune: true, reader: stores.reader });
    const newKey = `${PREFIX}data-router/orders_v2.yaml`;
    // (The stores are shared with the test above: its renamed config is an orphan here too.)
    const mine = (a: { path?: string; key?: string; tags?: Record<string, string> }): boolean =>
      a.path === 'data-router/default/orders_v2.yaml' ||
      a.key === `${PREFIX}data-router/orders.yaml` ||
      a.tags?.name === 'orders';
    expect(
      plan.actions
        .filter(mine)
        .map((a) => a.kind)
        .sort(),
    ).toEqual(['s3-delete', 's3-upload', 'v2-tombstone', 'v2-write']);
    stores.v2.setFaults([{ route: 'putContents', path: 'data-router/default/orders_v2.yaml', status: 500 }]);
    await stores.s3.setFaults([{ method: 'PUT', bucket: BUCKETS.dev, key: newKey }]);
    const results = await applyFix(plan, { store: stores.store, clientFor: stores.reader.clientFor });
    stores.v2.setFaults([]);
    await stores.s3.setFaults([]);
    expect(
      results
        .filter(mine)
        .map((r) => `${r.kind} ${r.outcome}`)
        .sort(),
    ).toEqual(['s3-delete kept', 's3-upload failed', 'v2-tombstone kept', 'v2-write failed']);
    expect(await state('dev', 'orders', 'data-router')).toBe('live');
    expect(await stores.s3.listKeys(BUCKETS.dev)).toContain(`${PREFIX}data-router/orders.yaml`);

    const rerun = await applyFix(plan, { store: stores.store, clientFor: stores.reader.clientFor });
    expect(rerun.filter((r) => r.outcome === 'failed' || r.outcome === 'kept')).toEqual([]);
    expect(await state('dev', 'orders_v2', 'data-router')).toBe('live');
    expect(await state('dev', 'orders', 'data-router')).toBe('tombstone');
    expect(await stores.s3.listKeys(BUCKETS.dev)).not.toContain(`${PREFIX}data-router/orders.yaml`);
  });
});
