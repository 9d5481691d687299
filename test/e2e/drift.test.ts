/**
 * The drift statuses end to end, as a maintainer meets them: the templates (deploy.yaml, syncas3.yaml, promote.yaml,
 * validate.yaml) run on the local runner against the reference V2 server and s3rver. Each status is seeded the way
 * it happens: a change promoted dev → qa only (prod awaits promotion), a prod item edited and one deleted through the
 * V2 API by hand (no pipeline record), an item created in prod that no config maps to. Validate reports each exactly
 * (config, environment, store, status), fails only on drift, and its fix leaves what awaits promotion alone; a
 * promotion's trail is read back with `itemstore history`. Needs `npm run build`.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { DEMO_TOKEN, ORDERS_V2, Playground, SAMPLE_REPO, v2Items } from '@itemstore/demo';
import type { StepRun, WorkflowRun } from '@itemstore/workflow-runner';
import type { ValidateReport } from '@itemstore/ops';
import type { VersionInfo } from '@itemstore/v2';
import { bundleNode, repoRoot, runCli, type CliRun } from '../helpers/run-bundle.js';

jest.setTimeout(120_000);

let pg: Playground;

beforeAll(async () => {
  pg = await Playground.start({ suiteRoot: repoRoot, nodePath: bundleNode });
}, 60_000);

afterAll(async () => {
  await pg?.stop();
});

const NEW_CONFIG = 'data-router/default/refunds.yaml';
const NEW_CONTENT = 'config_list:\n  - route: refunds\n    target: kafka\n';

async function dispatch(template: string, inputs: Record<string, string | boolean>): Promise<WorkflowRun> {
  const [run] = await pg.onEvent(await pg.repo.dispatch(inputs), [template]);
  if (!run) throw new Error(`${template} did not run`);
  return run;
}

async function pushMain(message: string, files: Record<string, string | null>): Promise<void> {
  await pg.repo.commit(message, files);
  const runs = await pg.onEvent(await pg.repo.push('main'), ['deploy.yaml', 'syncas3.yaml']);
  expect(runs.map((r) => [r.name, r.conclusion])).toEqual([
    ['Deploy to Item Store V2', 'success'],
    ['SYNCAS3', 'success'],
  ]);
}

function stepOf(run: WorkflowRun, id: string, job?: string): StepRun {
  const s = run.jobs
    .filter((j) => !job || j.id === job)
    .flatMap((j) => j.steps)
    .find((x) => x.id === id);
  if (!s) throw new Error(`${run.name} has no step ${id}`);
  return s;
}

function failures(run: WorkflowRun): string[] {
  return run.jobs
    .flatMap((j) => j.steps)
    .filter((s) => s.conclusion === 'failure')
    .map((s) => `${s.name}: ${pg.runner.mask(s.stderr + s.stdout).slice(-1500)}`);
}

/** Every row of the validate step's JSON report as `store path-or-name environment status`. */
function rowsOf(step: StepRun): string[] {
  const report = JSON.parse(readFileSync(step.outputs.report as string, 'utf8')) as ValidateReport;
  return report.rows
    .map(
      (r) =>
        `${r.store} ${r.path ?? (r.key ? `s3://${r.bucket}/${r.key}` : `${r.namespace}:${r.tags?.name}`)} ${r.environment} ${r.status}`,
    )
    .sort();
}

function reportOf(step: StepRun): ValidateReport {
  return JSON.parse(readFileSync(step.outputs.report as string, 'utf8')) as ValidateReport;
}

/** The config rows every environment has, with a status per store (V2-only and S3-only configs have one row). */
function expected(env: string, v2: Record<string, string>, s3: Record<string, string>): string[] {
  return [
    ...Object.entries(v2).map(([p, s]) => `v2 ${p} ${env} ${s}`),
    ...Object.entries(s3).map(([p, s]) => `s3 ${p} ${env} ${s}`),
  ].sort();
}

function cli(args: string[]): Promise<CliRun> {
  return runCli(args, {
    cwd: pg.repo.dir,
    env: { HOME: pg.tempDir, ITEMSTORE_URL: pg.v2.url, ITEMSTORE_TOKEN: DEMO_TOKEN },
  });
}

const ALL_IN_SYNC = {
  v2: {
    'data-quality/default/orders_checks.yaml': 'in-sync',
    'data-router/default/inventory.yml': 'in-sync',
    'data-router/default/orders.yaml': 'in-sync',
    'emr/cluster/emr_cluster.json': 'in-sync',
    'ffi2/default/vendor_feed.json': 'in-sync',
    [NEW_CONFIG]: 'in-sync',
  },
  s3: {
    'data-quality/default/orders_checks.yaml': 'in-sync',
    'data-router/default/inventory.yml': 'in-sync',
    'data-router/default/orders.yaml': 'in-sync',
    'data-router/default/returns_SC.yaml': 'in-sync',
    'ffi2/default/vendor_feed.json': 'in-sync',
    [NEW_CONFIG]: 'in-sync',
  },
};

describe('drift statuses through validate.yaml on the local runner', () => {
  test('seed: main deployed and promoted to prod; then a change and a new config promoted dev → qa only', async () => {
    await pushMain('first configs', SAMPLE_REPO);
    for (const [from, to] of [
      ['dev', 'qa'],
      ['qa', 'prod'],
    ]) {
      const p = await dispatch('promote.yaml', { from: from!, to: to! });
      expect(failures(p)).toEqual([]);
    }
    await pushMain('orders v2 and a new refunds route', {
      'data-router/default/orders.yaml': ORDERS_V2,
      [NEW_CONFIG]: NEW_CONTENT,
    });
    const p = await dispatch('promote.yaml', { from: 'dev', to: 'qa' });
    expect(failures(p)).toEqual([]);
  });

  test('prod awaiting promotion only: every row reported, the run passes (not drift)', async () => {
    const v = await dispatch('validate.yaml', { environment: 'prod', against: 'repo' });
    expect(failures(v)).toEqual([]);
    expect(v.conclusion).toBe('success');
    const step = stepOf(v, 'validate');
    expect(rowsOf(step)).toEqual(
      expected(
        'prod',
        {
          ...ALL_IN_SYNC.v2,
          'data-router/default/orders.yaml': 'awaiting-promotion',
          [NEW_CONFIG]: 'awaiting-promotion',
        },
        {
          ...ALL_IN_SYNC.s3,
          'data-router/default/orders.yaml': 'awaiting-promotion',
          [NEW_CONFIG]: 'awaiting-promotion',
        },
      ),
    );
    expect(step.outputs).toMatchObject({ drifted: '0', 'awaiting-promotion': '4', 'in-sync': '8' });
    // The trail is read only for V2 rows not in sync: orders' chain prod → qa → dev (refunds has no version).
    expect(reportOf(step).trailsRead).toBe(3);
    expect(v.summary).toContain(
      '**No drift**: 8 in sync. 4 awaiting promotion (not drift: promote qa → prod).',
    );
    expect(v.summary).toContain('### Awaiting promotion (not drift)');
    const orders = reportOf(step).rows.find(
      (r) => r.store === 'v2' && r.path === 'data-router/default/orders.yaml',
    );
    expect(orders?.detail).toMatch(
      /^prod holds v1, promoted from qa@1 by demo-user \(qa v1, promoted from dev@1 by demo-user \(dev v1, deployed from main@[0-9a-f]{8} by demo-user\)\); qa holds v2: promote qa → prod$/,
    );
    // qa and dev hold main's content: in sync everywhere.
    for (const env of ['dev', 'qa']) {
      const q = await dispatch('validate.yaml', { environment: env, against: 'repo' });
      expect(q.conclusion).toBe('success');
      expect(rowsOf(stepOf(q, 'validate'))).toEqual(expected(env, ALL_IN_SYNC.v2, ALL_IN_SYNC.s3));
    }
  });

  test('hand edits in prod: edited-outside, missing and orphan are drift and fail the run; awaiting stays awaiting', async () => {
    const { store } = pg;
    const inventory = (await v2Items(store, 'prod')).get('data-router/inventory')!;
    await store.putContents(inventory.itemId, 'prod', '{"edited": "in prod, by hand"}\n', {
      metadata: { actor: 'mallory' },
    });
    const vendor = (await v2Items(store, 'prod')).get('ffi2/vendor_feed')!;
    await store.deleteItem(vendor.itemId, 'prod');
    const ghost = await store.generateId('data-router', { name: 'ghost', team: 'data-router' });
    await store.putContents(ghost.itemId, 'prod', '{"route": "nobody maps me"}\n');

    const v = await dispatch('validate.yaml', { environment: 'prod', against: 'repo' });
    expect(v.conclusion).toBe('failure');
    const step = stepOf(v, 'validate');
    expect(step.conclusion).toBe('failure');
    expect(rowsOf(step)).toEqual(
      [
        ...expected(
          'prod',
          {
            ...ALL_IN_SYNC.v2,
            'data-router/default/inventory.yml': 'edited-outside',
            'data-router/default/orders.yaml': 'awaiting-promotion',
            'ffi2/default/vendor_feed.json': 'missing',
            [NEW_CONFIG]: 'awaiting-promotion',
          },
          {
            ...ALL_IN_SYNC.s3,
            'data-router/default/orders.yaml': 'awaiting-promotion',
            [NEW_CONFIG]: 'awaiting-promotion',
          },
        ),
        'v2 data-router:ghost prod orphan',
      ].sort(),
    );
    expect(step.outputs).toMatchObject({ drifted: '3', 'awaiting-promotion': '4' });
    expect(reportOf(step).trailsRead).toBe(6);
    expect(step.annotations.map((a) => a.message)).toContain(
      'validate: 3 item(s) drifted in prod (1 edited-outside, 1 missing, 1 orphan); see the summary.',
    );
    const rows = reportOf(step).rows;
    expect(rows.find((r) => r.status === 'edited-outside')?.origin).toBe(
      'v2 by mallory: no pipeline record (written through the API directly)',
    );
    expect(rows.find((r) => r.status === 'missing')?.detail).toBe(
      'the latest prod version is a tombstone: v2: no pipeline record (written through the API directly)',
    );
    expect(v.summary).toContain('| edited-outside | v2 | `data-router/default/inventory.yml` |');
    expect(v.summary).toContain('| missing | v2 | `ffi2/default/vendor_feed.json` |');
    expect(v.summary).toContain('| orphan | v2 | `data-router {name=ghost, team=data-router}` |');
  });

  test('the fix job repairs drift only, as promotions from qa with the trail; itemstore history reads it', async () => {
    const ordersBefore = (await v2Items(pg.store, 'prod')).get('data-router/orders')!;
    const v = await dispatch('validate.yaml', {
      environment: 'prod',
      against: 'repo',
      fix: true,
      source: 'repo',
      'fail-on-drift': false,
    });
    expect(failures(v)).toEqual([]);
    const fix = stepOf(v, 'validate', 'fix');
    // Two promotions (inventory, vendor_feed); the orphan needs prune, the awaiting rows are left alone.
    expect(fix.outputs).toMatchObject({ fixed: '2', drifted: '1', 'awaiting-promotion': '4' });
    expect(rowsOf(fix)).toContain('v2 data-router:ghost prod orphan');
    expect(rowsOf(fix)).toContain('v2 data-router/default/inventory.yml prod in-sync');
    expect(rowsOf(fix)).toContain('v2 ffi2/default/vendor_feed.json prod in-sync');
    expect(rowsOf(fix)).toContain('v2 data-router/default/orders.yaml prod awaiting-promotion');
    expect(v.summary).toContain('left alone: 4 row(s) awaiting promotion (not drift; run promote)');
    const prod = await v2Items(pg.store, 'prod');
    expect(prod.get('data-router/orders')).toMatchObject({
      version: ordersBefore.version,
      md5: ordersBefore.md5,
    });
    expect(prod.has('data-router/refunds')).toBe(false);

    // The trail of the fixed item: the fix's promotion, the hand edit, the first promotion, newest first.
    const h = await cli(['history', 'data-router/default/inventory.yml', '--environment', 'prod', '--json']);
    expect(h.code).toBe(0);
    const history = JSON.parse(h.stdout) as { environments: Record<string, VersionInfo[]> };
    const versions = history.environments.prod!;
    expect(versions.map((x) => x.version)).toEqual([3, 2, 1]);
    expect(versions[0]!.metadata).toMatchObject({
      promotedFrom: 'qa@1',
      fixedBy: 'itemstore validate --fix',
      actor: 'demo-user',
      source: 'repo data-router/default/inventory.yml',
      path: 'data-router/default/inventory.yml',
      branch: 'main',
    });
    expect(versions[0]!.metadata.runUrl).toMatch(/\/actions\/runs\/\d+/);
    expect(versions[1]!.metadata).toEqual({ actor: 'mallory' });
    expect(versions[2]!.metadata).toMatchObject({ promotedFrom: 'qa@1', actor: 'demo-user' });
    const text = await cli(['history', 'data-router/default/inventory.yml', '--environment', 'prod']);
    expect(text.stdout).toMatch(/^ {2}v3 {2}\S+ {2}promoted from qa@1 {2}by demo-user/m);
    expect(text.stdout).toMatch(/^ {2}v2 {2}\S+ {2}written outside the pipeline {2}by mallory/m);
  });

  test('the template passes prune: the fix job removes an orphan in dev, and leaves it without prune', async () => {
    const store = pg.store;
    const ghost = await store.generateId('data-router', { name: 'ghost-dev', team: 'data-router' });
    await store.putContents(ghost.itemId, 'dev', '{"route": "nobody maps me either"}\n');
    const inputs = { environment: 'dev', against: 'repo', fix: true, source: 'repo', 'fail-on-drift': false };
    const kept = await dispatch('validate.yaml', inputs);
    expect(failures(kept)).toEqual([]);
    expect(rowsOf(stepOf(kept, 'validate', 'fix'))).toContain('v2 data-router:ghost-dev dev orphan');
    expect((await v2Items(store, 'dev')).get('data-router/ghost-dev')?.deleted).toBe(false);

    const pruned = await dispatch('validate.yaml', { ...inputs, prune: true });
    expect(failures(pruned)).toEqual([]);
    expect(rowsOf(stepOf(pruned, 'validate', 'fix'))).not.toContain('v2 data-router:ghost-dev dev orphan');
    // A tombstone: the item's latest dev version is a deletion, written by the fix.
    expect((await v2Items(store, 'dev')).get('data-router/ghost-dev')).toMatchObject({
      deleted: true,
      version: 2,
    });
  });
});
