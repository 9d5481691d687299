/**
 * The workflow templates (action-templates/) as a maintainer copies them: they lint clean, the lint catches an
 * injected `${{ }}` in a script, permissions are least-privilege, deploys queue instead of cancelling, every action
 * is pinned by commit SHA, and every `with:` and `steps.<id>.outputs.<name>` matches the action.yml it names.
 */
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../helpers/run-bundle.js';

const dir = join(repoRoot, 'action-templates');
const files = readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
type Step = {
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
};
type Job = { steps?: Step[]; permissions?: Record<string, string> };
type Workflow = {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  concurrency?: { group?: string; 'cancel-in-progress'?: boolean };
  jobs: Record<string, Job>;
};
const load = (f: string): Workflow => parse(readFileSync(join(dir, f), 'utf8')) as Workflow;
const steps = (wf: Workflow): Step[] => Object.values(wf.jobs).flatMap((j) => j.steps ?? []);
const OUR_ACTION = /^example-org\/itemstore-actions\/actions\/([a-z0-9-]+)@([0-9a-f]{40})$/;

function lint(root: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts/lint-workflows.mjs'), '--root', root], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function templatesCopy(): string {
  const root = mkdtempSync(join(tmpdir(), 'templates-lint-'));
  cpSync(dir, join(root, 'action-templates'), { recursive: true });
  return root;
}

describe('action-templates', () => {
  test('the six templates the SPEC names are there', () => {
    for (const f of [
      'deploy.yaml',
      'syncas3.yaml',
      'pr-plan.yaml',
      'promote.yaml',
      'validate.yaml',
      'migrate.yaml',
      'pr-comment.yaml',
      'cleanup-branch.yaml',
    ]) {
      expect(files).toContain(f);
    }
    expect(load('syncas3.yaml').name).toBe('SYNCAS3');
  });

  test('every template passes actionlint and the no-expression-in-run rule', () => {
    const root = templatesCopy();
    try {
      const r = lint(root);
      expect(r.out).toContain(`${files.length} workflows`);
      expect(r.status).toBe(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('the lint fails on a template that puts event data inside run:', () => {
    const root = templatesCopy();
    try {
      writeFileSync(
        join(root, 'action-templates', 'injected.yaml'),
        [
          'name: injected',
          'on: push',
          'permissions:',
          '  contents: read',
          'jobs:',
          '  x:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - run: echo ${{ github.event.head_commit.message }}',
          '',
        ].join('\n'),
      );
      const r = lint(root);
      expect(r.status).toBe(1);
      expect(r.out).toContain('injected.yaml');
      expect(r.out).toMatch(/inside "run:"/);
      // actionlint itself also names the untrusted input.
      expect(r.out).toMatch(/potentially untrusted/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test.each(files)('%s: least-privilege permissions', (f) => {
    const wf = load(f);
    expect(typeof wf.permissions).toBe('object');
    const perms = wf.permissions as Record<string, string>;
    // Only the migration writes git (it pushes its result to a branch for review).
    if (f !== 'pr-comment.yaml') expect(perms.contents).toBe(f === 'migrate.yaml' ? 'write' : 'read');
    const usesAws = steps(wf).some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    const sinceLastSuccess = steps(wf).some(
      (s) => s.uses?.includes('/actions/detect-changed-paths@') && s.with?.['since-last-success'] === true,
    );
    if (f === 'pr-comment.yaml') {
      // The trusted poster of the plan: reads the artifact, writes the comment and the check run, nothing else,
      // and checks out nothing.
      expect(perms).toEqual({ actions: 'read', 'pull-requests': 'write', checks: 'write' });
      expect(steps(wf).some((s) => s.uses?.startsWith('actions/checkout@'))).toBe(false);
      expect(Object.keys(wf.on)).toEqual(['workflow_run']);
      return;
    }
    for (const [scope, level] of Object.entries(perms)) {
      if (scope === 'contents') continue;
      // actions: read only where detect looks up the last successful run; id-token: write only where OIDC is
      // used; nothing else is granted.
      if (scope === 'actions') {
        expect(level).toBe('read');
        expect(sinceLastSuccess).toBe(true);
        continue;
      }
      expect([scope, level]).toEqual(['id-token', 'write']);
      expect(usesAws).toBe(true);
    }
    if (sinceLastSuccess) expect(perms.actions).toBe('read');
    if (usesAws) expect(perms['id-token']).toBe('write');
    for (const job of Object.values(wf.jobs)) expect(job.permissions).toBeUndefined();
    expect(Object.keys(wf.on)).not.toContain('pull_request_target');
  });

  test.each(files)('%s: concurrency per ref or target; writers queue, never cancel', (f) => {
    const wf = load(f);
    expect(wf.concurrency?.group).toMatch(
      /\$\{\{ (github\.ref|github\.event\.ref|inputs\.|github\.event\.pull_request\.number|github\.event\.workflow_run\.head_repository)/,
    );
    const writes = f !== 'pr-plan.yaml';
    if (writes) expect(wf.concurrency?.['cancel-in-progress']).toBe(false);
  });

  test.each(files)('%s: every action pinned by full commit SHA; our actions exist', (f) => {
    for (const s of steps(load(f))) {
      if (!s.uses) continue;
      expect(s.uses).toMatch(/@[0-9a-f]{40}$/);
      const ours = OUR_ACTION.exec(s.uses);
      if (ours) expect(readdirSync(join(repoRoot, 'actions', ours[1] as string))).toContain('action.yml');
      // A checkout of the actions repository (for its CLI) is pinned the same way.
      if (s.with?.repository) expect(String(s.with.ref)).toMatch(/^[0-9a-f]{40}$/);
    }
    expect(readFileSync(join(dir, f), 'utf8')).toMatch(/placeholder/i);
  });

  test.each(files)('%s: reads the S3 switch and keeps ${{ }} out of scripts', (f) => {
    const text = readFileSync(join(dir, f), 'utf8');
    // pr-comment.yaml posts what pr-plan.yaml rendered (which read the switch). cleanup-branch.yaml never touches
    // S3 whatever the switch says (S3 has no branches): no AWS credentials at all.
    if (f === 'cleanup-branch.yaml') {
      expect(text).not.toContain('aws-actions/configure-aws-credentials');
      expect(text).not.toContain('id-token');
    } else if (f !== 'pr-comment.yaml') expect(text).toContain('vars.ITEMSTORE_S3_SYNC');
    for (const s of steps(load(f))) if (s.run) expect(s.run).not.toContain('${{');
  });

  test.each(files)('%s: with: inputs and step outputs match the action.yml files', (f) => {
    const ids = new Map<string, { inputs: Set<string>; outputs: Set<string> } | null>();
    for (const s of steps(load(f))) {
      const ours = s.uses ? OUR_ACTION.exec(s.uses) : null;
      let spec: { inputs: Set<string>; outputs: Set<string> } | null = null;
      if (ours) {
        const yml = parse(
          readFileSync(join(repoRoot, 'actions', ours[1] as string, 'action.yml'), 'utf8'),
        ) as {
          inputs?: Record<string, unknown>;
          outputs?: Record<string, unknown>;
        };
        spec = {
          inputs: new Set(Object.keys(yml.inputs ?? {})),
          outputs: new Set(Object.keys(yml.outputs ?? {})),
        };
        for (const k of Object.keys(s.with ?? {}))
          expect(`${ours[1]}: ${k}: ${spec.inputs.has(k)}`).toBe(`${ours[1]}: ${k}: true`);
      }
      // Every steps.<id>.outputs.<name> refers to an earlier step, and to an output its action declares.
      const text = JSON.stringify([s.with ?? {}, s.env ?? {}, (s as { if?: unknown }).if ?? '']);
      for (const m of text.matchAll(/steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g)) {
        const [, id, output] = m as unknown as [string, string, string];
        expect(`${id} defined earlier: ${ids.has(id)}`).toBe(`${id} defined earlier: true`);
        const target = ids.get(id);
        if (target)
          expect(`${id}.outputs.${output}: ${target.outputs.has(output)}`).toBe(
            `${id}.outputs.${output}: true`,
          );
      }
      if (s.id) ids.set(s.id, spec);
    }
  });
});

test('the lint root option reads only the given folder', () => {
  const root = mkdtempSync(join(tmpdir(), 'templates-empty-'));
  mkdirSync(join(root, 'action-templates'));
  try {
    expect(lint(root)).toMatchObject({ status: 0 });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
