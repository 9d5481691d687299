/**
 * The story `itemstore demo` tells, one step at a time, each running the templates the event triggers and checking
 * what V2 and S3 hold afterwards: the first push to main, a change on main (update, delete, add), a feature-branch
 * push, the pull request's plan, the merge, promotions dev → qa → prod, a validation, and a push with the S3 switch
 * off. test/e2e runs the same steps with stricter assertions.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Playground } from './playground.js';
import type { WorkflowRun } from '@itemstore/workflow-runner';
import { SAMPLE_REPO } from './sample-repo.js';
import { s3Objects, v2Items } from './state.js';

export interface Check {
  ok: boolean;
  text: string;
}

export interface ScenarioStep {
  id: string;
  title: string;
  /** One sentence: what a user does and what should happen. */
  story: string;
  act(pg: Playground): Promise<WorkflowRun[]>;
  /** What the demo verifies after the step (the e2e tests assert more). */
  check(pg: Playground, runs: WorkflowRun[], s3: S3Client): Promise<Check[]>;
}

export const FEATURE_BRANCH = 'feature/eu-orders';

export const ORDERS_V2 = `config_list:
  - name: orders-created
    source:
      type: kafka
      topic: retail.orders.created.v1
      consumer_group: data-router-orders
    destination:
      type: s3
      bucket: retail-raw-orders
      path: orders/created/dt={event_date}/
      format: parquet
  - name: orders-cancelled
    source:
      type: kafka
      topic: retail.orders.cancelled.v1
      consumer_group: data-router-orders
    destination:
      type: kinesis
      stream: orders-cancellations
`;

export const CUSTOMERS_CHECKS = `config_list:
  - rule_id: customers_unique_id
    table: curated.customers
    check: unique
    columns: [customer_id]
    severity: critical
`;

export const EU_ORDERS = `config_list:
  - name: orders-created-eu
    source:
      type: kafka
      topic: retail.eu.orders.created.v1
    destination:
      type: s3
      bucket: retail-raw-orders-eu
      path: orders/created/dt={event_date}/
`;

export const VENDOR_FEED_V2 =
  SAMPLE_REPO['ffi2/default/vendor_feed.json']?.replace('0 4 * * *', '0 5 * * *') ?? '';

let beforePlan = '';

/** Every item and version of every environment, as one string to compare. */
async function v2Snapshot(pg: Playground): Promise<string> {
  const parts: string[] = [];
  for (const env of ['dev', 'qa', 'prod']) {
    for (const i of (await v2Items(pg.store, env)).values()) parts.push(`${env} ${i.handle} ${i.version}`);
  }
  return parts.sort().join('\n');
}

const check = (ok: boolean, text: string): Check => ({ ok, text });

/** Every run that started succeeded; names the ones that did not. */
function runsSucceeded(runs: WorkflowRun[]): Check {
  const started = runs.filter((r) => r.triggered);
  const bad = started.filter((r) => r.conclusion !== 'success');
  return check(
    started.length > 0 && bad.length === 0,
    bad.length
      ? `failed: ${bad.map((r) => r.name).join(', ')}`
      : `${started.map((r) => r.name).join(', ')}: success`,
  );
}

function run(runs: WorkflowRun[], name: string): WorkflowRun | undefined {
  return runs.find((r) => r.name === name);
}

export const SCENARIO: ScenarioStep[] = [
  {
    id: 'first-push',
    title: 'First push to main',
    story:
      'A maintainer pushes the config repo to main: every config goes to V2 dev, the default/ ones to S3 dev.',
    async act(pg) {
      await pg.repo.commit('Configs of the data platform', { ...SAMPLE_REPO });
      return pg.onEvent(await pg.repo.push('main'));
    },
    async check(pg, runs, s3) {
      const dev = await v2Items(pg.store, 'dev');
      const retail = await s3Objects(s3, 'retail-configs-dev');
      const wholesale = await s3Objects(s3, 'wholesale-configs-dev');
      return [
        runsSucceeded(runs),
        check(
          dev.size === 5 && !dev.has('data-router/returns_SC'),
          `V2 dev holds ${dev.size} items (returns_SC is S3-only)`,
        ),
        check(
          retail.size === 4 && wholesale.size === 1,
          `S3 dev holds ${retail.size + wholesale.size} objects (emr is V2-only)`,
        ),
        check(
          (retail.get('item-store/data-quality/orders_checks.yaml') ?? '').startsWith('---') ||
            (retail.get('item-store/data-quality/orders_checks.yaml') ?? '').includes(
              'rule_id: orders_not_null_order_id\n',
            ),
          'the DQ rules are in S3 as legacy multi-document YAML',
        ),
      ];
    },
  },
  {
    id: 'change-main',
    title: 'A change on main: update, delete, add',
    story: 'orders.yaml gets a second route, inventory.yml is deleted, a DQ file is added.',
    async act(pg) {
      await pg.repo.commit('orders: cancelled route; drop inventory; customer checks', {
        'data-router/default/orders.yaml': ORDERS_V2,
        'data-router/default/inventory.yml': null,
        'data-quality/default/customers_checks.yaml': CUSTOMERS_CHECKS,
      });
      return pg.onEvent(await pg.repo.push('main'));
    },
    async check(pg, runs, s3) {
      const dev = await v2Items(pg.store, 'dev');
      const retail = await s3Objects(s3, 'retail-configs-dev');
      return [
        runsSucceeded(runs),
        check(dev.get('data-router/orders')?.version === 2, 'V2 dev: orders is at version 2'),
        check(dev.get('data-router/inventory')?.deleted === true, 'V2 dev: inventory has a tombstone'),
        check(!!dev.get('data-quality/customers_checks'), 'V2 dev: customers_checks created'),
        check(
          !retail.has('item-store/data-router/inventory.yml') &&
            retail.has('item-store/data-quality/customers_checks.yaml'),
          'S3 dev: inventory.yml deleted, customers_checks.yaml uploaded',
        ),
      ];
    },
  },
  {
    id: 'feature-push',
    title: `Feature-branch push (${FEATURE_BRANCH})`,
    story:
      'A config author adds an EU route on a branch: V2 dev gets items tagged with the branch; S3 is not touched.',
    async act(pg) {
      await pg.repo.checkout(FEATURE_BRANCH, true);
      await pg.repo.commit('data-router: EU orders route', {
        'data-router/default/eu/orders.yaml': EU_ORDERS,
        'data-router/default/eu/tags.yaml': 'tags:\n  region: eu\n',
      });
      return pg.onEvent(await pg.repo.push(FEATURE_BRANCH));
    },
    async check(pg, runs, s3) {
      const dev = await v2Items(pg.store, 'dev');
      const retail = await s3Objects(s3, 'retail-configs-dev');
      return [
        runsSucceeded(runs),
        check(
          !run(runs, 'SYNCAS3')?.triggered,
          `SYNCAS3 not triggered (${run(runs, 'SYNCAS3')?.reason ?? ''})`,
        ),
        check(
          dev.get(`data-router/orders@${FEATURE_BRANCH}`)?.version === 1,
          `V2 dev: orders@${FEATURE_BRANCH} created`,
        ),
        check(dev.get('data-router/orders')?.version === 2, "V2 dev: main's orders untouched (version 2)"),
        check(!retail.has('item-store/data-router/eu/orders.yaml'), 'S3 dev: nothing from the branch'),
      ];
    },
  },
  {
    id: 'pull-request',
    title: 'Pull request plan',
    story:
      'The author opens a pull request; the plan shows what merging would write, with a diff, and writes nothing.',
    async act(pg) {
      beforePlan = await v2Snapshot(pg);
      return pg.onEvent(await pg.repo.openPullRequest(FEATURE_BRANCH, 'main', 'EU orders route'));
    },
    async check(pg, runs) {
      const plan = run(runs, 'Item Store plan');
      return [
        runsSucceeded(runs),
        check(!!plan?.summary.includes('```diff'), 'the plan shows a diff per item'),
        check((await v2Snapshot(pg)) === beforePlan, 'V2: the plan wrote nothing (every version as before)'),
      ];
    },
  },
  {
    id: 'merge',
    title: 'Merge the pull request',
    story: 'Merging pushes main: the EU route reaches V2 dev and S3 dev.',
    async act(pg) {
      return pg.onEvent(
        await pg.repo.mergePullRequest(FEATURE_BRANCH, 'main', 'Merge pull request #1 (EU orders route)'),
      );
    },
    async check(pg, runs, s3) {
      const dev = await v2Items(pg.store, 'dev');
      const retail = await s3Objects(s3, 'retail-configs-dev');
      const eu = [...dev.values()].find((i) => i.tags.region === 'eu' && !i.tags.branch);
      return [
        runsSucceeded(runs),
        check(!!eu, 'V2 dev: the EU orders item (region=eu) exists for main'),
        check(retail.has('item-store/data-router/eu/orders.yaml'), 'S3 dev: eu/orders.yaml uploaded'),
      ];
    },
  },
  promoteStep('dev', 'qa'),
  promoteStep('qa', 'prod'),
  {
    id: 'validate',
    title: 'Validate prod: repo ⇄ V2 ⇄ S3',
    story: 'A maintainer runs Validate for prod, comparing S3 with V2 as JSON values: everything is in sync.',
    async act(pg) {
      return pg.onEvent(await pg.repo.dispatch({ environment: 'prod', against: 's3-vs-v2' }), [
        'validate.yaml',
      ]);
    },
    async check(_pg, runs) {
      const v = run(runs, 'Validate');
      const out = v?.jobs[0]?.steps.find((s) => s.id === 'validate')?.outputs ?? {};
      return [
        runsSucceeded(runs),
        check(
          out.drifted === '0' && Number(out['in-sync']) > 0,
          `${out['in-sync'] ?? '?'} in sync, ${out.drifted ?? '?'} drifted`,
        ),
      ];
    },
  },
];

/** Promotion by the Promote workflow (workflow_dispatch with from/to), checked on both stores. */
function promoteStep(from: string, to: string): ScenarioStep {
  return {
    id: `promote-${to}`,
    title: `Promote ${from} → ${to}`,
    story: `A maintainer runs Promote (from: ${from}, to: ${to}) on main: main's versions and S3 objects move on.`,
    async act(pg) {
      return pg.onEvent(await pg.repo.dispatch({ from, to }), ['promote.yaml']);
    },
    async check(pg, runs, s3) {
      const src = [...(await v2Items(pg.store, from)).values()].filter((i) => !i.tags.branch && !i.deleted);
      const dst = await v2Items(pg.store, to);
      const same = src.filter((i) => dst.get(i.handle)?.md5 === i.md5);
      const s3From = await s3Objects(s3, `retail-configs-${from}`);
      const s3To = await s3Objects(s3, `retail-configs-${to}`);
      const branchItems = [...dst.values()].filter((i) => i.tags.branch);
      return [
        runsSucceeded(runs),
        check(
          same.length === src.length && src.length > 0,
          `V2 ${to}: ${same.length} of ${src.length} main items equal ${from}`,
        ),
        check(branchItems.length === 0, `V2 ${to}: no feature-branch item`),
        check(
          s3To.size === s3From.size && [...s3From].every(([k, v]) => s3To.get(k) === v),
          `S3 ${to}: ${s3To.size} objects, equal to ${from}`,
        ),
      ];
    },
  };
}

/** A push to main with the S3 switch off: V2 gets it, SYNCAS3 says it skipped, S3 keeps the old bytes. */
export const S3_OFF_STEP: ScenarioStep = {
  id: 's3-off',
  title: 'S3 switch off (ITEMSTORE_S3_SYNC=off), then a push',
  story:
    'After cutover the maintainers set the variable to off: pushes reach V2 only, SYNCAS3 says why it skipped.',
  async act(pg) {
    pg.runner.config.vars.ITEMSTORE_S3_SYNC = 'off';
    await pg.repo.checkout('main');
    await pg.repo.commit('ffi2: vendor feed at 05:00', { 'ffi2/default/vendor_feed.json': VENDOR_FEED_V2 });
    return pg.onEvent(await pg.repo.push('main'));
  },
  async check(pg, runs, s3) {
    pg.runner.config.vars.ITEMSTORE_S3_SYNC = 'on';
    const dev = await v2Items(pg.store, 'dev');
    const wholesale = await s3Objects(s3, 'wholesale-configs-dev');
    const sync = run(runs, 'SYNCAS3');
    return [
      runsSucceeded(runs),
      check(dev.get('ffi2/vendor_feed')?.version === 2, 'V2 dev: vendor_feed at version 2'),
      check(!!sync?.summary.includes('S3 sync is off'), 'SYNCAS3 summary: "skipped: S3 sync is off"'),
      check(
        (wholesale.get('v0/item-store/ffi2/vendor_feed.json') ?? '').includes('0 4 * * *'),
        'S3 dev: vendor_feed.json unchanged (still 04:00)',
      ),
    ];
  },
};

/** Every step of the demo, in order. */
export const DEMO_STEPS: readonly ScenarioStep[] = [...SCENARIO, S3_OFF_STEP];
