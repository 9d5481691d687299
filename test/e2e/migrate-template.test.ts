/**
 * migrate.yaml's own checks on the local runner, before anything is read: the run must be on main, flags-branch
 * must be a migration branch, each flags-file entry a path inside the config repo; and a run from main says which
 * migration branches exist (their edited tables are read only with flags-branch). The whole flow is
 * test/e2e/cutover.test.ts; these runs stop before S3 (no servers needed).
 */
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigRepo, ProcessGroups, WorkflowRunner, type WorkflowRun } from '@itemstore/workflow-runner';
import { bundleNode, repoRoot } from '../helpers/run-bundle.js';

// Real git and bash on a shared machine: jest's 5 s default (testTimeout is not read per project) is too little.
jest.setTimeout(60_000);

let temp: string;
let processes: ProcessGroups;
let repo: ConfigRepo;
let runner: WorkflowRunner;

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'migrate-template-'));
  processes = new ProcessGroups();
  repo = await ConfigRepo.create({ tempDir: temp, repository: 'example-org/dmd-item-storage-v2' });
  await repo.commit('settings', { 'item-store.yaml': 'version: 1\n' });
  await repo.push('main');
  await repo.checkout('itemstore/migration-3', true);
  await repo.commit('flags', { '.itemstore/migration-flags.csv': 's3_key\n' });
  await repo.push('itemstore/migration-3');
  await repo.checkout('main');
  runner = new WorkflowRunner({
    suiteRoot: repoRoot,
    actionRepository: 'example-org/itemstore-actions',
    repository: 'example-org/dmd-item-storage-v2',
    remoteUrl: repo.remoteUrl,
    defaultBranch: 'main',
    vars: { ITEMSTORE_AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/itemstore' },
    secrets: {},
    // No local S3 keys: the AWS credentials step fails, so a run stops right after the checks under test.
    tempDir: temp,
    processes,
    nodePath: bundleNode,
  });
}, 60_000);

afterAll(async () => {
  await processes?.stopAll();
  if (temp) rmSync(temp, { recursive: true, force: true });
});

const migrateYaml = join(repoRoot, 'action-templates', 'migrate.yaml');

function gateError(run: WorkflowRun): string | undefined {
  const gate = run.jobs[0]?.steps[0];
  expect(gate?.conclusion).toBe('failure');
  expect(run.jobs[0]?.steps[1]?.conclusion).toBe('skipped');
  return gate?.annotations[0]?.message;
}

test('refused before checkout: another branch, a flags-branch that is not a migration branch, a flags-file outside the repo', async () => {
  expect(gateError(await runner.run(migrateYaml, await repo.dispatch({}, 'itemstore/migration-3')))).toBe(
    'Run the migration on main (the result goes to a migration branch), not refs/heads/itemstore/migration-3.',
  );
  expect(gateError(await runner.run(migrateYaml, await repo.dispatch({ 'flags-branch': 'main' })))).toBe(
    "flags-branch must be a migration branch (itemstore/migration-<n>), got 'main'.",
  );
  for (const bad of [
    '../flags.csv',
    'retail=/etc/flags.csv',
    'retail=.itemstore/a.csv,wholesale=x/../../y.csv',
  ]) {
    expect(gateError(await runner.run(migrateYaml, await repo.dispatch({ 'flags-file': bad })))).toMatch(
      /^flags-file: '.*' must be a path inside the config repo \(\[TENANT=\]PATH\)\.$/,
    );
  }
});

test('a run from main names the migration branches; with flags-branch it checks that branch out', async () => {
  const fromMain = await runner.run(migrateYaml, await repo.dispatch({ steps: 'flags' }));
  const say = fromMain.jobs[0]!.steps.find((s) => s.name === 'Say which flags table this run reads')!;
  expect(say.conclusion).toBe('success');
  expect(say.annotations).toEqual([
    expect.objectContaining({
      command: 'notice',
      message:
        "Migration branches exist (itemstore/migration-3). This run reads main's flags table; to use the table edited on a branch, run again with flags-branch set to it.",
    }),
  ]);

  const onBranch = await runner.run(
    migrateYaml,
    await repo.dispatch({ steps: 'flags', 'flags-branch': 'itemstore/migration-3' }),
  );
  const steps = onBranch.jobs[0]!.steps;
  expect(steps.find((s) => s.name.startsWith('Check out the config repo'))?.note).toBe(
    'checked out itemstore/migration-3 at depth 1',
  );
  expect(steps.find((s) => s.name === 'Say which flags table this run reads')?.summary).toContain(
    'Continuing itemstore/migration-3: its flags table (as edited there) and files are used',
  );
});
