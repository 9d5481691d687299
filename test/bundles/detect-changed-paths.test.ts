/**
 * The built bundle, run the way the runner runs it (node dist/detect-changed-paths/index.js with INPUT_*, the event
 * file and the runner's output files), against depth-1 clones of a bare file:// remote. Needs `npm run build`.
 */
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ChangeManifest } from '@itemstore/core';
import { GitRepo, git } from '../helpers/git-repo.js';
import { runBundle, type BundleOptions, type BundleRun } from '../helpers/run-bundle.js';
import { startFakeGitHubApi } from '../helpers/github-api.js';
import { bucketsNamed, settingsYaml } from '../helpers/settings.js';

// Real git processes: generous limits for a loaded 2-core CI machine (each test takes well under a second alone).
jest.setTimeout(60_000);

const ZERO = '0'.repeat(40);
const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

const FILES = {
  'item-store.yaml': 'version: 1\n',
  'data-router/tags.yaml': 'tags: {tool: router}\n',
  'data-router/default/orders.yaml': 'a: 1\n',
  'ffi2/x.yaml': 'x: 1\n',
};

async function newRepo(files: Record<string, string> = FILES): Promise<GitRepo> {
  const repo = await GitRepo.init();
  made.push(repo.dir);
  await repo.commit('initial', files);
  return repo;
}

async function shallowClone(url: string, branch: string): Promise<GitRepo> {
  const c = await GitRepo.clone(url, { depth: 1, branch });
  made.push(c.dir);
  return c;
}

async function run(dir: string, options: BundleOptions): Promise<BundleRun & { manifest?: ChangeManifest }> {
  const r = await runBundle('detect-changed-paths', { workspace: dir, ...options });
  made.push(r.runnerTemp);
  const manifest = r.outputs.manifest
    ? (JSON.parse(readFileSync(r.outputs.manifest, 'utf8')) as ChangeManifest)
    : undefined;
  return Object.assign(r, manifest ? { manifest } : {});
}

function pushEvent(before: string, after: string, branch: string, extra: Record<string, unknown> = {}) {
  return {
    eventName: 'push',
    event: { ref: `refs/heads/${branch}`, before, after, repository: { default_branch: 'main' }, ...extra },
    env: { GITHUB_REF: `refs/heads/${branch}`, GITHUB_SHA: after },
  };
}

describe('detect-changed-paths bundle', () => {
  it('namespaces: from a valid item-store.yaml (read while git works), the teams of the changed configs', async () => {
    const repo = await newRepo({
      ...FILES,
      'item-store.yaml': settingsYaml({
        buckets: bucketsNamed('retail-configs'),
        teams: ['data-router', 'emr'],
      }),
      'emr/spark/job.yaml': 'j: 1\n',
    });
    const before = await repo.rev();
    const after = await repo.commit('two teams', {
      'emr/spark/job.yaml': 'j: 2\n',
      'data-router/default/orders.yaml': 'a: 2\n',
      'ffi2/x.yaml': 'x: 2\n',
    });
    const r = await run(repo.dir, pushEvent(before, after, 'main'));
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({
      count: '3',
      teams: '["data-router","emr","ffi2"]',
      // ffi2 is not a team of this item-store.yaml: no namespace.
      namespaces: '["data-router","emr-jobs"]',
    });
  });

  it('push: a multi-commit push in a depth-1 checkout, every output set, manifest under RUNNER_TEMP', async () => {
    const repo = await newRepo();
    const before = await repo.rev();
    const remote = await repo.createBareRemote();
    await repo.commit('one', { 'ffi2/x.yaml': 'x: 2\n' });
    await repo.rename('data-router/default/orders.yaml', 'data-router/default/Orders.yaml');
    const after = await repo.commit('three', { 'ffi2/new.yaml': 'n: 1\n', 'ffi2/gone.yaml': null });
    await repo.push(['main']);
    const clone = await shallowClone(remote.url, 'main');

    const r = await run(clone.dir, pushEvent(before, after, 'main'));
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toEqual({
      manifest: expect.stringMatching(new RegExp(`^${r.runnerTemp}/itemstore-detect-[^/]+/changes\\.json$`)),
      changed: 'true',
      count: '3',
      added: '1',
      modified: '1',
      deleted: '0',
      renamed: '1',
      mode: 'diff',
      branch: 'main',
      'base-sha': before,
      'head-sha': after,
      teams: '["data-router","ffi2"]',
      namespaces: '[]',
    });
    expect(r.manifest).toMatchObject({
      version: 1,
      mode: 'diff',
      event: 'push',
      baseSha: before,
      headSha: after,
    });
    expect(r.manifest?.entries).toEqual([
      {
        path: 'data-router/default/Orders.yaml',
        status: 'renamed',
        previousPath: 'data-router/default/orders.yaml',
        reason: 'changed',
        kind: 'config',
      },
      { path: 'ffi2/new.yaml', status: 'added', reason: 'changed', kind: 'config' },
      { path: 'ffi2/x.yaml', status: 'modified', reason: 'changed', kind: 'config' },
    ]);
    expect(r.summary).toContain('## Changed configs');
    expect(r.summary).toContain(
      '| renamed | `data-router/default/Orders.yaml` | `data-router/default/orders.yaml` |',
    );
  });

  it('first push of a new branch: compares with the merge base of the default branch, branch case kept', async () => {
    const repo = await newRepo();
    const fork = await repo.rev();
    await repo.checkout('Feature/ABC', { create: true });
    const head = await repo.commit('feature', { 'ffi2/feature.yaml': 'f: 1\n' });
    await repo.checkout('main');
    await repo.commit('main later', { 'ffi2/main-only.yaml': 'm: 1\n' });
    const remote = await repo.createBareRemote();
    await repo.push(['main', 'Feature/ABC']);
    const clone = await shallowClone(remote.url, 'Feature/ABC');

    const r = await run(clone.dir, pushEvent(ZERO, head, 'Feature/ABC', { created: true }));
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({
      changed: 'true',
      count: '1',
      added: '1',
      branch: 'Feature/ABC',
      'base-sha': fork,
    });
    expect(r.manifest?.entries.map((e) => e.path)).toEqual(['ffi2/feature.yaml']);
    expect(r.summary).toMatch(/first push of the branch.*merge base of main/);
  });

  it('first push with no base: every config, outputs set, and the summary says so', async () => {
    const repo = await newRepo();
    const head = await repo.rev();
    const remote = await repo.createBareRemote();
    const clone = await shallowClone(remote.url, 'main');
    const r = await run(clone.dir, pushEvent(ZERO, head, 'main'));
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({
      changed: 'true',
      count: '2',
      mode: 'all',
      'base-sha': '',
      'head-sha': head,
    });
    expect(r.manifest?.entries.map((e) => `${e.path} ${e.reason}`)).toEqual([
      'data-router/default/orders.yaml all',
      'ffi2/x.yaml all',
    ]);
    expect(r.summary).toMatch(/first push of the branch.*default branch main itself/);
  });

  it('force push whose before is gone: a warning annotation and the merge-base fallback', async () => {
    const repo = await newRepo();
    await repo.checkout('topic', { create: true });
    const before = await repo.commit('old', { 'ffi2/old.yaml': 'o: 1\n' });
    const remote = await repo.createBareRemote();
    await repo.push(['main', 'topic']);
    await repo.git(['reset', '-q', '--hard', 'main']);
    const after = await repo.commit('new', { 'ffi2/new.yaml': 'n: 1\n' });
    await repo.push(['topic'], { force: true });
    await git(remote.dir, ['reflog', 'expire', '--expire=now', '--all']);
    await git(remote.dir, ['gc', '-q', '--prune=now']);
    const clone = await shallowClone(remote.url, 'topic');

    const r = await run(clone.dir, pushEvent(before, after, 'topic', { forced: true }));
    expect(r.exitCode).toBe(0);
    expect(r.manifest?.entries.map((e) => e.path)).toEqual(['ffi2/new.yaml']);
    expect(r.commands.filter((c) => c.command === 'warning').map((c) => c.message)).toEqual([
      expect.stringMatching(/base commit [0-9a-f]{40} is not in the history.*merge base of main/),
    ]);
  });

  it('pull request from a depth-1 checkout, merge base 50 commits back, tags.yaml widening', async () => {
    const repo = await newRepo();
    await repo.checkout('feature', { create: true });
    await repo.importCommits(
      'feature',
      Array.from({ length: 50 }, (_, i) => ({ files: { [`ffi2/f${i % 3}.yaml`]: `v: ${i}\n` } })),
    );
    const head = await repo.importCommit('feature', { 'data-router/tags.yaml': 'tags: {tool: r2}\n' });
    await repo.checkout('main');
    const base = await repo.commit('main later', { 'ffi2/main-only.yaml': 'm: 1\n' });
    const remote = await repo.createBareRemote();
    await repo.push(['main', 'feature']);
    const clone = await shallowClone(remote.url, 'feature');

    const r = await run(clone.dir, {
      eventName: 'pull_request',
      event: {
        pull_request: { number: 1, base: { sha: base, ref: 'main' }, head: { sha: head, ref: 'feature' } },
      },
      env: {
        GITHUB_REF: 'refs/pull/1/merge',
        GITHUB_HEAD_REF: 'feature',
        GITHUB_BASE_REF: 'main',
        GITHUB_SHA: head,
      },
    });
    expect(r.exitCode).toBe(0);
    expect(r.manifest?.entries.map((e) => `${e.status} ${e.path} ${e.reason}`)).toEqual([
      'unchanged data-router/default/orders.yaml tags-changed',
      'modified data-router/tags.yaml changed',
      'added ffi2/f0.yaml changed',
      'added ffi2/f1.yaml changed',
      'added ffi2/f2.yaml changed',
    ]);
    expect(r.outputs).toMatchObject({
      branch: 'feature',
      'head-sha': head,
      count: '5',
      added: '3',
      modified: '1',
    });
  });

  it('odd names in a working-directory, exact in the manifest', async () => {
    const names = [
      'team/with space.yaml',
      'team/new\nline.yaml',
      'team/"quoted".json',
      'team/ünï 日本.yml',
      '-rf.yaml',
    ];
    const repo = await newRepo({ 'configs/item-store.yaml': 'version: 1\n', 'outside/a.yaml': 'a: 1\n' });
    const before = await repo.rev();
    const after = await repo.commit('odd', {
      ...Object.fromEntries(names.map((n) => [`configs/${n}`, 'a: 1\n'])),
      'outside/a.yaml': 'a: 2\n',
    });
    const remote = await repo.createBareRemote();
    const clone = await shallowClone(remote.url, 'main');
    const r = await run(clone.dir, {
      ...pushEvent(before, after, 'main'),
      inputs: { 'working-directory': 'configs' },
    });
    expect(r.exitCode).toBe(0);
    expect(r.manifest?.entries.map((e) => e.path).sort()).toEqual([...names].sort());
    expect(r.manifest?.workingDirectory).toBe('configs');
  });

  it('workflow_dispatch with paths and exclude inputs lists every matching config', async () => {
    const repo = await newRepo({ ...FILES, 'ffi2/y.json': '{}\n', 'ffi2/legacy/z.yaml': 'z: 1\n' });
    const r = await run(repo.dir, {
      eventName: 'workflow_dispatch',
      event: { inputs: {} },
      env: { GITHUB_REF: 'refs/heads/main', GITHUB_SHA: await repo.rev() },
      inputs: { paths: 'ffi2/**\n# a comment\n!ffi2/legacy/**', exclude: 'ffi2/*.{json,yml}' },
    });
    expect(r.exitCode).toBe(0);
    expect(r.manifest?.entries.map((e) => e.path)).toEqual(['ffi2/x.yaml']);
    expect(r.outputs).toMatchObject({ mode: 'all', changed: 'true', count: '1', 'base-sha': '' });
    expect(r.summary).toMatch(/workflow_dispatch run without a "base" input lists every config/);
  });

  it("since-last-success: a push after a cancelled run also lists that run's changes, in a depth-1 clone", async () => {
    const repo = await newRepo();
    const deployed = await repo.rev();
    const remote = await repo.createBareRemote();
    const cancelled = await repo.commit('its run was cancelled while queued', { 'ffi2/x.yaml': 'x: 2\n' });
    const after = await repo.commit('next push', { 'ffi2/new.yaml': 'n: 1\n' });
    await repo.push(['main']);
    const clone = await shallowClone(remote.url, 'main');
    const api = await startFakeGitHubApi({
      repository: 'example/dmd-item-storage-v2',
      runId: '1001',
      workflowId: 9,
      successes: { main: [deployed] },
    });
    try {
      const event = pushEvent(cancelled, after, 'main');
      const r = await run(clone.dir, {
        ...event,
        env: { ...event.env, GITHUB_API_URL: api.url },
        inputs: { 'since-last-success': 'true', token: 'ghs_token' },
      });
      expect(r.exitCode).toBe(0);
      expect(r.outputs['base-sha']).toBe(deployed);
      expect(r.manifest?.entries.map((e) => e.path)).toEqual(['ffi2/new.yaml', 'ffi2/x.yaml']);
      expect(r.summary).toContain('last successful run');
      expect(r.stdout).toContain('::add-mask::ghs_token');
      expect(r.stdout.replace('::add-mask::ghs_token', '')).not.toContain('ghs_token');
    } finally {
      await api.close();
    }
  });

  it('fails in one sentence, writing no outputs, on a bad input', async () => {
    const repo = await newRepo();
    const r = await run(repo.dir, {
      ...pushEvent(ZERO, await repo.rev(), 'main'),
      inputs: { base: '--upload-pack=touch /tmp/x' },
    });
    expect(r.exitCode).toBe(1);
    expect(r.commands.find((c) => c.command === 'error')?.message).toMatch(
      /Input "base" must be a commit SHA or a branch name/,
    );
    expect(r.outputs).toEqual({});
  });

  it('fails fast outside a workflow run (no event)', async () => {
    const r = await run(join(made[0] ?? '/tmp'), { eventName: '' });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/GITHUB_EVENT_NAME is not set/);
  });
});
