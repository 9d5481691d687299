/**
 * detect-changed-paths then resolve-tags, both as built bundles run the way the runner runs them, on a depth-1
 * clone of a real repository: resolve-tags reads detect's real manifest and must fetch nothing to find the base
 * tree's identities. Needs `npm run build`.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readChangeManifest, type ResolvedManifest } from '@itemstore/core';
import { FsTree } from '@itemstore/config';
import { GitTree } from '@itemstore/changes';
import { resolveManifest } from '@itemstore/resolve';
import { GitRepo } from '../helpers/git-repo.js';
import { bundleNode, repoRoot, runBundle } from '../helpers/run-bundle.js';

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

const SETTINGS = `version: 1
mainBranch: main
environments: [dev, qa, prod]
s3OnlySuffixes: [_SC]
tenants:
  retail:
    region: us-east-1
    s3:
      dev: { bucket: retail-dev, prefix: item-store/ }
      qa: { bucket: retail-qa, prefix: item-store/ }
      prod: { bucket: retail-prod, prefix: item-store/ }
teams:
  emr: { tenant: retail, namespace: emr-jobs }
`;

async function pipeline(branch: string, change: (repo: GitRepo) => Promise<void>, dir = '') {
  const repo = await GitRepo.init();
  made.push(repo.dir);
  const before = await repo.commit('initial', {
    [`${dir}item-store.yaml`]: SETTINGS,
    [`${dir}emr/tags.yaml`]: 'tags:\n  interface: emr\n',
    [`${dir}emr/default/nightly.yaml`]: 'steps: []\n',
    [`${dir}emr/default/hourly.yaml`]: 'steps: []\n',
  });
  const remote = await repo.createBareRemote();
  if (branch !== 'main') await repo.checkout(branch, { create: true });
  await change(repo);
  const after = await repo.rev();
  await repo.push([branch]);
  const clone = await GitRepo.clone(remote.url, { depth: 1, branch });
  made.push(clone.dir);
  const event = {
    eventName: 'push',
    event: { ref: `refs/heads/${branch}`, before, after, repository: { default_branch: 'main' } },
    env: { GITHUB_REF: `refs/heads/${branch}`, GITHUB_SHA: after },
    workspace: clone.dir,
  };
  const detect = await runBundle('detect-changed-paths', {
    ...event,
    inputs: dir ? { 'working-directory': dir } : {},
  });
  made.push(detect.runnerTemp);
  expect(detect.exitCode).toBe(0);
  const resolve = await runBundle('resolve-tags', {
    ...event,
    inputs: { manifest: detect.outputs.manifest as string },
  });
  made.push(resolve.runnerTemp);
  const manifest = resolve.outputs.manifest
    ? (JSON.parse(readFileSync(resolve.outputs.manifest, 'utf8')) as ResolvedManifest)
    : undefined;
  return { resolve, manifest, detect, clone };
}

describe('resolve-tags bundle', () => {
  it("reads detect's manifest, resolves old and new identities, sets every output and writes the summary", async () => {
    const { resolve, manifest } = await pipeline('main', async (repo) => {
      await repo.commit('retag', { 'emr/tags.yaml': 'tags:\n  interface: spark-submit\n' });
    });
    expect(resolve.exitCode).toBe(0);
    expect(resolve.outputs).toMatchObject({
      errors: '0',
      count: '4',
      upserts: '2',
      deletes: '2',
      branch: 'main',
      'is-main-branch': 'true',
    });
    expect(manifest?.entries.find((e) => e.action === 'delete')).toMatchObject({
      side: 'base',
      tags: { interface: 'emr' },
      targets: ['v2'],
      why: 'identity changed: tag interface emr → spark-submit',
    });
    expect(resolve.summary).toContain('identity changed: tag interface emr → spark-submit');
    expect(resolve.summary).toContain('| `emr/default/hourly.yaml` |');
  });

  it('feature branch Feature/ABC-123: items carry branch=Feature/ABC-123, exactly as spelled', async () => {
    const { resolve, manifest } = await pipeline('Feature/ABC-123', async (repo) => {
      await repo.commit('edit', { 'emr/default/hourly.yaml': 'steps: [x]\n' });
    });
    expect(resolve.exitCode).toBe(0);
    expect(resolve.outputs['is-main-branch']).toBe('false');
    expect(manifest?.entries.map((e) => e.tags.branch)).toEqual(['Feature/ABC-123']);
  });

  it('a bad config fails the step with an annotation on its file and line, and says how many', async () => {
    const { resolve } = await pipeline('main', async (repo) => {
      await repo.commit('bad', { 'emr/default/hourly.yaml': 'steps:\n  - 1\n  - [unclosed\n' });
    });
    expect(resolve.exitCode).toBe(1);
    expect(resolve.outputs.errors).toBe('1');
    const errors = resolve.commands.filter((c) => c.command === 'error');
    expect(errors[0]?.properties).toMatchObject({
      file: 'emr/default/hourly.yaml',
      line: expect.stringMatching(/^[34]$/),
    });
    expect(errors.at(-1)?.message).toContain('1 error in the changed configs');
  });

  it('config repo in a subfolder: annotations carry the path from the repository root', async () => {
    const { resolve, manifest } = await pipeline(
      'main',
      async (repo) => {
        await repo.commit('bad', { 'configs/emr/default/hourly.yaml': 'a: 1\na: 2\n' });
      },
      'configs/',
    );
    expect(resolve.exitCode).toBe(1);
    expect(manifest?.workingDirectory).toBe('configs');
    const error = resolve.commands.find((c) => c.command === 'error' && c.properties.file);
    expect(error?.properties).toMatchObject({ file: 'configs/emr/default/hourly.yaml', line: '2' });
  });

  it('200 changed configs, some broken: the problems the bundle finds with its content-check workers are those of one thread, in order', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 200; i++) {
      files[`emr/default/job_${String(i).padStart(3, '0')}.yaml`] =
        i % 23 === 7 ? 'steps:\n  - 1\n  - [unclosed\n' : i % 31 === 2 ? 'a: 1\na: 2\n' : `steps: [s${i}]\n`;
    }
    const { resolve, manifest, detect, clone } = await pipeline('main', async (repo) => {
      await repo.commit('many', files);
    });
    expect(resolve.exitCode).toBe(1);
    const changes = await readChangeManifest(detect.outputs.manifest as string);
    const base = new GitTree(clone.dir, changes.baseSha as string);
    let alone: ResolvedManifest;
    try {
      alone = await resolveManifest(changes, {
        head: new FsTree(clone.dir),
        base,
        contentCheck: { worker: false },
      });
    } finally {
      base.close();
    }
    expect(alone.errors.filter((e) => e.severity === 'error').length).toBe(9 + 7);
    expect(JSON.stringify(manifest)).toBe(JSON.stringify(alone));
    expect(resolve.outputs.errors).toBe('16');
  });

  it("dist/lib/content-worker.cjs runs under the bundles' Node and answers with located problems", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'content-worker-'));
    made.push(dir);
    writeFileSync(join(dir, 'good.yaml'), 'steps: []\n');
    writeFileSync(join(dir, 'bad.yaml'), 'a: 1\na: 2\n');
    const script = `
      import { Worker } from 'node:worker_threads';
      const next = new Int32Array(new SharedArrayBuffer(4));
      const worker = new Worker(new URL(${JSON.stringify(`file://${repoRoot}/dist/lib/content-worker.cjs`)}), {
        workerData: { root: ${JSON.stringify(dir)}, next },
      });
      const answers = [];
      worker.on('message', (m) => answers.push(m));
      worker.on('exit', (code) => console.log(JSON.stringify({ code, answers })));
      const job = (path) => ({ path, format: 'config-list', targets: ['v2'] });
      worker.postMessage({ jobs: [job('good.yaml'), job('bad.yaml'), job('gone.yaml')] });
    `;
    writeFileSync(join(dir, 'run.mjs'), script);
    const { stdout } = await promisify(execFile)(bundleNode, [join(dir, 'run.mjs')]);
    const { code, answers } = JSON.parse(stdout) as { code: number; answers: unknown[] };
    expect(code).toBe(0);
    expect(answers).toEqual([
      { i: 0, errors: [expect.objectContaining({ code: 'config-list-shape' })] },
      {
        i: 1,
        errors: [expect.objectContaining({ code: 'duplicate-key', file: 'bad.yaml', line: 2, column: 1 })],
      },
      { i: 2, errors: [expect.objectContaining({ code: 'unreadable', file: 'gone.yaml' })] },
      { done: true },
    ]);
  });
});
