/**
 * .github/workflows/e2e.yml, run locally by the same runner as the templates: everything but its "Set up:" steps
 * (checkout, setup-node, npm ci/build: here the suite is already built and linked into the job's workspace). It
 * proves the workflow's server start, config repo generation, `./actions/...` wiring and checks work before GitHub
 * ever runs them. Needs `npm run build` and the AWS CLI (`aws`) on PATH, as on the GitHub runner.
 */
import { afterAll, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ProcessGroups, WorkflowRunner } from '@itemstore/workflow-runner';
import { bundleNode, repoRoot } from '../helpers/run-bundle.js';
import { prerequisite } from '../helpers/prerequisites.js';

const temp = mkdtempSync(join(tmpdir(), 'e2e-workflow-'));
const processes = new ProcessGroups();
afterAll(async () => {
  await processes.stopAll();
  rmSync(temp, { recursive: true, force: true });
});

const hasAws = prerequisite({
  what: 'the AWS CLI (aws on PATH)',
  present: spawnSync('aws', ['--version']).status === 0,
  why: 'e2e.yml checks the bucket with aws s3, as on the GitHub runner (which has it)',
  requiredInCi: true,
});

(hasAws ? test : test.skip)(
  'e2e.yml passes on the local runner (servers started and stopped by the job)',
  async () => {
    const wf = parse(readFileSync(join(repoRoot, '.github/workflows/e2e.yml'), 'utf8')) as {
      jobs: { e2e: { steps: { name?: string; run?: string }[] } };
    };
    const steps = wf.jobs.e2e.steps.filter((s) => !s.name?.startsWith('Set up:'));
    expect(steps.length).toBeLessThan(wf.jobs.e2e.steps.length);
    // The suite, as checkout + npm ci + build would leave it in the workspace.
    steps.unshift({
      name: 'link the built suite',
      run: ['dist', 'test', 'node_modules', 'actions']
        .map((d) => `ln -s "${join(repoRoot, d)}" ${d}`)
        .join('\n'),
    });
    wf.jobs.e2e.steps = steps;
    const file = join(temp, 'e2e.yml');
    writeFileSync(file, stringify(wf));

    const runner = new WorkflowRunner({
      suiteRoot: repoRoot,
      nodePath: bundleNode,
      actionRepository: 'example-org/itemstore-actions',
      repository: 'example-org/itemstore-actions',
      remoteUrl: 'file:///nonexistent',
      defaultBranch: 'main',
      vars: {},
      secrets: {},
      tempDir: temp,
      processes,
    });
    const run = await runner.run(file, {
      eventName: 'workflow_dispatch',
      ref: 'refs/heads/main',
      sha: '0'.repeat(40),
      payload: {},
    });
    const all = run.jobs.flatMap((j) => j.steps);
    const failed = all
      .filter((s) => s.conclusion === 'failure')
      .map((s) => `${s.name}: ${s.stdout}${s.stderr}`);
    expect(failed).toEqual([]);
    expect(run.conclusion).toBe('success');
    const check = all.find((s) => s.name === 'Check the outputs, V2 and S3');
    expect(check?.stdout).toContain('ok: V2 dev: live items = 11');
    expect(check?.stdout).toContain('ok: S3 retail dev: objects = 5');
    // The servers the job started in the background are gone once the job ends.
    const servers = all.find((s) => s.id === 'servers');
    const url = servers?.outputs['v2-url'] ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await expect(fetch(`${url}/v2/health`)).rejects.toThrow();
  },
  120_000,
);
