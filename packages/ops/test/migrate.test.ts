import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  writeFileSync,
  existsSync,
  utimesSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ConfigErrors, MemoryLogger } from '@itemstore/core';
import { findExact } from '@itemstore/v2';
import { MirrorReader, migrate, type MigrateReport, type ObjectReader } from '@itemstore/ops';
import {
  BUCKETS,
  PREFIX,
  SETTINGS,
  cleanupAll,
  startStores,
  tagsOf,
  writeRepo,
  type Stores,
} from './helpers.js';

/** A V0 bucket as it looks before the migration: legacy DQ files in several styles, junk, unknown teams. */
const LEGACY: Record<string, string> = {
  'data-quality/orders_checks.yaml':
    '# owner: dq team\n---\nrule_id: orders_not_null\ncolumns: [order_id, customer_id]\n---\nrule_id: amount_positive\nexpression: "total_amount >= 0"\nenabled: yes\n',
  'data-quality/eu/returns_checks.yml': 'rule_id: returns_window\ndays: 30\n',
  'data-router/orders.yaml': 'config_list:\n  - route: orders\n    target: kafka\n',
  'data-router/legacy_routes.yaml': '---\nroute: clicks\n---\nroute: views\n',
  'ffi2/vendor_feed.json': '{"vendor": "acme", "fields": ["a", "b"]}\n',
  'ffi2/eu/retail/store_feed.yaml': 'feed: stores\nregion: eu\n',
  'ffi2/nightly_SC.yaml': 'schedule: "0 2 * * *"\n',
  'ffi2/notes.txt': 'not a config\n',
  'marketing/campaigns.yaml': 'a: 1\n',
  'README.md': '# bucket\n',
};
/** Configs that go to V2 (the _SC one is S3 only; notes.txt, marketing/ and README.md are skipped). */
const V2_CONFIGS = 6;

let stores: Stores;

beforeAll(async () => {
  stores = await startStores();
  for (const [k, v] of Object.entries(LEGACY)) await stores.s3.putObject(BUCKETS.prod, PREFIX + k, v);
}, 60_000);

afterAll(async () => {
  await stores?.close();
  await cleanupAll();
});

const location = { bucket: BUCKETS.prod, prefix: PREFIX, region: 'us-east-1' };

function run(
  repo: string,
  reader: ObjectReader = stores.reader,
  logger = new MemoryLogger(),
): Promise<MigrateReport> {
  return migrate({ repoDir: repo, location, reader, store: stores.store, logger });
}

function snapshotFiles(repo: string, paths: string[]): Record<string, number> {
  return Object.fromEntries(paths.map((p) => [p, statSync(join(repo, p)).mtimeMs]));
}

describe('migrate', () => {
  test('from a seeded legacy bucket: flags draft, repo layout, V2 in every environment, validate in sync; twice is a no-op', async () => {
    const repo = writeRepo({ 'item-store.yaml': SETTINGS, 'tags.yaml': 'tags:\n  owner: platform\n' });
    const logger = new MemoryLogger();
    const first = await run(repo, stores.reader, logger);

    // 1. The flags table: a draft derived from the paths.
    expect(first.flags).toMatchObject({ state: 'created', rows: 10, migrate: 7, skip: 3 });
    const csv = readFileSync(join(repo, '.itemstore/migration-flags.csv'), 'utf8');
    expect(csv.split('\n').slice(0, 1)).toEqual(['s3_key,team,namespace,tags,s3_only,action,note']);
    expect(csv).toContain(
      'item-store/ffi2/eu/retail/store_feed.yaml,ffi2,ffi2,folder=eu/retail,false,migrate,\n',
    );
    expect(csv).toContain('item-store/ffi2/nightly_SC.yaml,ffi2,ffi2,,true,migrate,\n');
    expect(csv).toContain(
      'item-store/marketing/campaigns.yaml,marketing,,,false,skip,"team ""marketing"" is not in item-store.yaml"\n',
    );
    expect(csv).toContain('item-store/README.md,,,,false,skip,not in a team folder\n');

    // 2. The repo layout: <team>/default/<rest>, legacy multi-document files as one config_list document.
    expect(first.files?.written.sort()).toEqual([
      'data-quality/default/eu/returns_checks.yml',
      'data-quality/default/eu/tags.yaml',
      'data-quality/default/orders_checks.yaml',
      'data-router/default/legacy_routes.yaml',
      'data-router/default/orders.yaml',
      'ffi2/default/eu/retail/store_feed.yaml',
      'ffi2/default/eu/retail/tags.yaml',
      'ffi2/default/nightly_SC.yaml',
      'ffi2/default/vendor_feed.json',
    ]);
    expect(readFileSync(join(repo, 'data-quality/default/orders_checks.yaml'), 'utf8')).toBe(
      'config_list:\n  - rule_id: orders_not_null\n    columns:\n      - order_id\n      - customer_id\n  - rule_id: amount_positive\n    expression: total_amount >= 0\n    enabled: true\n',
    );
    // `enabled: yes` was true to the legacy (YAML 1.1) readers: the repo and V2 keep that meaning, and say so.
    expect(first.files?.rewritten).toEqual([
      {
        s3Key: 'item-store/data-quality/orders_checks.yaml',
        path: 'data-quality/default/orders_checks.yaml',
        line: 8,
        column: 10,
        from: 'yes',
        to: 'true',
        stored: 'true',
      },
    ]);
    expect(readFileSync(join(repo, 'data-router/default/orders.yaml'), 'utf8')).toBe(
      LEGACY['data-router/orders.yaml'],
    );
    expect(readFileSync(join(repo, 'ffi2/default/eu/retail/tags.yaml'), 'utf8')).toContain(
      'files:\n  "store_feed.yaml":\n    tags:\n      folder: "eu/retail"\n',
    );
    expect(
      logger.lines.some((l) => l.level === 'warning' && l.message.includes('s3Format: legacy-multidoc')),
    ).toBe(true);

    // 3. V2: every config but the _SC one, in dev, qa and prod, with the tags of the flags table.
    expect(first.load?.map((l) => [l.environment, l.counts.created])).toEqual([
      ['dev', V2_CONFIGS],
      ['qa', V2_CONFIGS],
      ['prod', V2_CONFIGS],
    ]);
    const feed = await findExact(stores.store, 'ffi2', tagsOf('store_feed', 'ffi2', { folder: 'eu/retail' }));
    expect(JSON.parse((await stores.store.getContents(feed!.itemId, 'prod'))!.content)).toEqual({
      feed: 'stores',
      region: 'eu',
    });
    expect(await findExact(stores.store, 'ffi2', tagsOf('nightly_SC', 'ffi2'))).toBeUndefined();

    // 4. Validate: the bucket against each environment, as JSON values: all in sync.
    expect(first.validate?.map((v) => [v.environment, v.inSync, v.drifted])).toEqual([
      ['dev', V2_CONFIGS, 0],
      ['qa', V2_CONFIGS, 0],
      ['prod', V2_CONFIGS, 0],
    ]);

    // A second run (this time from a local mirror of the bucket) changes nothing: no file, no version.
    const mirror = mkdtempSync(join(tmpdir(), 'ops-mirror-'));
    for (const [k, v] of Object.entries(LEGACY)) {
      mkdirSync(dirname(join(mirror, k)), { recursive: true });
      writeFileSync(join(mirror, k), v);
    }
    const files = [...first.files!.written, '.itemstore/migration-flags.csv'];
    for (const f of files)
      utimesSync(join(repo, f), new Date(1_000_000_000_000), new Date(1_000_000_000_000));
    const mtimes = snapshotFiles(repo, files);
    const versions = (await stores.v2Stats()).versions;
    const second = await run(repo, new MirrorReader(mirror));
    expect(second.flags.state).toBe('read');
    expect(second.files?.written).toEqual([]);
    expect(second.load?.map((l) => l.counts)).toEqual(
      ['dev', 'qa', 'prod'].map(() => ({
        created: 0,
        updated: 0,
        unchanged: V2_CONFIGS,
        deleted: 0,
        stale: 0,
        skipped: 0,
        failed: 0,
      })),
    );
    expect(second.validate?.every((v) => v.drifted === 0 && v.inSync === V2_CONFIGS)).toBe(true);
    expect((await stores.v2Stats()).versions).toEqual(versions);
    expect(snapshotFiles(repo, files)).toEqual(mtimes);
  }, 60_000);

  test('an edited flags table is the source of truth; a bad edit is located in the CSV and writes nothing', async () => {
    const repo = writeRepo({ 'item-store.yaml': SETTINGS });
    await migrate({ repoDir: repo, location, reader: stores.reader, steps: ['flags'] });
    const csvPath = join(repo, '.itemstore/migration-flags.csv');
    const draft = readFileSync(csvPath, 'utf8');
    expect(existsSync(join(repo, 'ffi2'))).toBe(false);

    // A bad edit: a namespace that is not the team's.
    const lines = draft.split('\n');
    const at = lines.findIndex((l) => l.startsWith('item-store/ffi2/vendor_feed.json,'));
    lines[at] = 'item-store/ffi2/vendor_feed.json,ffi2,other-ns,,false,migrate,';
    writeFileSync(csvPath, lines.join('\n'));
    const bad = await run(repo).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ConfigErrors);
    expect((bad as ConfigErrors).errors.map((e) => e.toString())).toEqual([
      `.itemstore/migration-flags.csv:${at + 1}:3: namespace "other-ns" is not team ffi2's namespace "ffi2" (item-store.yaml sets it per team)`,
    ]);
    expect(existsSync(join(repo, 'ffi2'))).toBe(false);

    // A good edit: a tag for one config, and one key skipped.
    lines[at] = 'item-store/ffi2/vendor_feed.json,ffi2,ffi2,tier=gold,false,migrate,';
    const skip = lines.findIndex((l) => l.startsWith('item-store/data-router/legacy_routes.yaml,'));
    lines[skip] =
      'item-store/data-router/legacy_routes.yaml,data-router,data-router,,false,skip,kept in V0 for now';
    writeFileSync(csvPath, lines.join('\n'));
    const edited = await run(repo);
    expect(edited.flags.state).toBe('read');
    expect(existsSync(join(repo, 'data-router/default/legacy_routes.yaml'))).toBe(false);
    expect(readFileSync(join(repo, 'ffi2/default/tags.yaml'), 'utf8')).toContain(
      '"vendor_feed.json":\n    tags:\n      tier: "gold"\n',
    );
    expect(
      await findExact(stores.store, 'ffi2', { name: 'vendor_feed', team: 'ffi2', tier: 'gold' }),
    ).toBeDefined();
    expect(edited.validate?.every((v) => v.drifted === 0 && v.inSync === V2_CONFIGS - 1)).toBe(true);
  }, 60_000);
});
