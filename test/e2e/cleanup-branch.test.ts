/**
 * action-templates/cleanup-branch.yaml on the local runner, as GitHub runs it: pushes to main and to two feature
 * branches deploy through deploy.yaml, then deleting one branch sends a `delete` event (run from the default
 * branch, the deleted ref in the payload). Only cleanup-branch.yaml listens to it; it tombstones that branch's
 * items in V2 dev and lists them in the job summary; main's items, the other branch's items and S3 are untouched.
 * Deleting a tag runs no job. Needs `npm run build`.
 */
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import type { S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEMO_SCOPED_TOKENS,
  EU_ORDERS,
  Playground,
  SAMPLE_REPO,
  localS3Client,
  s3Objects,
  v2Items,
} from '@itemstore/demo';
import type { WorkflowRun } from '@itemstore/workflow-runner';
import { bundleNode, repoRoot } from '../helpers/run-bundle.js';

jest.setTimeout(90_000);

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

function failures(run: WorkflowRun): string[] {
  return run.jobs
    .flatMap((j) => j.steps)
    .filter((s) => s.conclusion === 'failure')
    .map((s) => `${s.name}: ${pg.runner.mask(s.stderr + s.stdout).slice(-2000)}`);
}

const only = (runs: WorkflowRun[], file: string): WorkflowRun => {
  const r = runs.find((x) => x.file.endsWith(`/${file}`));
  if (!r) throw new Error(`${file} not run`);
  return r;
};

const tokenOf = (run: WorkflowRun, id: string): string | undefined =>
  run.jobs.flatMap((j) => j.steps).find((s) => s.id === id)?.inputs['item-store-token'];

test('deleting a feature branch tombstones its items in V2 dev, and only them', async () => {
  await pg.repo.commit('Configs of the data platform', { ...SAMPLE_REPO });
  const mainRuns = await pg.onEvent(await pg.repo.push('main'), ['deploy.yaml', 'syncas3.yaml']);
  for (const r of mainRuns) expect(failures(r)).toEqual([]);
  // main deploys with the dev environment's main token (write:dev:main), which only main's jobs get.
  expect(tokenOf(only(mainRuns, 'deploy.yaml'), 'deploy')).toBe(DEMO_SCOPED_TOKENS.main.token);
  await pg.repo.checkout('feature/eu-orders', true);
  await pg.repo.commit('data-router: EU orders route', {
    'data-router/default/eu/orders.yaml': EU_ORDERS,
    'data-router/default/eu/tags.yaml': 'tags:\n  region: eu\n',
  });
  const featureEvent = await pg.repo.push();
  const feature = only(await pg.onEvent(featureEvent, ['deploy.yaml']), 'deploy.yaml');
  expect(failures(feature)).toEqual([]);
  // A feature branch deploys with the branch token (write:dev:branch) ...
  expect(tokenOf(feature, 'deploy')).toBe(DEMO_SCOPED_TOKENS.branch.token);
  // ... and a workflow edited on the branch to run in the dev environment is refused by its branch policy.
  const edited = join(mkdtempSync(join(tmpdir(), 'edited-wf-')), 'steal.yaml');
  writeFileSync(
    edited,
    [
      'name: steal',
      'on: push',
      'permissions:',
      '  contents: read',
      'jobs:',
      '  x:',
      '    runs-on: ubuntu-latest',
      '    environment: dev',
      '    steps:',
      '      - run: echo "$T" | wc -c',
      '        env:',
      '          T: ${{ secrets.ITEMSTORE_TOKEN }}',
      '',
    ].join('\n'),
  );
  const steal = await pg.runner.run(edited, featureEvent);
  expect(steal.jobs[0]).toMatchObject({
    conclusion: 'failure',
    steps: [],
    note: 'Branch "feature/eu-orders" is not allowed to deploy to dev due to environment protection rules.',
  });
  await pg.repo.checkout('main');
  await pg.repo.checkout('feature/other', true);
  await pg.repo.commit('ffi2: a new field', {
    'ffi2/default/vendor_feed.json': '{\n  "vendor": "acme",\n  "fields": ["a", "b", "c"]\n}\n',
  });
  expect(failures(only(await pg.onEvent(await pg.repo.push(), ['deploy.yaml']), 'deploy.yaml'))).toEqual([]);
  await pg.repo.checkout('main');

  const before = await v2Items(pg.store, 'dev');
  expect(before.get('data-router/orders@feature/eu-orders')?.deleted).toBe(false);
  expect(before.get('ffi2/vendor_feed@feature/other')?.deleted).toBe(false);
  const s3Before = await s3Objects(s3, 'retail-configs-dev');

  // Every template sees the delete event; only cleanup-branch.yaml listens to it.
  const runs = await pg.onEvent(await pg.repo.deleteBranch('feature/eu-orders'));
  const triggered = runs.filter((r) => r.triggered).map((r) => r.file.split('/').pop());
  expect(triggered).toEqual(['cleanup-branch.yaml']);
  const cleanup = only(runs, 'cleanup-branch.yaml');
  expect(failures(cleanup)).toEqual([]);
  expect(cleanup.conclusion).toBe('success');
  const step = cleanup.jobs[0]!.steps.find((s) => s.id === 'cleanup')!;
  expect(step.inputs).toMatchObject({
    branch: 'feature/eu-orders',
    'item-store-url': pg.v2.url,
    'item-store-token': DEMO_SCOPED_TOKENS.branch.token,
  });
  expect(step.outputs).toMatchObject({ deleted: '1', failed: '0', 'already-deleted': '0' });

  const after = await v2Items(pg.store, 'dev');
  const tombstoned = after.get('data-router/orders@feature/eu-orders')!;
  expect(tombstoned).toMatchObject({ deleted: true, version: 2 });
  expect(cleanup.summary).toContain('Branch cleanup: feature/eu-orders in V2 dev');
  expect(cleanup.summary).toContain(
    `| \`data-router/default/eu/orders.yaml\` | \`${tombstoned.itemId}\` | v1 → v2 (tombstone) | deleted |`,
  );
  for (const [handle, e] of after) {
    if (handle !== 'data-router/orders@feature/eu-orders') expect(e).toEqual(before.get(handle));
  }
  expect(await s3Objects(s3, 'retail-configs-dev')).toEqual(s3Before);
  const item = await pg.store.getItem(tombstoned.itemId);
  expect(item?.environments.dev?.metadata).toMatchObject({
    actor: 'demo-user',
    branch: 'feature/eu-orders',
    path: 'data-router/default/eu/orders.yaml',
  });
  expect(item?.environments.dev?.metadata.runUrl).toContain('/actions/runs/');

  // A deleted tag: the workflow is triggered, its job is not (tags have no items).
  const tagRuns = await pg.onEvent(
    {
      ...(await pg.repo.deleteBranch('feature/other')),
      payload: { ref: 'v1.0.0', ref_type: 'tag', pusher_type: 'user' },
    },
    ['cleanup-branch.yaml'],
  );
  expect(tagRuns[0]!.jobs[0]!.conclusion).toBe('skipped');
  expect((await v2Items(pg.store, 'dev')).get('ffi2/vendor_feed@feature/other')?.deleted).toBe(false);
});
