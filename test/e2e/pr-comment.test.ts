/**
 * The pull request plan comment, end to end on the local runner: pr-plan.yaml (untrusted: pull_request, read-only
 * token) renders the plan and uploads it as an artifact; pr-comment.yaml (trusted: workflow_run, with
 * `pull-requests: write`) downloads it through the Actions API stand-in and posts one sticky comment and a check
 * run. The first push creates the comment, the next push updates the same one, and a fork's pull request (no
 * secrets, a read-only token) gets its plan posted too. Needs `npm run build`.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { EU_ORDERS, FEATURE_BRANCH, Playground, SAMPLE_REPO } from '@itemstore/demo';
import type { StepRun, WorkflowRun } from '@itemstore/workflow-runner';
import { bundleNode, repoRoot } from '../helpers/run-bundle.js';

jest.setTimeout(120_000);

const MARKER = '<!-- itemstore-plan -->';
let pg: Playground;

beforeAll(async () => {
  pg = await Playground.start({ suiteRoot: repoRoot, nodePath: bundleNode });
  await pg.repo.commit('Configs of the data platform', { ...SAMPLE_REPO });
  await pg.onEvent(await pg.repo.push('main'), ['deploy.yaml']);
}, 60_000);

afterAll(async () => {
  await pg?.stop();
});

function runOf(runs: WorkflowRun[], name: string): WorkflowRun {
  const r = runs.find((x) => x.name === name && x.triggered);
  if (!r)
    throw new Error(
      `${name} did not run (${runs.map((x) => `${x.name}: ${x.reason ?? x.conclusion}`).join('; ')})`,
    );
  return r;
}

function stepOf(run: WorkflowRun, id: string): StepRun {
  const s = run.jobs.flatMap((j) => j.steps).find((x) => x.id === id);
  if (!s) throw new Error(`${run.name} has no step ${id}`);
  return s;
}

function expectSuccess(run: WorkflowRun): void {
  const failed = run.jobs
    .flatMap((j) => j.steps)
    .filter((s) => s.conclusion === 'failure')
    .map((s) => `${s.name}: ${pg.runner.mask(s.stderr + s.stdout).slice(-2000)}`);
  expect({ run: run.name, failed }).toEqual({ run: run.name, failed: [] });
  expect(run.conclusion).toBe('success');
}

const templates = ['pr-plan.yaml', 'pr-comment.yaml'];

describe('the sticky plan comment (pr-plan.yaml → artifact → pr-comment.yaml on workflow_run)', () => {
  let number: number;
  let commentId: number;

  test('the first push of a pull request creates the comment and a check run titled with the counts', async () => {
    await pg.repo.checkout(FEATURE_BRANCH, true);
    await pg.repo.commit('data-router: EU orders route', {
      'data-router/default/eu/orders.yaml': EU_ORDERS,
      'data-router/default/eu/tags.yaml': 'tags:\n  region: eu\n',
      'data-quality/default/orders_checks.yaml': SAMPLE_REPO[
        'data-quality/default/orders_checks.yaml'
      ]!.replace('orders_not_null_order_id', 'orders_order_id_present'),
    });
    await pg.repo.push(FEATURE_BRANCH);
    const event = await pg.repo.openPullRequest(FEATURE_BRANCH, 'main', 'EU orders route');
    number = Number(event.payload.number);
    const runs = await pg.onEvent(event, templates);
    const plan = runOf(runs, 'Item Store plan');
    const post = runOf(runs, 'Item Store plan comment');
    expectSuccess(plan);
    expectSuccess(post);

    const comments = pg.runner.api.commentsOn(number);
    expect(comments).toHaveLength(1);
    const [comment] = comments;
    commentId = comment!.id;
    expect(stepOf(post, 'post').outputs).toMatchObject({ created: 'true', 'comment-id': String(commentId) });
    expect(comment!.body.startsWith(MARKER)).toBe(true);
    const body = comment!.body;
    // V2: one row per item with its diff.
    expect(body).toContain('1 create, 1 update');
    expect(body).toContain('`data-router/default/eu/orders.yaml`');
    expect(body).toContain('```diff');
    expect(body).toContain('orders_order_id_present');
    // S3 while sync is on: keys, sizes and the legacy DQ text the merge would write.
    expect(body).toContain('s3://retail-configs-dev/item-store/data-router/eu/orders.yaml');
    expect(body).toContain(`| ${Buffer.byteLength(EU_ORDERS)} |`);
    expect(body).toContain('the legacy DQ text');
    expect(body).toMatch(/```yaml\n(---\n)?[\s\S]*rule_id: orders_order_id_present/);

    const checks = pg.runner.api.checkRuns;
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({
      name: 'Item Store plan',
      head_sha: (event.payload.pull_request as { head: { sha: string } }).head.sha,
      conclusion: 'success',
      output: { title: '1 create, 1 update; 2 S3 writes' },
    });
    // The untrusted plan job wrote nothing through the API; the trusted job wrote the comment and check run.
    const writers = new Set(pg.runner.api.calls.map((c) => c.token.replace(/^ghs_local_\d+_/, '')));
    expect([...writers]).toEqual(['comment']);
  });

  test('a second push updates the same comment in place', async () => {
    await pg.repo.commit('data-router: EU orders route v2', {
      'data-router/default/eu/orders.yaml': EU_ORDERS.replace('orders-created-eu', 'orders-created-eu-v2'),
    });
    await pg.repo.push(FEATURE_BRANCH);
    const event = await pg.repo.updatePullRequest(number, FEATURE_BRANCH, 'main', 'EU orders route');
    const runs = await pg.onEvent(event, templates);
    expectSuccess(runOf(runs, 'Item Store plan'));
    const post = runOf(runs, 'Item Store plan comment');
    expectSuccess(post);
    const comments = pg.runner.api.commentsOn(number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.id).toBe(commentId);
    expect(comments[0]!.body).toContain('orders-created-eu-v2');
    expect(comments[0]!.updated_at >= comments[0]!.created_at).toBe(true);
    expect(stepOf(post, 'post').outputs).toMatchObject({ created: 'false', 'comment-id': String(commentId) });
    expect(pg.runner.api.checkRuns.at(-1)?.head_sha).toBe(
      (event.payload.pull_request as { head: { sha: string } }).head.sha,
    );
  });

  test("a fork's pull request: the plan runs without secrets and read-only, and its plan is posted", async () => {
    const callsBefore = pg.runner.api.calls.length;
    const event = await pg.repo.openPullRequest(FEATURE_BRANCH, 'main', 'from a fork', {
      fork: 'someone/dmd-item-storage-v2',
    });
    const forkNumber = Number(event.payload.number);
    const runs = await pg.onEvent(event, templates);
    const plan = runOf(runs, 'Item Store plan');
    expectSuccess(plan);
    // No secrets in the fork's run: V2 is not compared; the plan shows the author's edits instead.
    expect(stepOf(plan, 'plan').inputs['item-store-url']).toBe('');
    expectSuccess(runOf(runs, 'Item Store plan comment'));
    const [comment] = pg.runner.api.commentsOn(forkNumber);
    expect(comment?.body).toContain('V2 was not compared');
    expect(comment?.body).toContain("the author's edit");
    expect(comment?.body).toMatch(/```diff\n[\s\S]*\+.*orders-created-eu-v2/);
    for (const secret of Object.values(pg.runner.config.secrets)) expect(comment?.body).not.toContain(secret);
    // Every write came from the trusted workflow's token.
    const writes = pg.runner.api.calls.slice(callsBefore);
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((c) => c.token.endsWith('_comment') && c.status < 300)).toBe(true);
  });

  test("the fork's read-only token cannot comment (GitHub answers 403)", async () => {
    const res = await fetch(
      `${await pg.runner.api.address()}/repos/${pg.runner.config.repository}/issues/1/comments`,
      {
        method: 'POST',
        headers: { authorization: `token ${forkPlanToken()}`, 'content-type': 'application/json' },
        body: JSON.stringify({ body: 'hi' }),
      },
    );
    expect(res.status).toBe(403);
  });
});

/** The token the last fork plan job got (the runner grants one per job). */
function forkPlanToken(): string {
  const call = [...pg.runner.api.calls].reverse().find((c) => c.token.endsWith('_comment'));
  const runId = Number(/^ghs_local_(\d+)_/.exec(call?.token ?? '')?.[1]);
  // The plan run started just before its comment run.
  return `ghs_local_${runId - 1}_plan`;
}
