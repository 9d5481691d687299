/**
 * The maintainer flow of CUTOVER.md, from migrate to switch-off, as one story through the templates on the local
 * runner (packages/workflow-runner) — real parts only: s3rver (counting every request), the reference V2 server over
 * HTTP, the config repo and its bare origin as git repositories in a temp folder, the built CLI and action bundles.
 *
 * dev, qa and prod buckets differ on some keys and hold YAML 1.1 scalars (`enabled: yes`, `0755`, `1:30`). Steps, as
 * CUTOVER.md lists them:
 *  1. the YAML 1.1 audit (`itemstore audit-yaml11`);
 *     Migrate from S3 with steps `flags` (each tenant its own table: input flags-file) → a migration branch;
 *     the table edited on that branch; Migrate again with all steps and flags-branch → the branch holds prod's files
 *     with the rewritten scalars listed, each V2 environment equals its own bucket; merge its pull request (deploy and
 *     SYNCAS3 run on main);
 *  2. Validate every environment: S3 against V2 clean everywhere; against the repo clean in dev and prod (no
 *     formatting-only drift though S3 prod still has the legacy bytes), qa's unpromoted key reported until Promote
 *     dev → qa;
 *  3. ITEMSTORE_S3_SYNC=off: a push deploys to V2 with 0 requests at s3rver, and the scheduled Validate runs on V2
 *     alone. Needs `npm run build`.
 */
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { canonicalJson } from '@itemstore/convert';
import { s3Value } from '@itemstore/ops';
import { HttpItemStore, startServer, type RunningServer } from '@itemstore/v2';
import { v2Content, v2Items } from '@itemstore/demo';
import {
  ConfigRepo,
  ProcessGroups,
  WorkflowRunner,
  type StepRun,
  type WorkflowEvent,
  type WorkflowRun,
} from '@itemstore/workflow-runner';
import { bundleNode, repoRoot } from '../helpers/run-bundle.js';
import { startS3Server, type S3TestServer } from '../helpers/s3-server.js';

jest.setTimeout(300_000);

const TOKEN = 'cutover-token-5e1d9a';
const REPOSITORY = 'example-org/dmd-item-storage-v2';
const ENVS = ['dev', 'qa', 'prod'] as const;
type Env = (typeof ENVS)[number];
const RETAIL = (e: Env) => `cut-retail-${e}`;
const WHOLESALE = (e: Env) => `cut-wholesale-${e}`;

const SETTINGS = `version: 1
mainBranch: main
environments: [dev, qa, prod]
s3OnlySuffixes: [_SC]
tenants:
  retail:
    region: us-east-1
    s3:
${ENVS.map((e) => `      ${e}: { bucket: ${RETAIL(e)}, prefix: item-store/ }`).join('\n')}
  wholesale:
    region: us-east-1
    s3:
${ENVS.map((e) => `      ${e}: { bucket: ${WHOLESALE(e)}, prefix: v0/ }`).join('\n')}
teams:
  data-router: { tenant: retail, namespace: data-router, format: config-list }
  data-quality: { tenant: retail, namespace: data-quality, format: dq }
  ffi2: { tenant: wholesale, namespace: ffi2 }
`;

/** What prod's buckets hold (the truth the repo gets); dev and qa differ on a key each. */
const PROD: Record<string, { bucket: (e: Env) => string; prefix: string; body: string }> = {
  'data-router/orders.yaml': {
    bucket: RETAIL,
    prefix: 'item-store/',
    body: 'config_list:\n  - name: orders\n    enabled: yes\n    topic: retail.orders\n',
  },
  'data-router/eu/returns.yaml': {
    bucket: RETAIL,
    prefix: 'item-store/',
    body: 'config_list:\n  - name: returns-eu\n    window: 1:30\n',
  },
  'data-quality/orders_checks.yaml': {
    bucket: RETAIL,
    prefix: 'item-store/',
    body: '---\nrule_id: orders_not_null\nenabled: on\n---\nrule_id: amount_positive\nenabled: off\n',
  },
  'ffi2/vendor_feed.yaml': {
    bucket: WHOLESALE,
    prefix: 'v0/',
    body: 'vendor: acme\nactive: yes\nmode: 0755\n',
  },
};
const BY_ENV: Record<Env, Record<string, string>> = {
  prod: Object.fromEntries(Object.entries(PROD).map(([k, v]) => [k, v.body])),
  // dev: an unpromoted edit of a route; qa: an edit of the vendor feed that prod never got.
  dev: {
    ...Object.fromEntries(Object.entries(PROD).map(([k, v]) => [k, v.body])),
    'data-router/orders.yaml':
      'config_list:\n  - name: orders\n    enabled: no\n    topic: retail.orders.v2\n',
  },
  qa: {
    ...Object.fromEntries(Object.entries(PROD).map(([k, v]) => [k, v.body])),
    'ffi2/vendor_feed.yaml': 'vendor: acme\nactive: yes\nmode: 0700\n',
  },
};
const FLAGS_FILE = 'retail=.itemstore/flags/retail.csv,wholesale=.itemstore/flags/wholesale.csv';

let temp: string;
let processes: ProcessGroups;
let s3: S3TestServer;
let v2: RunningServer;
let store: HttpItemStore;
let repo: ConfigRepo;
let runner: WorkflowRunner;

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'cutover-e2e-'));
  processes = new ProcessGroups();
  [s3, v2, repo] = await Promise.all([
    startS3Server({ buckets: ENVS.flatMap((e) => [RETAIL(e), WHOLESALE(e)]) }),
    startServer({ port: 0, host: '127.0.0.1', dataDir: mkdtempSync(join(temp, 'v2-')), token: TOKEN }),
    ConfigRepo.create({ tempDir: temp, repository: REPOSITORY }),
  ]);
  store = new HttpItemStore({ url: v2.url, token: TOKEN });
  for (const env of ENVS) {
    for (const [key, body] of Object.entries(BY_ENV[env])) {
      const where = PROD[key]!;
      await s3.putObject(where.bucket(env), where.prefix + key, body);
    }
  }
  runner = new WorkflowRunner({
    suiteRoot: repoRoot,
    actionRepository: 'example-org/itemstore-actions',
    repository: REPOSITORY,
    remoteUrl: repo.remoteUrl,
    defaultBranch: 'main',
    vars: {
      ITEMSTORE_URL: v2.url,
      ITEMSTORE_S3_SYNC: 'on',
      ITEMSTORE_S3_ENDPOINT: s3.endpoint,
      ITEMSTORE_AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/itemstore',
      ITEMSTORE_AWS_REGION: 'us-east-1',
    },
    secrets: { ITEMSTORE_TOKEN: TOKEN },
    awsCredentials: s3.credentials,
    tempDir: temp,
    processes,
    nodePath: bundleNode,
  });
  // The config repo before the cutover: settings and a root tags file, no config yet (they are all in S3).
  await repo.commit('item-store settings', {
    'item-store.yaml': SETTINGS,
    'tags.yaml': 'tags:\n  platform: dmd\n',
  });
  await repo.push('main');
}, 60_000);

afterAll(async () => {
  await processes?.stopAll();
  await v2?.close();
  await s3?.close();
  if (temp) rmSync(temp, { recursive: true, force: true });
});

const template = (name: string) => join(repoRoot, 'action-templates', name);

async function run(name: string, event: WorkflowEvent): Promise<WorkflowRun> {
  return runner.run(template(name), event);
}

/** The templates a push triggers (deploy and SYNCAS3), as GitHub runs them. */
async function onPush(event: WorkflowEvent): Promise<WorkflowRun[]> {
  return [await run('deploy.yaml', event), await run('syncas3.yaml', event)];
}

function stepOf(r: WorkflowRun, id: string): StepRun {
  const s = r.jobs.flatMap((j) => j.steps).find((x) => x.id === id || x.name === id);
  if (!s) throw new Error(`${r.name} has no step ${id}`);
  return s;
}

function expectSuccess(r: WorkflowRun): void {
  const failed = r.jobs
    .flatMap((j) => j.steps)
    .filter((s) => s.conclusion === 'failure')
    .map((s) => `${s.name}: ${runner.mask(s.stderr + s.stdout).slice(-2500)}`);
  expect({ run: r.name, conclusion: r.conclusion, failed }).toEqual({
    run: r.name,
    conclusion: 'success',
    failed: [],
  });
}

/** A file of a branch on origin (what a reviewer sees in the pull request). */
async function show(branch: string, path: string): Promise<string> {
  await repo.git(['fetch', '-q', 'origin', `+refs/heads/${branch}:refs/remotes/origin/${branch}`]);
  return repo.git(['show', `refs/remotes/origin/${branch}:${path}`]);
}

/** Every V2 environment equals its own bucket, as JSON values read the way the bucket's YAML 1.1 readers read it. */
async function expectV2EqualsBuckets(): Promise<void> {
  for (const env of ENVS) {
    const items = await v2Items(store, env);
    for (const [key, body] of Object.entries(BY_ENV[env])) {
      const team = key.split('/')[0] as string;
      const name = (key.split('/').at(-1) as string).replace(/\.yaml$/, '');
      const item = items.get(`${team}/${name}`);
      const format = team === 'data-quality' ? 'dq' : team === 'data-router' ? 'config-list' : 'plain';
      const want = s3Value(
        Buffer.from(body),
        key,
        format,
        team === 'data-quality' ? 'legacy-multidoc' : 'bytes',
      );
      expect([env, key, canonicalJson(await v2Content(store, item!, env))]).toEqual([
        env,
        key,
        canonicalJson(want),
      ]);
    }
  }
}

test('CUTOVER.md from migrate to switch-off, through the templates', async () => {
  const started = Date.now();

  // 1. The YAML 1.1 audit: every ambiguous scalar in the buckets, with where it is (the CLI, as CUTOVER.md runs it).
  const audit = spawnSync(
    bundleNode,
    [join(repoRoot, 'dist/cli/itemstore.js'), 'audit-yaml11', '--repo', repo.dir, '--endpoint', s3.endpoint],
    { env: { ...process.env, ...s3.env }, encoding: 'utf8' },
  );
  expect(audit.status).toBe(1);
  expect(audit.stdout).toContain(
    `s3://${RETAIL('prod')}/item-store/data-router/orders.yaml:3:14: "yes" is true to YAML 1.1 readers of S3`,
  );
  expect(audit.stdout).toContain(`s3://${WHOLESALE('prod')}/v0/ffi2/vendor_feed.yaml:3:7: "0755"`);

  // Migrate, steps flags: the draft tables (one per tenant, where flags-file says) on a migration branch.
  const draft = await run('migrate.yaml', await repo.dispatch({ steps: 'flags', 'flags-file': FLAGS_FILE }));
  expectSuccess(draft);
  const branch = `itemstore/migration-${draft.runId - 4000}`;
  expect(draft.summary).toContain(`Pushed branch ${branch}`);
  const retailTable = await show(branch, '.itemstore/flags/retail.csv');
  expect(retailTable).toContain(
    'item-store/data-router/orders.yaml,data-router,data-router,,false,migrate,content differs between environments: dev differs from prod\n',
  );
  expect(await show(branch, '.itemstore/flags/wholesale.csv')).toContain(
    'v0/ffi2/vendor_feed.yaml,ffi2,ffi2,,false,migrate,content differs between environments: qa differs from prod\n',
  );
  await expect(show(branch, 'data-router/default/orders.yaml')).rejects.toThrow();
  expect((await v2Items(store, 'prod')).size).toBe(0);

  // The maintainer reviews the table on the branch: a tag for the EU returns route.
  await repo.git(['checkout', '-q', '-b', branch, `refs/remotes/origin/${branch}`]);
  const edited = retailTable.replace(
    'item-store/data-router/eu/returns.yaml,data-router,data-router,folder=eu,',
    'item-store/data-router/eu/returns.yaml,data-router,data-router,folder=eu;region=eu,',
  );
  expect(edited).not.toBe(retailTable);
  await repo.commit('flags: region tag for the EU returns route', { '.itemstore/flags/retail.csv': edited });
  await repo.push(branch);
  await repo.checkout('main');

  // Migrate again with all steps, continuing that branch: its edited table is the one used.
  const migrated = await run(
    'migrate.yaml',
    await repo.dispatch({ 'flags-file': FLAGS_FILE, 'flags-branch': branch }),
  );
  expectSuccess(migrated);
  expect(migrated.summary).toContain(`Pushed a new commit onto ${branch}`);
  // The branch holds prod's files, with each YAML 1.1 scalar written as what S3's readers read, and lists them.
  expect(await show(branch, 'data-router/default/orders.yaml')).toBe(
    'config_list:\n  - name: orders\n    enabled: true\n    topic: retail.orders\n',
  );
  expect(await show(branch, 'ffi2/default/vendor_feed.yaml')).toBe('vendor: acme\nactive: true\nmode: 493\n');
  expect(parse(await show(branch, 'data-router/default/eu/tags.yaml'))).toMatchObject({
    files: { 'returns.yaml': { tags: { folder: 'eu', region: 'eu' } } },
  });
  expect(await show(branch, '.itemstore/flags/retail.csv')).toBe(edited);
  const migrate = stepOf(migrated, 'Migrate');
  for (const line of [
    'item-store/data-router/orders.yaml:3:14: yes → true (data-router/default/orders.yaml; qa, prod)',
    'item-store/data-router/orders.yaml:3:14: no → false (data-router/default/orders.yaml; dev)',
    'item-store/data-router/eu/returns.yaml:3:13: 1:30 → 90 (data-router/default/eu/returns.yaml; dev, qa, prod)',
    'v0/ffi2/vendor_feed.yaml:3:7: 0755 → 493 (ffi2/default/vendor_feed.yaml; dev, prod)',
    'v0/ffi2/vendor_feed.yaml:3:7: 0700 → 448 (ffi2/default/vendor_feed.yaml; qa)',
    'flags: .itemstore/flags/retail.csv (read): 3 to migrate',
    'flags: .itemstore/flags/wholesale.csv (read): 1 to migrate',
  ]) {
    expect(migrate.stdout).toContain(line);
  }
  expect(migrated.summary).toContain('YAML 1.1 scalars written as their YAML 1.1 value');
  // Each V2 environment from its own bucket (never dev's edit into prod), validated clean by the run.
  await expectV2EqualsBuckets();
  const validated = migrate.stdout.split('\n').filter((l) => /^validate (dev|qa|prod) \(s3-vs-v2\):/.test(l));
  expect(validated).toHaveLength(6); // each tenant, each environment against its own bucket
  for (const line of validated) expect(line).toMatch(/: [1-9]\d* in-sync, 0 \S+, 0 \S+, 0 \S+, 0 \S+[;,]/);

  // A second run with the same inputs changes nothing: no file (no commit pushed onto the branch), no V2 version.
  const versions = async () =>
    (await Promise.all(ENVS.map(async (e) => [...(await v2Items(store, e)).values()].map((i) => i.version))))
      .flat()
      .join(',');
  const before = await versions();
  const tip = await repo.remoteSha(branch);
  const again = await run(
    'migrate.yaml',
    await repo.dispatch({ 'flags-file': FLAGS_FILE, 'flags-branch': branch }),
  );
  expectSuccess(again);
  expect(again.summary).toContain(`The migration changed no file in the config repo (branch ${branch}).`);
  expect(await repo.remoteSha(branch)).toBe(tip);
  expect(await versions()).toBe(before);

  // Merge the migration branch's pull request (what origin holds: the run pushed onto it): deploy and SYNCAS3 run
  // for the push to main.
  await repo.git(['fetch', '-q', 'origin', `+refs/heads/${branch}:refs/heads/${branch}`]);
  const merged = await onPush(await repo.mergePullRequest(branch, 'main', `Merge ${branch}`));
  merged.forEach(expectSuccess);

  // 2. Validate every environment. S3 against V2 as JSON values: clean in dev, qa and prod.
  const validate = async (environment: Env, against: 'repo' | 's3-vs-v2') =>
    run('validate.yaml', await repo.dispatch({ environment, against }));
  for (const env of ENVS) {
    const v = await validate(env, 's3-vs-v2');
    expectSuccess(v);
    expect([env, stepOf(v, 'validate').outputs.drifted]).toEqual([env, '0']);
  }
  // Against the repo: dev and prod clean, with no formatting-only drift, though S3 prod still has the legacy bytes
  // (`enabled: yes` where the repo says `enabled: true`).
  expect((await s3.getObject(RETAIL('prod'), 'item-store/data-router/orders.yaml'))?.toString()).toBe(
    PROD['data-router/orders.yaml']!.body,
  );
  for (const env of ['dev', 'prod'] as const) {
    const v = await validate(env, 'repo');
    expectSuccess(v);
    expect([env, stepOf(v, 'validate').outputs]).toEqual([
      env,
      expect.objectContaining({ drifted: '0', 'awaiting-promotion': '0' }),
    ]);
  }
  // qa still holds its own vendor feed, which main does not have: not drift, a promotion not run yet.
  const qa = await validate('qa', 'repo');
  expectSuccess(qa);
  expect(stepOf(qa, 'validate').outputs).toMatchObject({ drifted: '0', 'awaiting-promotion': '2' });
  expect(qa.summary).toContain(
    '| v2 | `ffi2/default/vendor_feed.yaml` | qa holds v1, loaded by migrate by demo-user; dev holds v1: promote dev → qa |',
  );
  expect(qa.summary).toMatch(/\| s3 \| `ffi2\/default\/vendor_feed.yaml` \| S3 MD5 /);

  // Promote dev → qa and qa → prod, as CUTOVER.md says for it; then every environment validates clean.
  for (const [from, to] of [
    ['dev', 'qa'],
    ['qa', 'prod'],
  ] as const) {
    expectSuccess(await run('promote.yaml', await repo.dispatch({ from, to })));
  }
  for (const [env, against] of [
    ['qa', 'repo'],
    ['qa', 's3-vs-v2'],
    ['prod', 'repo'],
  ] as const) {
    const v = await validate(env, against);
    expectSuccess(v);
    expect([env, against, stepOf(v, 'validate').outputs]).toEqual([
      env,
      against,
      expect.objectContaining({ drifted: '0', 'awaiting-promotion': '0' }),
    ]);
  }

  // 3. The switch: ITEMSTORE_S3_SYNC=off as the repository variable every template reads.
  runner.config.vars.ITEMSTORE_S3_SYNC = 'off';
  await s3.resetCounts();
  await repo.commit('vendor feed: retries', {
    'ffi2/default/vendor_feed.yaml': 'vendor: acme\nactive: true\nmode: 493\nretries: 3\n',
  });
  const [deploy, sync] = await onPush(await repo.push('main'));
  expectSuccess(deploy!);
  expectSuccess(sync!);
  expect(stepOf(deploy!, 'deploy').outputs).toMatchObject({ updated: '1', failed: '0' });
  expect(sync!.summary).toContain('SYNCAS3 skipped: S3 sync is off');
  const feed = (await v2Items(store, 'dev')).get('ffi2/vendor_feed');
  expect(await v2Content(store, feed!, 'dev')).toEqual({
    vendor: 'acme',
    active: true,
    mode: 493,
    retries: 3,
  });
  // The scheduled Validate keeps running, on V2 alone.
  const scheduled = await run('validate.yaml', await repo.schedule('17 6 * * 1-5'));
  expectSuccess(scheduled);
  expect(scheduled.summary).toContain('Item Store V2 is validated alone');
  expect(stepOf(scheduled, 'validate').outputs.drifted).toBe('0');
  expect((await s3.counts()).total).toBe(0);
  // S3 dev still has what SYNCAS3 wrote before the switch.
  expect((await s3.getObject(WHOLESALE('dev'), 'v0/ffi2/vendor_feed.yaml'))?.toString()).toBe(
    'vendor: acme\nactive: true\nmode: 493\n',
  );

  process.stderr.write(`cutover e2e: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
});
