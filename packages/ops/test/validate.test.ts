import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FsTree } from '@itemstore/config';
import { md5Hex } from '@itemstore/core';
import { toV2Json } from '@itemstore/convert';
import { findExact } from '@itemstore/v2';
import {
  applyFix,
  isDrift,
  planFix,
  promote,
  validate,
  type FixResult,
  type ValidateReport,
} from '@itemstore/ops';
import {
  BUCKETS,
  PREFIX,
  cleanupAll,
  deployAll,
  deployedSample,
  repoFiles,
  tagsOf,
  writeRepo,
  type Stores,
} from './helpers.js';

let stores: Stores;
let repo: string;

beforeEach(async () => {
  await stores?.close();
  ({ stores, repo } = await deployedSample());
}, 60_000);

afterAll(async () => {
  await stores?.close();
  await cleanupAll();
});

function run(against: 'repo' | 's3-vs-v2', extra: { readAll?: boolean; environment?: string } = {}) {
  return validate({
    tree: new FsTree(repo),
    environment: extra.environment ?? 'dev',
    against,
    store: stores.store,
    s3: { reader: stores.reader },
    v2Requests: () => stores.store.requestCount,
    ...(extra.readAll ? { readAll: true } : {}),
  });
}

/** promote dev → qa as the promote workflow does (V2 and S3), by `promoter`. */
async function promoteDevToQa(): Promise<void> {
  const { store, reader } = stores;
  await promote({
    tree: new FsTree(repo),
    from: 'dev',
    to: 'qa',
    s3Sync: true,
    store,
    reader,
    clientFor: reader.clientFor,
    actor: 'promoter',
  });
}

function drift(report: ValidateReport): string[] {
  return report.rows
    .filter((r) => isDrift(r.status))
    .map((r) => `${r.status} ${r.store} ${r.path ?? r.key ?? `${r.namespace}:${r.tags?.name}`}`)
    .sort();
}

async function seedEveryStatus(): Promise<void> {
  const { store, s3 } = stores;
  const vendor = await findExact(store, 'ffi2', tagsOf('vendor_feed', 'ffi2'));
  await store.putContents(vendor!.itemId, 'dev', '{\n  "vendor": "edited by hand"\n}\n');
  const codes = await findExact(store, 'ffi2', tagsOf('store_codes', 'ffi2'));
  await store.deleteItem(codes!.itemId, 'dev');
  await s3.putObject(BUCKETS.dev, `${PREFIX}data-router/orders.yaml`, 'config_list:\n  - route: changed\n');
  await s3.client.send(
    new (await import('@aws-sdk/client-s3')).DeleteObjectCommand({
      Bucket: BUCKETS.dev,
      Key: `${PREFIX}ffi2/eu/store_feed.yaml`,
    }),
  );
  const ghost = await store.generateId('ffi2', tagsOf('ghost', 'ffi2'));
  await store.putContents(ghost.itemId, 'dev', '{}\n');
  await s3.putObject(BUCKETS.dev, `${PREFIX}ffi2/old/ghost.yaml`, 'a: 1\n');
  // Left out on purpose: a feature branch's item and an object outside the team folders.
  const branch = await store.generateId('ffi2', tagsOf('vendor_feed', 'ffi2', { branch: 'feature/x' }));
  await store.putContents(branch.itemId, 'dev', '{"on": "a branch"}\n');
  await s3.putObject(BUCKETS.dev, `${PREFIX}README.txt`, 'not a config\n');
}

describe('validate against the repo (listings only)', () => {
  test('a freshly deployed repo is in sync, with one listing request per namespace and per prefix', async () => {
    await stores.s3.resetCounts();
    const before = (await stores.v2Stats()).requests;
    const { report } = await run('repo');
    expect(drift(report)).toEqual([]);
    // 5 V2 configs (refunds_SC is S3 only) + 5 S3 objects (default/ configs).
    expect(report.counts['in-sync']).toBe(10);
    const after = (await stores.v2Stats()).requests;
    const v2Calls = Object.entries(after)
      .filter(([k]) => !k.includes('_stats'))
      .reduce((n, [k, v]) => n + v - (before[k] ?? 0), 0);
    expect(v2Calls).toBe(3); // one manifest page for each of the 3 namespaces
    expect(
      after['GET /v2/environments/{env}/manifest']! - (before['GET /v2/environments/{env}/manifest'] ?? 0),
    ).toBe(3);
    const s3 = await stores.s3.counts();
    expect(s3.list).toBe(1);
    expect(s3.get).toBe(0);
  });

  test('drift of every kind is reported exactly, and --fix --source repo --prune makes validate clean', async () => {
    await seedEveryStatus();
    const validated = await run('repo');
    expect(drift(validated.report)).toEqual([
      'edited-outside s3 data-router/default/orders.yaml',
      'edited-outside v2 ffi2/default/vendor_feed.json',
      'missing s3 ffi2/default/eu/store_feed.yaml',
      'missing v2 ffi2/mappings/store_codes.json',
      'orphan s3 item-store/ffi2/old/ghost.yaml',
      'orphan v2 ffi2:ghost',
    ]);
    // The trail says why: the hand edit and the hand delete carry no pipeline record.
    const vendorRow = validated.report.rows.find((r) => r.path === 'ffi2/default/vendor_feed.json');
    expect(vendorRow?.origin).toBe('v2: no pipeline record (written through the API directly)');
    expect(validated.report.rows.find((r) => r.path === 'ffi2/mappings/store_codes.json')?.detail).toBe(
      'the latest dev version is a tombstone: v2: no pipeline record (written through the API directly)',
    );
    expect(validated.report.ignored).toEqual({ branchItems: 1, tombstones: 0, s3OutsideTeams: 1 });
    expect(validated.report.drifted).toBe(6);

    // Without prune the orphans are left and said so.
    const noPrune = await planFix(validated, { source: 'repo', reader: stores.reader });
    expect(noPrune.unfixable.map((u) => `${u.row.status} ${u.row.store}`).sort()).toEqual([
      'orphan s3',
      'orphan v2',
    ]);

    const plan = await planFix(validated, { source: 'repo', prune: true, reader: stores.reader });
    expect(
      plan.actions
        .map(
          (a) =>
            `${a.kind} ${a.kind === 'v2-tombstone' ? a.tags.name : a.kind === 's3-delete' ? a.key : a.path}`,
        )
        .sort(),
    ).toEqual([
      's3-delete item-store/ffi2/old/ghost.yaml',
      's3-upload data-router/default/orders.yaml',
      's3-upload ffi2/default/eu/store_feed.yaml',
      'v2-tombstone ghost',
      'v2-write ffi2/default/vendor_feed.json',
      'v2-write ffi2/mappings/store_codes.json',
    ]);
    const results = await applyFix(plan, { store: stores.store, clientFor: stores.reader.clientFor });
    expect(results.filter((r) => r.outcome === 'failed')).toEqual([]);

    const after = await run('repo');
    expect(drift(after.report)).toEqual([]);
    // The fix wrote dev only (the environment gate): qa and prod change only by promotion.
    const vendor = await findExact(stores.store, 'ffi2', tagsOf('vendor_feed', 'ffi2'));
    const want = md5Hex(toV2Json(repoFiles()['ffi2/default/vendor_feed.json']!, { file: 'x.json' }).text);
    const md5s = async (): Promise<Record<string, string>> =>
      Object.fromEntries(
        Object.entries((await stores.store.getItem(vendor!.itemId))!.environments).map(([e, s]) => [
          e,
          s.md5,
        ]),
      );
    expect(await md5s()).toEqual({ dev: want });
    // qa holds nothing yet: every V2 row of qa awaits promotion (not drift), and a fix leaves them alone.
    const qa = await run('repo', { environment: 'qa' });
    expect(new Set(qa.report.rows.filter((r) => r.store === 'v2').map((r) => r.status))).toEqual(
      new Set(['awaiting-promotion']),
    );
    expect(
      qa.report.rows.find((r) => r.store === 'v2' && r.path === 'ffi2/default/vendor_feed.json'),
    ).toMatchObject({
      environment: 'qa',
      status: 'awaiting-promotion',
      detail: 'not in qa yet; dev holds v3: promote dev → qa',
    });
    const qaPlan = await planFix(qa, { source: 'repo', reader: stores.reader });
    expect(qaPlan.actions.filter((a) => a.kind === 'v2-write' || a.kind === 'v2-tombstone')).toEqual([]);
    expect(qaPlan.awaitingPromotion.filter((r) => r.store === 'v2')).toHaveLength(
      qa.report.rows.filter((r) => r.store === 'v2').length,
    );
  });

  test('qa after a promotion: in sync, then a hand edit is edited-outside and its fix is a promotion with the trail', async () => {
    const { store, reader } = stores;
    await promoteDevToQa();
    expect(drift((await run('repo', { environment: 'qa' })).report)).toEqual([]);
    const vendor = await findExact(store, 'ffi2', tagsOf('vendor_feed', 'ffi2'));
    await store.putContents(vendor!.itemId, 'qa', '{"vendor": "hot fix in qa"}\n', {
      metadata: { actor: 'bob' },
    });
    const v = await run('repo', { environment: 'qa' });
    expect(drift(v.report)).toEqual(['edited-outside v2 ffi2/default/vendor_feed.json']);
    expect(v.report.rows.find((r) => r.status === 'edited-outside')?.origin).toBe(
      'v2 by bob: no pipeline record (written through the API directly)',
    );
    const plan = await planFix(v, { source: 'repo', reader });
    const fixed = await applyFix(plan, { store, clientFor: reader.clientFor });
    expect(fixed.map((r) => `${r.kind} ${r.outcome}`)).toEqual(['v2-write done']);
    expect(drift((await run('repo', { environment: 'qa' })).report)).toEqual([]);
    const qa = (await store.getItem(vendor!.itemId))!.environments.qa!;
    expect(qa.metadata).toMatchObject({
      promotedFrom: 'dev@1',
      fixedBy: 'itemstore validate --fix',
      source: 'repo ffi2/default/vendor_feed.json',
    });
    // S3 in qa changes only by promotion too: a hand edit there is uploaded again only from bytes dev holds.
    const ordersKey = `${PREFIX}data-router/orders.yaml`;
    await stores.s3.putObject(BUCKETS.qa, ordersKey, 'config_list: [] # qa, by hand\n');
    await stores.s3.putObject(BUCKETS.dev, ordersKey, 'config_list: [] # dev, by hand\n');
    const s3Drift = await run('repo', { environment: 'qa' });
    expect(drift(s3Drift.report)).toEqual(['edited-outside s3 data-router/default/orders.yaml']);
    const refused = await planFix(s3Drift, { source: 'repo', reader });
    expect(refused.actions).toEqual([]);
    expect(refused.unfixable.map((u) => u.reason)).toEqual([
      `qa changes only by promotion and s3://${BUCKETS.dev}/${ordersKey} (dev) does not hold main's bytes: fix dev first, then run validate --fix on qa again`,
    ]);
    const devFix = await planFix(await run('repo'), { source: 'repo', reader });
    await applyFix(devFix, { store, clientFor: reader.clientFor });
    const qaFix = await planFix(await run('repo', { environment: 'qa' }), { source: 'repo', reader });
    expect(
      qaFix.actions.map((a) => (a.kind === 's3-upload' ? `${a.kind} ${a.key} from ${a.from}` : a.kind)),
    ).toEqual([
      `s3-upload ${ordersKey} from s3://${BUCKETS.dev}/${ordersKey} (dev: the same bytes as repo data-router/default/orders.yaml)`,
    ]);
    await applyFix(qaFix, { store, clientFor: reader.clientFor });
    expect(drift((await run('repo', { environment: 'qa' })).report)).toEqual([]);

    // A version that claims a promotion its source does not back is not believed.
    await store.putContents(vendor!.itemId, 'qa', '{"vendor": "forged"}\n', {
      metadata: { promotedFrom: 'dev@1' },
    });
    const forged = (await run('repo', { environment: 'qa' })).report.rows.find(
      (r) => r.path === 'ffi2/default/vendor_feed.json' && r.store === 'v2',
    );
    expect(forged).toMatchObject({
      status: 'edited-outside',
      origin: 'v4: its record says promoted from dev@1, but dev v1 holds other content',
    });
  });
});

describe('awaiting promotion: what the pipeline left on purpose is reported, not drift', () => {
  test('qa holds earlier versions of main that dev superseded (an edit, a deletion); dev awaits the deploy of main', async () => {
    const { store, reader } = stores;
    await promoteDevToQa();
    // main moves on: vendor_feed changes, store_codes is deleted; dev gets both as deploys of main would write them.
    writeRepo({ 'ffi2/default/vendor_feed.json': '{\n  "vendor": "acme-2"\n}\n' }, repo);
    rmSync(join(repo, 'ffi2/mappings/store_codes.json'));
    await deployAll(stores, repo, 'dev');
    const codes = await findExact(store, 'ffi2', tagsOf('store_codes', 'ffi2'));
    await store.deleteItem(codes!.itemId, 'dev', {
      metadata: { commit: 'c0ffee12', branch: 'main', actor: 'ci' },
    });

    expect(drift((await run('repo')).report)).toEqual([]);
    const { report } = await run('repo', { environment: 'qa' });
    expect(drift(report)).toEqual([]);
    expect(report.drifted).toBe(0);
    const awaiting = report.rows
      .filter((r) => r.status === 'awaiting-promotion')
      .map((r) => `${r.store} ${r.path ?? r.tags?.name}: ${r.detail}`);
    expect(awaiting).toEqual([
      'v2 store_codes: deleted from main; dev holds a tombstone (v2): promote dev → qa',
      expect.stringMatching(
        /^v2 ffi2\/default\/vendor_feed.json: qa holds v1, promoted from dev@1 by promoter \(dev v1, loaded by migrate by .+\); dev holds v2: promote dev → qa$/,
      ),
      expect.stringMatching(
        /^s3 ffi2\/default\/vendor_feed.json: S3 MD5 \w+ ≠ the repo's \w+; S3 keeps no trail, and this config's V2 item awaits promotion \(promote moves both\)$/,
      ),
    ]);
    expect(report.awaiting).toBe(3);
    // An S3-only config (_SC) has no trail in either store: missing in qa while dev holds main's bytes awaits
    // promotion; once dev does not hold main's bytes either, it is drift.
    expect(report.rows.find((r) => r.path === 'data-router/default/refunds_SC.yaml')?.status).toBe('in-sync');
    await stores.s3.client.send(
      new (await import('@aws-sdk/client-s3')).DeleteObjectCommand({
        Bucket: BUCKETS.qa,
        Key: `${PREFIX}data-router/refunds_SC.yaml`,
      }),
    );
    const sc = async (): Promise<string | undefined> => {
      const row = (await run('repo', { environment: 'qa' })).report.rows.find(
        (r) => r.path === 'data-router/default/refunds_SC.yaml',
      );
      return `${row?.status}: ${row?.detail}`;
    };
    expect(await sc()).toBe(
      "awaiting-promotion: no such object; dev holds main's bytes and S3 keeps no trail: promote dev → qa (it also overwrites a hand edit)",
    );
    await stores.s3.putObject(BUCKETS.dev, `${PREFIX}data-router/refunds_SC.yaml`, 'config_list: []\n');
    expect(await sc()).toBe('missing: no such object');
    const plan = await planFix(
      { report, context: (await run('repo', { environment: 'qa' })).context },
      {
        source: 'repo',
        prune: true,
        reader,
      },
    );
    expect(plan.actions).toEqual([]);
    expect(plan.awaitingPromotion).toHaveLength(3);

    // main changes again, not yet deployed: dev holds the pipeline's earlier version.
    writeRepo({ 'ffi2/default/vendor_feed.json': '{\n  "vendor": "acme-3"\n}\n' }, repo);
    const dev = (await run('repo')).report;
    expect(
      dev.rows.find((r) => r.store === 'v2' && r.path === 'ffi2/default/vendor_feed.json'),
    ).toMatchObject({
      status: 'awaiting-promotion',
      detail: expect.stringMatching(
        /^dev holds v2, loaded by migrate by .+; main's newer content is not deployed yet \(the deploy workflow writes it\)$/,
      ),
    });
  });

  test('versions written around the pipeline are edited-outside: a deploy record in qa, a deploy of uncommitted changes', async () => {
    const { store } = stores;
    const vendor = await findExact(store, 'ffi2', tagsOf('vendor_feed', 'ffi2'));
    await store.putContents(vendor!.itemId, 'dev', '{"vendor": "from my laptop"}\n', {
      metadata: { commit: 'abc12345', branch: 'main', dirty: 'true', actor: 'carol (local)' },
    });
    await store.putContents(vendor!.itemId, 'qa', '{"vendor": "deployed to qa"}\n', {
      metadata: { commit: 'abc12345', branch: 'main', actor: 'dave' },
    });
    const origin = async (environment: string): Promise<string | undefined> =>
      (await run('repo', { environment })).report.rows.find(
        (r) =>
          r.store === 'v2' && r.path === 'ffi2/default/vendor_feed.json' && r.status === 'edited-outside',
      )?.origin;
    expect(await origin('dev')).toBe('v2 by carol (local): deployed from uncommitted changes');
    expect(await origin('qa')).toBe('v1 by dave: a deploy record, but deploys write only dev');
  });
});

describe('validate S3 against V2 (JSON values)', () => {
  test('a legacy DQ object written in another style is in sync with its V2 JSON, in both modes', async () => {
    const key = `${PREFIX}data-quality/orders_checks.yaml`;
    // The same two rules as DQ_CONFIG, in a hand-written legacy style (flow lists, quoting, comments).
    await stores.s3.putObject(
      BUCKETS.dev,
      key,
      `# legacy\n---\n{rule_id: orders_not_null, table: curated.orders, columns: [order_id, customer_id]}\n---\nrule_id: 'orders_amount_positive'\nexpression: total_amount >= 0\nenabled: "yes"\n`,
    );
    await stores.s3.resetCounts();
    const { report } = await run('s3-vs-v2');
    expect(drift(report)).toEqual([]);
    const row = report.rows.find((r) => r.path === 'data-quality/default/orders_checks.yaml');
    expect(row).toMatchObject({ status: 'in-sync', store: 'both', detail: 'equal as JSON' });
    // Only the object that differs from the repo was downloaded.
    expect(report.contentsRead).toBe(1);
    expect((await stores.s3.counts()).get).toBe(1);
    // Repo mode sees other bytes, reads the object, and finds the same value: formatting only, not drift.
    const repoMode = await run('repo');
    expect(drift(repoMode.report)).toEqual([]);
    expect(
      repoMode.report.rows.find(
        (r) => r.store === 's3' && r.path === 'data-quality/default/orders_checks.yaml',
      ),
    ).toMatchObject({
      status: 'in-sync',
      detail: 'same value as the repo in other bytes (formatting); a full sync-s3 rewrites it',
    });
    // A different value is still drift.
    await stores.s3.putObject(BUCKETS.dev, key, '---\nrule_id: orders_not_null\n');
    expect(drift((await run('repo')).report)).toEqual([
      'edited-outside s3 data-quality/default/orders_checks.yaml',
    ]);
  });

  test('content mismatches and not-found cases; --fix --source s3 syncs V2 from S3 and promotes everywhere', async () => {
    const { store, s3 } = stores;
    const orders = await findExact(store, 'data-router', tagsOf('orders', 'data-router'));
    await store.putContents(orders!.itemId, 'dev', '{\n  "config_list": [{"route": "stale"}]\n}\n');
    const vendor = await findExact(store, 'ffi2', tagsOf('vendor_feed', 'ffi2'));
    await store.deleteItem(vendor!.itemId, 'dev');
    // S3 prod-like edit that V2 never saw: S3 is the source of truth for this one.
    await s3.putObject(BUCKETS.dev, `${PREFIX}ffi2/eu/store_feed.yaml`, 'feed: stores\nregion: eu-west\n');
    await s3.client.send(
      new (await import('@aws-sdk/client-s3')).DeleteObjectCommand({
        Bucket: BUCKETS.dev,
        Key: `${PREFIX}data-quality/orders_checks.yaml`,
      }),
    );
    const validated = await run('s3-vs-v2');
    expect(drift(validated.report)).toEqual([
      'edited-outside both data-router/default/orders.yaml',
      'edited-outside both ffi2/default/eu/store_feed.yaml',
      'missing s3 data-quality/default/orders_checks.yaml',
      'missing v2 ffi2/default/vendor_feed.json',
    ]);
    const all = await run('s3-vs-v2', { readAll: true });
    expect(drift(all.report)).toEqual(drift(validated.report));
    expect(all.report.contentsRead).toBeGreaterThan(validated.report.contentsRead);

    const plan = await planFix(validated, { source: 's3', reader: stores.reader });
    expect(plan.unfixable.map((u) => `${u.row.status} ${u.row.path}`)).toEqual([
      'missing data-quality/default/orders_checks.yaml',
    ]);
    expect(
      plan.actions.map((a) => (a.kind === 'v2-write' ? `${a.kind} ${a.path} ${a.from}` : a.kind)).sort(),
    ).toEqual([
      `v2-write data-router/default/orders.yaml s3://${BUCKETS.dev}/${PREFIX}data-router/orders.yaml`,
      `v2-write ffi2/default/eu/store_feed.yaml s3://${BUCKETS.dev}/${PREFIX}ffi2/eu/store_feed.yaml`,
      `v2-write ffi2/default/vendor_feed.json s3://${BUCKETS.dev}/${PREFIX}ffi2/vendor_feed.json`,
    ]);
    const results = await applyFix(plan, { store });
    expect(results.map((r) => r.outcome)).toEqual(['done', 'done', 'done']);
    const feed = results.find(
      (r): r is Extract<FixResult, { kind: 'v2-write' }> =>
        r.kind === 'v2-write' && r.path === 'ffi2/default/eu/store_feed.yaml',
    );
    // Only the validated environment is written.
    expect(Object.keys(feed!.versions!)).toEqual(['dev']);
    const content = await store.getContents(feed!.itemId!, 'dev');
    expect(JSON.parse(content!.content)).toEqual({ feed: 'stores', region: 'eu-west' });

    const after = await run('s3-vs-v2');
    expect(drift(after.report)).toEqual(['missing s3 data-quality/default/orders_checks.yaml']);
  });
});

describe('YAML 1.1 meaning (S3 read as its legacy readers read it)', () => {
  test('a config S3 gets byte for byte with `enabled: yes` is edited-outside (drift) in both modes, though the bytes agree', async () => {
    // sync-s3 now refuses to upload such a file (a located error), so S3 got it before that rule, as the legacy
    // pipeline did: V2 holds the YAML 1.2 meaning (the string "yes"), S3 the very bytes of the repo file.
    writeRepo({ 'ffi2/default/switches.yaml': 'enabled: "yes"\nmode: "0755"\n' }, repo);
    await deployAll(stores, repo, 'dev');
    writeRepo({ 'ffi2/default/switches.yaml': 'enabled: yes\nmode: "0755"\n' }, repo);
    await stores.s3.putObject(BUCKETS.dev, `${PREFIX}ffi2/switches.yaml`, 'enabled: yes\nmode: "0755"\n');
    const detail =
      'YAML 1.1 readers of S3 read 1 scalar(s) differently from V2, first at line 1, column 10: "yes" is true to YAML 1.1 readers of S3 and the string "yes" to V2: write true or quote it';

    const { report: byRepo } = await run('repo');
    expect(
      byRepo.rows.filter((r) => r.path === 'ffi2/default/switches.yaml' && r.status !== 'in-sync'),
    ).toEqual([
      expect.objectContaining({
        store: 's3',
        status: 'edited-outside',
        detail: `same bytes, other meaning: ${detail}`,
      }),
    ]);

    const { report: pairs } = await run('s3-vs-v2');
    expect(pairs.rows.filter((r) => r.path === 'ffi2/default/switches.yaml')).toEqual([
      expect.objectContaining({ store: 'both', status: 'edited-outside', detail }),
    ]);
    // The rest is untouched by the YAML 1.1 reading (the DQ config's `enabled: yes` reaches S3 quoted).
    expect(drift(pairs)).toEqual(['edited-outside both ffi2/default/switches.yaml']);
  });

  test('validate --fix --source s3 takes the S3 meaning into V2 and the repo file, so git, V2 and S3 agree', async () => {
    writeRepo({ 'ffi2/default/switches.yaml': 'enabled: "yes"\n' }, repo);
    await deployAll(stores, repo, 'dev');
    // S3 holds what its legacy readers read as true (an edit made in S3, as before the cutover).
    await stores.s3.putObject(BUCKETS.dev, `${PREFIX}ffi2/switches.yaml`, 'enabled: yes # from S3\n');
    const validated = await run('s3-vs-v2');
    expect(drift(validated.report)).toEqual(['edited-outside both ffi2/default/switches.yaml']);
    const plan = await planFix(validated, {
      source: 's3',
      reader: stores.reader,
      repoTree: new FsTree(repo),
    });
    expect(
      plan.actions.map((a) => (a.kind === 'v2-write' ? [a.path, a.repoFile?.bytes.toString()] : [a.kind])),
    ).toEqual([['ffi2/default/switches.yaml', 'enabled: true # from S3\n']]);
    const results = await applyFix(plan, { store: stores.store, repoDir: repo });
    expect(results.map((r) => [r.outcome, r.repoWritten])).toEqual([['done', 'ffi2/default/switches.yaml']]);
    expect(readFileSync(join(repo, 'ffi2/default/switches.yaml'), 'utf8')).toBe('enabled: true # from S3\n');
    expect(drift((await run('s3-vs-v2')).report)).toEqual([]);
    // The repo now agrees with V2, and with S3 as S3's readers read it: no drift, not even formatting.
    expect(drift((await run('repo')).report)).toEqual([]);
  });
});
