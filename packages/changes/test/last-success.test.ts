import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { rmSync } from 'node:fs';
import { MemoryLogger } from '@itemstore/core';
import { detectChanges, lastSuccessfulRunSha } from '../src/index.js';
import { GitRepo } from '../../../test/helpers/git-repo.js';
import { startFakeGitHubApi } from '../../../test/helpers/github-api.js';

jest.setTimeout(60_000);
const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

const SHA = 'a'.repeat(40);

describe('lastSuccessfulRunSha (GitHub REST API over HTTP)', () => {
  it("finds the run's workflow, then its newest successful push run on the branch", async () => {
    const api = await startFakeGitHubApi({
      repository: 'org/configs',
      runId: '77',
      workflowId: 5,
      successes: { 'Feature/X': [SHA, 'b'.repeat(40)] },
    });
    try {
      const logger = new MemoryLogger();
      const sha = await lastSuccessfulRunSha({
        apiUrl: api.url,
        repository: 'org/configs',
        runId: '77',
        branch: 'Feature/X',
        event: 'push',
        token: 'ghs_secret',
        logger,
      });
      expect(sha).toBe(SHA);
      // A branch where no run succeeded: null ("nothing deployed yet"), not undefined ("the lookup failed").
      expect(
        await lastSuccessfulRunSha({
          apiUrl: api.url,
          repository: 'org/configs',
          runId: '77',
          branch: 'feature/x',
          event: 'push',
          token: 'ghs_secret',
          logger,
        }),
      ).toBeNull();
      expect(api.requests.map((r) => r.path).slice(0, 2)).toEqual([
        '/repos/org/configs/actions/runs/77',
        '/repos/org/configs/actions/workflows/5/runs',
      ]);
      expect(api.requests[1]?.query).toEqual({
        branch: 'Feature/X',
        event: 'push',
        status: 'success',
        per_page: '1',
      });
      expect(api.requests[0]?.headers.authorization).toBe('token ghs_secret');
      expect(api.requests[0]?.headers['x-github-api-version']).toBe('2022-11-28');
      expect(logger.lines.map((l) => l.message).join('\n')).not.toContain('ghs_secret');
    } finally {
      await api.close();
    }
  });

  it('a refused lookup is a warning that names the missing permission, and no SHA', async () => {
    const api = await startFakeGitHubApi({
      repository: 'o/r',
      runId: '1',
      workflowId: 1,
      successes: {},
      status: 403,
    });
    try {
      const logger = new MemoryLogger();
      const sha = await lastSuccessfulRunSha({
        apiUrl: api.url,
        repository: 'o/r',
        runId: '1',
        branch: 'main',
        event: 'push',
        token: 't',
        logger,
      });
      expect(sha).toBeUndefined(); // a failed lookup, not "no run succeeded" (null)
      expect(logger.lines).toEqual([
        expect.objectContaining({
          level: 'warning',
          message: expect.stringContaining('permissions: actions: read'),
        }),
      ]);
    } finally {
      await api.close();
    }
  });
});

describe('detectChanges with lastSuccess', () => {
  async function history() {
    const repo = await GitRepo.init();
    made.push(repo.dir);
    const a = await repo.commit('a', { 'item-store.yaml': 'version: 1\n', 'team/one.yaml': 'v: 1\n' });
    const b = await repo.commit('b (its run failed)', { 'team/two.yaml': 'two: 1\n' });
    const c = await repo.commit('c (its run was cancelled while queued)', { 'team/one.yaml': 'v: 2\n' });
    const d = await repo.commit('d', { 'team/three.yaml': 'three: 1\n' });
    return { repo, a, b, c, d };
  }
  const push = (before: string, after: string) => ({
    eventName: 'push',
    payload: { ref: 'refs/heads/main', before, after },
    ref: 'refs/heads/main',
    sha: after,
  });

  it("compares with the last successful run's commit, so the failed and cancelled pushes are included", async () => {
    const { repo, a, c, d } = await history();
    const m = await detectChanges({ directory: repo.dir, event: push(c, d), lastSuccess: a, remote: null });
    expect(m.baseSha).toBe(a);
    expect(m.entries.map((e) => `${e.status} ${e.path}`)).toEqual([
      'modified team/one.yaml',
      'added team/three.yaml',
      'added team/two.yaml',
    ]);
    expect(m.note).toContain('last successful run');
  });

  it('no run ever succeeded on a feature branch: compared with the merge base of main, like a first push', async () => {
    const { repo, b } = await history();
    await repo.checkout('Feature/Y', { create: true, from: b });
    const first = await repo.commit('first push (its run failed)', { 'team/y.yaml': 'y: 1\n' });
    const second = await repo.commit('the fix', { 'team/z.yaml': 'z: 1\n' });
    const event = {
      eventName: 'push',
      payload: {
        ref: 'refs/heads/Feature/Y',
        before: first,
        after: second,
        repository: { default_branch: 'main' },
      },
      ref: 'refs/heads/Feature/Y',
      sha: second,
    };
    const m = await detectChanges({ directory: repo.dir, event, lastSuccess: null, remote: null });
    expect(m.baseSha).toBe(b);
    expect(m.entries.map((e) => e.path)).toEqual(['team/y.yaml', 'team/z.yaml']);
    expect(m.note).toContain('No earlier push run of this workflow on Feature/Y succeeded');
  });

  it("uses the push's before when the last success is that commit, or is not an ancestor (a force push)", async () => {
    const { repo, c, d } = await history();
    const same = await detectChanges({
      directory: repo.dir,
      event: push(c, d),
      lastSuccess: c,
      remote: null,
    });
    expect(same.baseSha).toBe(c);
    expect(same.note).toBeUndefined();

    await repo.checkout('other', { create: true, from: `${c}~2` });
    const stray = await repo.commit('not on main', { 'team/x.yaml': 'x: 1\n' });
    await repo.checkout('main');
    const forced = await detectChanges({
      directory: repo.dir,
      event: push(c, d),
      lastSuccess: stray,
      remote: null,
    });
    expect(forced.baseSha).toBe(c);
    expect(forced.entries.map((e) => e.path)).toEqual(['team/three.yaml']);
  });
});
