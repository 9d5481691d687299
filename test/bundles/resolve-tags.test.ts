/**
 * detect-changed-paths then resolve-tags, both as built bundles run the way the runner runs them, on a depth-1
 * clone of a real repository: resolve-tags reads detect's real manifest and must fetch nothing to find the base
 * tree's identities. Needs `npm run build`.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { readFileSync, rmSync } from 'node:fs';
import type { ResolvedManifest } from '@itemstore/core';
import { GitRepo } from '../helpers/git-repo.js';
import { runBundle } from '../helpers/run-bundle.js';

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
  return { resolve, manifest };
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
});
