/**
 * End to end, as GitHub runs it: the templates in action-templates/ are read by the local runner (packages/workflow-runner),
 * which follows their steps, `if:` conditions and `${{ steps.x.outputs.y }}` wiring and runs the built action
 * bundles (dist/) with the runner's environment, against the reference V2 server and s3rver. After each step of the
 * story, V2 is read through the HTTP client and S3 through the AWS SDK. Needs `npm run build`.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import type { S3Client } from '@aws-sdk/client-s3';
import { parse, parseAllDocuments } from 'yaml';
import {
  CUSTOMERS_CHECKS,
  EU_ORDERS,
  FEATURE_BRANCH,
  ORDERS_V2,
  Playground,
  S3_OFF_STEP,
  SAMPLE_REPO,
  SCENARIO,
  localS3Client,
  s3Objects,
  v2Content,
  v2Items,
  type ScenarioStep,
} from '@itemstore/demo';
import type { StepRun, WorkflowRun } from '@itemstore/workflow-runner';
import { bundleNode, repoRoot } from '../helpers/run-bundle.js';

jest.setTimeout(60_000);

let pg: Playground;
let s3: S3Client;

beforeAll(async () => {
  pg = await Playground.start({ suiteRoot: repoRoot, nodePath: bundleNode });
  s3 = localS3Client(pg.s3.endpoint);
}, 30_000);

afterAll(async () => {
  s3?.destroy();
  await pg?.stop();
});

const step = (id: string): ScenarioStep => {
  const s = [...SCENARIO, S3_OFF_STEP].find((x) => x.id === id);
  if (!s) throw new Error(`no scenario step ${id}`);
  return s;
};

function runOf(runs: WorkflowRun[], file: string): WorkflowRun {
  const r = runs.find((x) => x.file.endsWith(`/${file}`));
  if (!r) throw new Error(`${file} did not run`);
  return r;
}

function stepOf(run: WorkflowRun, id: string): StepRun {
  const s = run.jobs.flatMap((j) => j.steps).find((x) => x.id === id);
  if (!s) throw new Error(`${run.name} has no step ${id}`);
  return s;
}

/** Fails with the failing steps' logs, so a red test says why. */
function expectSuccess(run: WorkflowRun): void {
  const failed = run.jobs
    .flatMap((j) => j.steps)
    .filter((s) => s.conclusion === 'failure')
    .map((s) => `${s.name}: ${pg.runner.mask(s.stderr + s.stdout).slice(-2000)}`);
  expect({ run: run.name, conclusion: run.conclusion, failed }).toEqual({
    run: run.name,
    conclusion: 'success',
    failed: [],
  });
}

const json = (yamlText: string): unknown => parse(yamlText, { merge: true }) as unknown;

describe('push → deploy.yaml and SYNCAS3 (the templates wire outputs to inputs)', () => {
  let runs: WorkflowRun[];
  let sha: string;

  test('first push to main: every config to V2 dev, default/ configs to S3 dev', async () => {
    runs = await step('first-push').act(pg);
    sha = await pg.repo.rev('main');
    const deploy = runOf(runs, 'deploy.yaml');
    const sync = runOf(runs, 'syncas3.yaml');
    expectSuccess(deploy);
    expectSuccess(sync);
    expect(runOf(runs, 'pr-plan.yaml').triggered).toBe(false);

    // The wiring: each step got the previous step's outputs, as the template says.
    const detect = stepOf(deploy, 'detect');
    expect(stepOf(deploy, 'resolve').inputs).toMatchObject({
      manifest: detect.outputs.manifest,
      branch: 'main',
    });
    expect(stepOf(deploy, 'deploy').inputs).toMatchObject({
      manifest: stepOf(deploy, 'resolve').outputs.manifest,
      'item-store-url': pg.v2.url,
    });
    expect(stepOf(deploy, 'deploy').outputs).toMatchObject({ created: '5', failed: '0' });
    expect(stepOf(sync, 'convert').inputs.manifest).toBe(stepOf(sync, 'resolve').outputs.manifest);
    expect(stepOf(sync, 'sync').inputs).toMatchObject({
      manifest: stepOf(sync, 'resolve').outputs.manifest,
      endpoint: pg.s3.endpoint,
      'dry-run': 'false',
      'allow-feature-branch': 'false',
    });
    expect(stepOf(sync, 'sync').outputs).toMatchObject({ uploaded: '5', failed: '0', ran: 'true' });
    expect(deploy.summary).toContain('S3 sync: on; the SYNCAS3 workflow copies');

    const dev = await v2Items(pg.store, 'dev');
    expect([...dev.keys()].sort()).toEqual([
      'data-quality/orders_checks',
      'data-router/inventory',
      'data-router/orders',
      'emr-jobs/emr_cluster',
      'ffi2/vendor_feed',
    ]);
    const orders = dev.get('data-router/orders');
    expect(orders?.tags).toEqual({
      component: 'data-router',
      name: 'orders',
      owner: 'routing-team',
      platform: 'dmd',
      team: 'data-router',
    });
    expect(await v2Content(pg.store, orders!, 'dev')).toEqual(
      json(SAMPLE_REPO['data-router/default/orders.yaml']!),
    );
    const item = await pg.store.getItem(orders!.itemId);
    expect(item?.environments.dev?.metadata).toMatchObject({ commit: sha, branch: 'main' });
    expect(item?.environments.qa).toBeUndefined();

    const retail = await s3Objects(s3, 'retail-configs-dev');
    expect([...retail.keys()].sort()).toEqual([
      'item-store/data-quality/orders_checks.yaml',
      'item-store/data-router/inventory.yml',
      'item-store/data-router/orders.yaml',
      'item-store/data-router/returns_SC.yaml',
    ]);
    expect(retail.get('item-store/data-router/orders.yaml')).toBe(
      SAMPLE_REPO['data-router/default/orders.yaml'],
    );
    // DQ: one YAML document per config_list entry.
    const legacy = parseAllDocuments(retail.get('item-store/data-quality/orders_checks.yaml') ?? '');
    expect(legacy.map((d) => (d.toJS() as { rule_id: string }).rule_id)).toEqual([
      'orders_not_null_order_id',
      'orders_amount_positive',
    ]);
    expect([...(await s3Objects(s3, 'wholesale-configs-dev')).keys()]).toEqual([
      'v0/item-store/ffi2/vendor_feed.json',
    ]);
    expect((await s3Objects(s3, 'retail-configs-qa')).size).toBe(0);
  });

  test('a change on main: one update, one tombstone, one new item; S3 follows', async () => {
    runs = await step('change-main').act(pg);
    const deploy = runOf(runs, 'deploy.yaml');
    const sync = runOf(runs, 'syncas3.yaml');
    expectSuccess(deploy);
    expectSuccess(sync);
    expect(stepOf(deploy, 'detect').outputs).toMatchObject({ mode: 'diff', 'base-sha': sha });
    expect(stepOf(deploy, 'deploy').outputs).toMatchObject({ created: '1', updated: '1', deleted: '1' });
    expect(stepOf(sync, 'sync').outputs).toMatchObject({ uploaded: '2', deleted: '1' });

    const dev = await v2Items(pg.store, 'dev');
    expect(dev.get('data-router/orders')).toMatchObject({ version: 2, deleted: false });
    expect(await v2Content(pg.store, dev.get('data-router/orders')!, 'dev')).toEqual(json(ORDERS_V2));
    expect(dev.get('data-router/inventory')).toMatchObject({ version: 2, deleted: true });
    expect(dev.get('data-quality/customers_checks')).toMatchObject({ version: 1 });
    expect(dev.get('ffi2/vendor_feed')).toMatchObject({ version: 1 });

    const retail = await s3Objects(s3, 'retail-configs-dev');
    expect(retail.has('item-store/data-router/inventory.yml')).toBe(false);
    expect(retail.get('item-store/data-router/orders.yaml')).toBe(ORDERS_V2);
    expect(parseAllDocuments(retail.get('item-store/data-quality/customers_checks.yaml') ?? '').length).toBe(
      (json(CUSTOMERS_CHECKS) as { config_list: unknown[] }).config_list.length,
    );
  });

  test('a feature-branch push: branch-tagged items in V2 dev; SYNCAS3 is not triggered', async () => {
    const s3Before = await s3Objects(s3, 'retail-configs-dev');
    runs = await step('feature-push').act(pg);
    const deploy = runOf(runs, 'deploy.yaml');
    expectSuccess(deploy);
    const sync = runOf(runs, 'syncas3.yaml');
    expect(sync.triggered).toBe(false);
    expect(sync.reason).toContain(`branch ${FEATURE_BRANCH} is not in on.push.branches`);
    expect(stepOf(deploy, 'resolve').inputs.branch).toBe(FEATURE_BRANCH);
    expect(stepOf(deploy, 'resolve').outputs['is-main-branch']).toBe('false');
    expect(deploy.summary).toContain(`S3 sync: on, but not for branch ${FEATURE_BRANCH}`);

    const dev = await v2Items(pg.store, 'dev');
    const branchItem = dev.get(`data-router/orders@${FEATURE_BRANCH}`);
    expect(branchItem?.tags).toMatchObject({ branch: FEATURE_BRANCH, region: 'eu', name: 'orders' });
    expect(await v2Content(pg.store, branchItem!, 'dev')).toEqual(json(EU_ORDERS));
    expect(dev.get('data-router/orders')?.version).toBe(2);
    expect(await s3Objects(s3, 'retail-configs-dev')).toEqual(s3Before);
  });

  test('the pull request plan: a dry run as the base branch, with diffs, writing nothing', async () => {
    const before = JSON.stringify([...(await v2Items(pg.store, 'dev')).values()]);
    runs = await step('pull-request').act(pg);
    const plan = runOf(runs, 'pr-plan.yaml');
    expectSuccess(plan);
    expect(runOf(runs, 'deploy.yaml').triggered).toBe(false);
    expect(stepOf(plan, 'resolve').inputs.branch).toBe('main');
    expect(stepOf(plan, 'plan').inputs).toMatchObject({ 'dry-run': 'true', 'item-store-url': pg.v2.url });
    expect(stepOf(plan, 'plan').outputs).toMatchObject({ created: '1', failed: '0' });
    expect(plan.summary).toContain('```diff');
    expect(plan.summary).toContain('+      "name": "orders-created-eu"');
    expect(JSON.stringify([...(await v2Items(pg.store, 'dev')).values()])).toBe(before);
  });

  test('the same plan from a fork (no read token): configs validated offline, nothing compared', async () => {
    const secrets = pg.runner.config.secrets;
    const readToken = secrets.ITEMSTORE_READ_TOKEN;
    const writeToken = secrets.ITEMSTORE_TOKEN;
    delete secrets.ITEMSTORE_READ_TOKEN;
    delete secrets.ITEMSTORE_TOKEN;
    try {
      const event = await pg.repo.openPullRequest(FEATURE_BRANCH, 'main', 'from a fork');
      const [plan] = await pg.onEvent(event, ['pr-plan.yaml']);
      expectSuccess(plan!);
      expect(stepOf(plan!, 'plan').inputs['item-store-url']).toBe('');
      expect(plan!.summary).toContain('V2 comparison: skipped (no ITEMSTORE_READ_TOKEN secret');
    } finally {
      secrets.ITEMSTORE_READ_TOKEN = readToken as string;
      secrets.ITEMSTORE_TOKEN = writeToken as string;
    }
  });

  test('merging: main gets the EU route in V2 dev and S3 dev', async () => {
    runs = await step('merge').act(pg);
    expectSuccess(runOf(runs, 'deploy.yaml'));
    expectSuccess(runOf(runs, 'syncas3.yaml'));
    const eu = [...(await v2Items(pg.store, 'dev')).values()].filter((i) => i.tags.region === 'eu');
    expect(eu.map((i) => i.tags.branch ?? 'main').sort()).toEqual(['feature/eu-orders', 'main']);
    const retail = await s3Objects(s3, 'retail-configs-dev');
    expect(retail.get('item-store/data-router/eu/orders.yaml')).toBe(EU_ORDERS);
  });

  test('a config error: the push fails at resolve-tags with an annotation, nothing is written', async () => {
    const before = JSON.stringify([...(await v2Items(pg.store, 'dev')).values()]);
    await pg.repo.checkout('bad/yaml', true);
    await pg.repo.commit('broken', { 'ffi2/default/pricing.yml': 'interface: pricing\n  bad: indent\n' });
    const [deploy] = await pg.onEvent(await pg.repo.push('bad/yaml'), ['deploy.yaml']);
    expect(deploy!.conclusion).toBe('failure');
    const resolve = stepOf(deploy!, 'resolve');
    expect(resolve.conclusion).toBe('failure');
    expect(
      resolve.annotations.some(
        (a) => a.properties.file === 'ffi2/default/pricing.yml' && !!a.properties.line,
      ),
    ).toBe(true);
    expect(stepOf(deploy!, 'deploy').conclusion).toBe('skipped');
    expect(JSON.stringify([...(await v2Items(pg.store, 'dev')).values()])).toBe(before);
    await pg.repo.checkout('main');
  });

  test('a failed push is made good by the next one: it deploys every change since the last successful run', async () => {
    await pg.repo.checkout('retry/two-files', true);
    await pg.repo.commit('a good and a broken change', {
      'ffi2/default/retry_good.json': '{"ok": true}\n',
      'ffi2/default/retry_fixme.json': '{"ok": tru}\n',
    });
    const [failed] = await pg.onEvent(await pg.repo.push('retry/two-files'), ['deploy.yaml']);
    expect(failed!.conclusion).toBe('failure');

    await pg.repo.commit('fix only the broken file', {
      'ffi2/default/retry_fixme.json': '{"ok": true, "fixed": 1}\n',
    });
    const [fixed] = await pg.onEvent(await pg.repo.push('retry/two-files'), ['deploy.yaml']);
    expectSuccess(fixed!);
    // The push itself changed one file; the run compared with main (no run on this branch had succeeded yet), so
    // the good change of the failed push is deployed too.
    const detect = stepOf(fixed!, 'detect');
    expect(detect.outputs.count).toBe('2');
    expect(detect.summary).toContain('No earlier push run of this workflow on retry/two-files succeeded');
    const items = await v2Items(pg.store, 'dev');
    expect(items.get('ffi2/retry_good@retry/two-files')?.version).toBe(1);
    expect(items.get('ffi2/retry_fixme@retry/two-files')?.version).toBe(1);
    await pg.repo.checkout('main');
  });

  test('a wrong S3 switch value fails SYNCAS3 with one clear error', async () => {
    const event = await pg.repo.dispatch({});
    const [sync] = await pg.onEvent({ ...event, vars: { ITEMSTORE_S3_SYNC: 'maybe' } }, ['syncas3.yaml']);
    expect(sync!.conclusion).toBe('failure');
    expect(stepOf(sync!, 'switch').annotations[0]?.message).toContain(
      "ITEMSTORE_S3_SYNC is 'maybe'; set it to on or off",
    );
    expect(stepOf(sync!, 'sync').conclusion).toBe('skipped');
  });
});

describe('workflow_dispatch → Promote and Validate', () => {
  test('Promote dev → qa, then qa → prod: main items in V2 and S3 objects move on; branch items never do', async () => {
    for (const [from, to] of [
      ['dev', 'qa'],
      ['qa', 'prod'],
    ] as const) {
      const runs = await step(`promote-${to}`).act(pg);
      const promote = runOf(runs, 'promote.yaml');
      expectSuccess(promote);
      expect(stepOf(promote, 'promote').inputs).toMatchObject({
        from,
        to,
        's3-sync': 'on',
        'dry-run': 'false',
      });
      expect(stepOf(promote, 'promote').outputs).toMatchObject({ failed: '0', unverified: '0' });
      const src = await v2Items(pg.store, from);
      const dst = await v2Items(pg.store, to);
      for (const item of src.values()) {
        if (item.tags.branch || item.deleted) expect(dst.has(item.handle)).toBe(false);
        else expect(dst.get(item.handle)?.md5).toBe(item.md5);
      }
      expect(await s3Objects(s3, `retail-configs-${to}`)).toEqual(
        await s3Objects(s3, `retail-configs-${from}`),
      );
      expect(await s3Objects(s3, `wholesale-configs-${to}`)).toEqual(
        await s3Objects(s3, `wholesale-configs-${from}`),
      );
    }
    // returns_SC is S3-only: in S3 prod, never in V2.
    expect((await s3Objects(s3, 'retail-configs-prod')).has('item-store/data-router/returns_SC.yaml')).toBe(
      true,
    );
    expect((await v2Items(pg.store, 'prod')).has('data-router/returns_SC')).toBe(false);
  });

  test('Promote refuses a skip (dev → prod) and a run on a feature branch', async () => {
    const [skip] = await pg.onEvent(await pg.repo.dispatch({ from: 'dev', to: 'prod' }), ['promote.yaml']);
    expect(skip!.conclusion).toBe('failure');
    expect(stepOf(skip!, 'promote').conclusion).toBe('failure');
    const [branch] = await pg.onEvent(await pg.repo.dispatch({ from: 'dev', to: 'qa' }, FEATURE_BRANCH), [
      'promote.yaml',
    ]);
    expect(branch!.conclusion).toBe('failure');
    // The qa environment's deployment branch policy (main only) refuses the job before its first step, as GitHub
    // does; the template's own gate step would refuse it next.
    expect(branch!.jobs[0]).toMatchObject({
      conclusion: 'failure',
      steps: [],
      note: `Branch "${FEATURE_BRANCH}" is not allowed to deploy to qa due to environment protection rules.`,
    });
  });

  test('Validate prod (S3 vs V2 as JSON): in sync; a drifted S3 object is reported and fails the run', async () => {
    const runs = await step('validate').act(pg);
    const validate = runOf(runs, 'validate.yaml');
    expectSuccess(validate);
    expect(stepOf(validate, 'validate').inputs).toMatchObject({
      environment: 'prod',
      against: 's3-vs-v2',
      'fail-on-drift': 'true',
    });
    expect(stepOf(validate, 'validate').outputs.drifted).toBe('0');

    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    await s3.send(
      new PutObjectCommand({
        Bucket: 'retail-configs-prod',
        Key: 'item-store/data-router/orders.yaml',
        Body: Buffer.from('config_list: []\n'),
      }),
    );
    const [drift] = await pg.onEvent(await pg.repo.dispatch({ environment: 'prod', against: 's3-vs-v2' }), [
      'validate.yaml',
    ]);
    expect(drift!.conclusion).toBe('failure');
    expect(stepOf(drift!, 'validate').outputs.drifted).toBe('1');
    expect(drift!.summary).toContain('edited-outside');
    // Repair from the repo, as CUTOVER.md says.
    const [fix] = await pg.onEvent(
      await pg.repo.dispatch({ environment: 'prod', against: 's3-vs-v2', fix: true, source: 'repo' }),
      ['validate.yaml'],
    );
    expectSuccess(fix!);
    expect((await s3Objects(s3, 'retail-configs-prod')).get('item-store/data-router/orders.yaml')).toBe(
      (await s3Objects(s3, 'retail-configs-dev')).get('item-store/data-router/orders.yaml'),
    );
  });

  test('the scheduled Validate keeps watching V2 alone while S3 sync is off (no AWS credentials step)', async () => {
    const [v] = await pg.onEvent(
      { ...(await pg.repo.schedule('17 6 * * 1-5')), vars: { ITEMSTORE_S3_SYNC: 'off' } },
      ['validate.yaml'],
    );
    expectSuccess(v!);
    expect(stepOf(v!, 'validate').conclusion).toBe('success');
    expect(v!.summary).toContain('S3 sync is off (ITEMSTORE_S3_SYNC=off): Item Store V2 is validated alone.');
    expect(v!.summary).toContain(
      'S3 side: not looked at, S3 sync is off (s3-sync: off); V2 validated alone.',
    );
  });
});

describe('after cutover', () => {
  let runs: WorkflowRun[];
  test('S3 switch off: V2 gets the push, SYNCAS3 skips and says so, S3 keeps the old bytes', async () => {
    try {
      runs = await S3_OFF_STEP.act(pg);
    } finally {
      pg.runner.config.vars.ITEMSTORE_S3_SYNC = 'on';
    }
    const deploy = runOf(runs, 'deploy.yaml');
    const sync = runOf(runs, 'syncas3.yaml');
    expectSuccess(deploy);
    expectSuccess(sync);
    expect(deploy.summary).toContain('S3 sync: off (repository variable ITEMSTORE_S3_SYNC=off)');
    expect(sync.summary).toContain(
      'SYNCAS3 skipped: S3 sync is off (repository variable ITEMSTORE_S3_SYNC=off)',
    );
    expect(stepOf(sync, 'detect').conclusion).toBe('skipped');
    expect(stepOf(sync, 'sync').conclusion).toBe('skipped');
    expect((await v2Items(pg.store, 'dev')).get('ffi2/vendor_feed')?.version).toBe(2);
    const wholesale = await s3Objects(s3, 'wholesale-configs-dev');
    expect(wholesale.get('v0/item-store/ffi2/vendor_feed.json')).toBe(
      SAMPLE_REPO['ffi2/default/vendor_feed.json'],
    );
  });
});
