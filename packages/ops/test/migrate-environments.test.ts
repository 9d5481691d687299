/**
 * Per-environment migration (the default without --from): dev, qa and prod buckets that differ on some keys. After
 * `itemstore migrate`, each V2 environment equals its own bucket as JSON values (read as the legacy YAML 1.1
 * readers read them), the repo equals prod, the differences are in the flags table and the report, validate is
 * clean for every environment, and a second run changes nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FsTree } from '@itemstore/config';
import { canonicalJson } from '@itemstore/convert';
import { findExact } from '@itemstore/v2';
import { s3Value, validate, type MigrateReport } from '@itemstore/ops';
import { migrateCommand } from '../../cli/src/commands/migrate.js';
import { validateCommand } from '../../cli/src/commands/validate.js';
import {
  BUCKETS,
  PREFIX,
  SETTINGS,
  TOKEN,
  cleanupAll,
  startStores,
  tagsOf,
  writeRepo,
  type Stores,
} from './helpers.js';
import { captureTerminal } from '../../../test/helpers/terminal.js';

const COMMON: Record<string, string> = {
  'ffi2/vendor_feed.yaml': 'vendor: acme\nenabled: yes\n',
  'ffi2/eu/store_feed.yaml': 'feed: stores\nregion: eu\n',
  'data-quality/orders_checks.yaml':
    '---\nrule_id: orders_not_null\n---\nrule_id: amount_positive\nenabled: on\n',
  'data-router/orders.yaml': 'config_list:\n  - route: orders\n    target: kafka\n',
};
/** dev has an unpromoted edit; qa has another; prod is the truth the repo gets. */
const BY_ENV: Record<'dev' | 'qa' | 'prod', Record<string, string>> = {
  dev: { ...COMMON, 'ffi2/vendor_feed.yaml': 'vendor: acme-next\nenabled: no\n' },
  qa: { ...COMMON, 'data-router/orders.yaml': 'config_list:\n  - route: orders\n    target: kinesis\n' },
  prod: COMMON,
};
const CONFIGS: [string, string, string][] = [
  ['ffi2/vendor_feed.yaml', 'ffi2', 'vendor_feed'],
  ['ffi2/eu/store_feed.yaml', 'ffi2', 'store_feed'],
  ['data-quality/orders_checks.yaml', 'data-quality', 'orders_checks'],
  ['data-router/orders.yaml', 'data-router', 'orders'],
];

let stores: Stores;
const term = captureTerminal();
const savedEnv = { ...process.env };

beforeAll(async () => {
  stores = await startStores();
  for (const env of ['dev', 'qa', 'prod'] as const) {
    for (const [k, v] of Object.entries(BY_ENV[env])) await stores.s3.putObject(BUCKETS[env], PREFIX + k, v);
  }
  Object.assign(process.env, stores.s3.env, { ITEMSTORE_URL: stores.v2.url, ITEMSTORE_TOKEN: TOKEN });
}, 60_000);

afterAll(async () => {
  process.env = savedEnv;
  await stores?.close();
  await cleanupAll();
});

describe('migrate per environment (each V2 environment from its own bucket)', () => {
  test('V2 E equals S3 E as JSON values, the repo equals prod, differences listed, validate clean, twice a no-op', async () => {
    const repo = writeRepo({ 'item-store.yaml': SETTINGS, 'tags.yaml': 'tags:\n  owner: platform\n' });
    const args = [
      '--repo',
      repo,
      '--endpoint',
      stores.s3.endpoint,
      '--report',
      join(repo, '.itemstore/r.json'),
    ];
    expect(await migrateCommand(args)).toBe(0);
    const report = JSON.parse(readFileSync(join(repo, '.itemstore/r.json'), 'utf8')) as MigrateReport;
    expect(report.sources?.map((s) => s.source)).toEqual([
      `s3://${BUCKETS.dev}/${PREFIX}`,
      `s3://${BUCKETS.qa}/${PREFIX}`,
      `s3://${BUCKETS.prod}/${PREFIX}`,
    ]);
    expect(report.repoFrom).toBe('prod');

    // The keys that differ, in the report and in the flags table.
    expect(report.differences.map((d) => [d.key, d.note])).toEqual([
      ['data-router/orders.yaml', 'content differs between environments: qa differs from prod'],
      ['ffi2/vendor_feed.yaml', 'content differs between environments: dev differs from prod'],
    ]);
    const csv = readFileSync(join(repo, '.itemstore/migration-flags.csv'), 'utf8');
    expect(csv).toContain(
      'item-store/ffi2/vendor_feed.yaml,ffi2,ffi2,,false,migrate,content differs between environments: dev differs from prod\n',
    );
    expect(term.out).toContain('differ between environments: 2');

    // The repo equals prod (with prod's YAML 1.1 values written so that YAML 1.2 reads them the same).
    expect(readFileSync(join(repo, 'ffi2/default/vendor_feed.yaml'), 'utf8')).toBe(
      'vendor: acme\nenabled: true\n',
    );
    expect(readFileSync(join(repo, 'data-router/default/orders.yaml'), 'utf8')).toBe(
      COMMON['data-router/orders.yaml'],
    );

    // Each V2 environment equals its own bucket, as the bucket's legacy readers read it.
    for (const env of ['dev', 'qa', 'prod'] as const) {
      for (const [key, team, name] of CONFIGS) {
        const format = team === 'data-quality' ? 'dq' : team === 'data-router' ? 'config-list' : 'plain';
        const s3 = s3Value(
          Buffer.from(BY_ENV[env][key]!),
          key,
          format,
          team === 'data-quality' ? 'legacy-multidoc' : 'bytes',
        );
        const tags = tagsOf(name, team, key.includes('/eu/') ? { folder: 'eu' } : {});
        const item = await findExact(stores.store, team, tags);
        const v2 = JSON.parse((await stores.store.getContents(item!.itemId, env))!.content);
        expect([env, key, canonicalJson(v2)]).toEqual([env, key, canonicalJson(s3)]);
      }
    }
    expect(report.validate?.map((v) => [v.environment, v.inSync, v.drifted])).toEqual([
      ['dev', 4, 0],
      ['qa', 4, 0],
      ['prod', 4, 0],
    ]);

    // validate, run on its own, for every environment: S3 E against V2 E, clean.
    for (const env of ['dev', 'qa', 'prod']) {
      term.err = '';
      const code = await validateCommand([
        '--repo',
        repo,
        '--endpoint',
        stores.s3.endpoint,
        '--environment',
        env,
        '--against',
        's3-vs-v2',
      ]);
      expect([env, code, term.err]).toEqual([env, 0, expect.stringContaining('0 edited-outside')]);
    }
    // The repo's own validation of prod (the environment the repo was written from) is clean too: no
    // formatting-only rows, though the repo's YAML is not byte for byte the bucket's.
    const { report: prodRepo } = await validate({
      tree: new FsTree(repo),
      environment: 'prod',
      against: 'repo',
      store: stores.store,
      s3: { reader: stores.reader },
    });
    expect(prodRepo.rows.filter((r) => r.status !== 'in-sync')).toEqual([]);
    expect(prodRepo.rows.filter((r) => r.detail?.includes('formatting')).map((r) => r.path)).toEqual([
      'data-quality/default/orders_checks.yaml',
      'ffi2/default/vendor_feed.yaml',
    ]);

    // A second run changes nothing: no file, no V2 version.
    const mtimes = ['ffi2/default/vendor_feed.yaml', '.itemstore/migration-flags.csv'].map(
      (p) => statSync(join(repo, p)).mtimeMs,
    );
    const versions = (await stores.v2Stats()).versions;
    expect(await migrateCommand(args)).toBe(0);
    const again = JSON.parse(readFileSync(join(repo, '.itemstore/r.json'), 'utf8')) as MigrateReport;
    expect(again.files?.written).toEqual([]);
    expect(again.load?.every((l) => l.counts.created + l.counts.updated === 0)).toBe(true);
    expect((await stores.v2Stats()).versions).toEqual(versions);
    expect(
      ['ffi2/default/vendor_feed.yaml', '.itemstore/migration-flags.csv'].map(
        (p) => statSync(join(repo, p)).mtimeMs,
      ),
    ).toEqual(mtimes);
  }, 120_000);

  test('a re-run never reverts an author: edited files (and tags) are kept and listed; --overwrite and --paths', async () => {
    const repo = writeRepo({ 'item-store.yaml': SETTINGS, 'tags.yaml': 'tags:\n  owner: platform\n' });
    const args = [
      '--repo',
      repo,
      '--endpoint',
      stores.s3.endpoint,
      '--report',
      join(repo, '.itemstore/r.json'),
    ];
    expect(await migrateCommand(args)).toBe(0);
    const read = (p: string) => readFileSync(join(repo, p), 'utf8');
    const report = () => JSON.parse(read('.itemstore/r.json')) as MigrateReport;

    // Authors edit a migrated config and the generated tags file after the migration commit.
    writeRepo(
      {
        'ffi2/default/vendor_feed.yaml': 'vendor: acme\nenabled: true\nretries: 3\n',
        'ffi2/default/eu/tags.yaml': read('ffi2/default/eu/tags.yaml') + '# reviewed\n',
      },
      repo,
    );
    const versions = (await stores.v2Stats()).versions;
    term.out = '';
    expect(await migrateCommand(args)).toBe(0);
    expect(report().files?.kept.map((k) => k.path)).toEqual([
      'ffi2/default/vendor_feed.yaml',
      'ffi2/default/eu/tags.yaml',
    ]);
    expect(term.out).toContain(
      'kept ffi2/default/vendor_feed.yaml: changed since migrate wrote it; kept (--overwrite it',
    );
    expect(read('ffi2/default/vendor_feed.yaml')).toBe('vendor: acme\nenabled: true\nretries: 3\n');
    expect(read('ffi2/default/eu/tags.yaml')).toContain('# reviewed');
    // V2 still holds the S3 content: migration never loads an author's unpromoted edit.
    expect((await stores.v2Stats()).versions).toEqual(versions);

    // --paths: only that folder; --overwrite: the maintainer's explicit choice to take S3's content again.
    expect(
      await migrateCommand([
        ...args,
        '--paths',
        'data-router/',
        '--overwrite',
        'ffi2/default/vendor_feed.yaml',
      ]),
    ).toBe(0);
    expect(report().files).toMatchObject({ written: [], kept: [] });
    expect(read('ffi2/default/vendor_feed.yaml')).toContain('retries: 3');
    expect(await migrateCommand([...args, '--overwrite', 'ffi2/default/vendor_feed.yaml'])).toBe(0);
    expect(report().files?.written).toEqual(['ffi2/default/vendor_feed.yaml']);
    expect(read('ffi2/default/vendor_feed.yaml')).toBe('vendor: acme\nenabled: true\n');
    expect(report().files?.kept.map((k) => k.path)).toEqual(['ffi2/default/eu/tags.yaml']);
  }, 120_000);
});
