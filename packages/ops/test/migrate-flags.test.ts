/**
 * One flags table per source (issue 14, item 5): two tenants, each with its own dev/qa/prod buckets. Each tenant's
 * run reads and writes its own table (`--flags TENANT=FILE`, the migrate.yaml input flags-file); one table is never
 * shared by two sources, and a table given to the wrong source is one located error instead of a "not in the source
 * any more" line per key.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, jest, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '@itemstore/core';
import { migrateCommand } from '../../cli/src/commands/migrate.js';
import { BUCKETS, PREFIX, cleanupAll, startStores, writeRepo, type Stores } from './helpers.js';

const WHOLESALE = { dev: 'ops-ws-dev', qa: 'ops-ws-qa', prod: 'ops-ws-prod' } as const;
const WS_PREFIX = 'v0/item-store/';

const SETTINGS = `version: 1
mainBranch: main
environments: [dev, qa, prod]
tenants:
  retail:
    region: us-east-1
    s3:
      dev: { bucket: ${BUCKETS.dev}, prefix: ${PREFIX} }
      qa: { bucket: ${BUCKETS.qa}, prefix: ${PREFIX} }
      prod: { bucket: ${BUCKETS.prod}, prefix: ${PREFIX} }
  wholesale:
    region: us-east-1
    s3:
      dev: { bucket: ${WHOLESALE.dev}, prefix: ${WS_PREFIX} }
      qa: { bucket: ${WHOLESALE.qa}, prefix: ${WS_PREFIX} }
      prod: { bucket: ${WHOLESALE.prod}, prefix: ${WS_PREFIX} }
teams:
  data-router: { tenant: retail, namespace: data-router, format: config-list }
  ffi2: { tenant: wholesale, namespace: ffi2 }
`;

// Real servers on a shared machine: jest's 5 s default applies (testTimeout is not read per project).
jest.setTimeout(60_000);

let stores: Stores;
let out = '';
const savedEnv = { ...process.env };

beforeAll(async () => {
  stores = await startStores();
  for (const b of Object.values(WHOLESALE)) await stores.s3.createBucket(b);
  for (const env of ['dev', 'qa', 'prod'] as const) {
    await stores.s3.putObject(BUCKETS[env], `${PREFIX}data-router/orders.yaml`, 'config_list:\n  - a: 1\n');
    await stores.s3.putObject(WHOLESALE[env], `${WS_PREFIX}ffi2/vendor_feed.yaml`, 'vendor: acme\n');
    await stores.s3.putObject(WHOLESALE[env], `${WS_PREFIX}ffi2/eu/store_feed.yaml`, 'feed: eu\n');
  }
  Object.assign(process.env, stores.s3.env);
}, 60_000);

afterAll(async () => {
  process.env = savedEnv;
  await stores?.close();
  await cleanupAll();
});

beforeEach(() => {
  out = '';
  jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  jest.restoreAllMocks();
});

const HEADER = 's3_key,team,namespace,tags,s3_only,action,note\n';

test('--flags TENANT=FILE: each tenant reads and writes its own table; the defaults are one file per tenant', async () => {
  const repo = writeRepo({ 'item-store.yaml': SETTINGS });
  const base = ['--repo', repo, '--endpoint', stores.s3.endpoint, '--steps', 'flags'];
  const retail = join(repo, 'migration/retail.csv');
  const wholesale = join(repo, 'migration/wholesale.csv');
  expect(
    await migrateCommand([...base, '--flags', `retail=${retail}`, '--flags', `wholesale=${wholesale}`]),
  ).toBe(0);
  expect(readFileSync(retail, 'utf8')).toBe(
    `${HEADER}item-store/data-router/orders.yaml,data-router,data-router,,false,migrate,\n`,
  );
  expect(readFileSync(wholesale, 'utf8')).toBe(
    `${HEADER}v0/item-store/ffi2/eu/store_feed.yaml,ffi2,ffi2,folder=eu,false,migrate,\n` +
      `v0/item-store/ffi2/vendor_feed.yaml,ffi2,ffi2,,false,migrate,\n`,
  );
  expect(existsSync(join(repo, '.itemstore'))).toBe(false);

  // A second run with the same tables reads them (nothing appended, no "not in the source any more").
  out = '';
  expect(
    await migrateCommand([...base, '--flags', `retail=${retail}`, '--flags', `wholesale=${wholesale}`]),
  ).toBe(0);
  expect(out.match(/\(read\)/g)?.length).toBe(2);

  // Without --flags: one default table per tenant.
  expect(await migrateCommand(base)).toBe(0);
  expect(readFileSync(join(repo, '.itemstore/migration-flags-retail.csv'), 'utf8')).toBe(
    readFileSync(retail, 'utf8'),
  );
  expect(readFileSync(join(repo, '.itemstore/migration-flags-wholesale.csv'), 'utf8')).toBe(
    readFileSync(wholesale, 'utf8'),
  );
});

test('one table is never shared by two sources: refused before anything is read', async () => {
  const repo = writeRepo({ 'item-store.yaml': SETTINGS });
  const base = ['--repo', repo, '--endpoint', stores.s3.endpoint, '--steps', 'flags'];
  const file = join(repo, 'one.csv');
  await expect(migrateCommand([...base, '--flags', file])).rejects.toThrow(
    new UsageError(
      `--flags ${file}: this run migrates 2 tenants (retail, wholesale), each with its own flags table; write --flags TENANT=FILE for each, or choose one with --tenant.`,
    ),
  );
  await expect(
    migrateCommand([...base, '--flags', `retail=${file}`, '--flags', `wholesale=${file}`]),
  ).rejects.toThrow(`--flags: ${file} is given to two tenants; each source needs its own flags table`);
  await expect(
    migrateCommand([...base, '--tenant', 'retail', '--flags', `wholesale=${file}`]),
  ).rejects.toThrow(`--flags wholesale=${file}: this run migrates no source of tenant wholesale (retail).`);
  expect(existsSync(file)).toBe(false);
  // One tenant chosen: a plain FILE is its table.
  expect(await migrateCommand([...base, '--tenant', 'retail', '--flags', file])).toBe(0);
  expect(readFileSync(file, 'utf8')).toContain('item-store/data-router/orders.yaml');
});

test("another source's table is one located error, not a line per key", async () => {
  const repo = writeRepo({ 'item-store.yaml': SETTINGS });
  const table = join(repo, 'retail.csv');
  const base = ['--repo', repo, '--endpoint', stores.s3.endpoint, '--steps', 'flags'];
  expect(await migrateCommand([...base, '--tenant', 'retail', '--flags', table])).toBe(0);
  const before = readFileSync(table, 'utf8');
  // The wholesale bucket given the retail table (the second tenant colliding with the first table).
  await expect(
    migrateCommand([...base, '--from', `s3://${WHOLESALE.prod}/${WS_PREFIX}`, '--flags', table]),
  ).rejects.toThrow(
    `retail.csv:1:1: this flags table lists another source's keys (item-store/data-router/orders.yaml, …), none of them in s3://${WHOLESALE.prod}/${WS_PREFIX}; give each source its own table (--flags TENANT=FILE, or migrate.yaml's flags-file input)`,
  );
  expect(readFileSync(table, 'utf8')).toBe(before);
});

test('a key whose buckets differ only in bytes (same meaning to the legacy readers) is not noted as differing', async () => {
  const repo = writeRepo({ 'item-store.yaml': SETTINGS });
  // qa: the same config_list written another way; dev: `yes` where prod says `true` (what YAML 1.1 readers read
  // alike); prod keeps the original. wholesale dev: a real difference.
  await stores.s3.putObject(
    BUCKETS.qa,
    `${PREFIX}data-router/orders.yaml`,
    'config_list:\n- {a: 1, b: on}\n',
  );
  await stores.s3.putObject(
    BUCKETS.dev,
    `${PREFIX}data-router/orders.yaml`,
    'config_list:\n  - a: 1\n    b: yes\n',
  );
  await stores.s3.putObject(
    BUCKETS.prod,
    `${PREFIX}data-router/orders.yaml`,
    'config_list:\n  - a: 1\n    b: true\n',
  );
  await stores.s3.putObject(WHOLESALE.dev, `${WS_PREFIX}ffi2/vendor_feed.yaml`, 'vendor: acme-next\n');
  const code = await migrateCommand(['--repo', repo, '--endpoint', stores.s3.endpoint, '--steps', 'flags']);
  expect(code).toBe(0);
  expect(readFileSync(join(repo, '.itemstore/migration-flags-retail.csv'), 'utf8')).toBe(
    `${HEADER}item-store/data-router/orders.yaml,data-router,data-router,,false,migrate,\n`,
  );
  expect(readFileSync(join(repo, '.itemstore/migration-flags-wholesale.csv'), 'utf8')).toContain(
    'v0/item-store/ffi2/vendor_feed.yaml,ffi2,ffi2,,false,migrate,content differs between environments: dev differs from prod\n',
  );
});
