import { describe, expect, it } from '@jest/globals';
import { UsageError } from '@itemstore/core';
import { planRange } from '../src/index.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const ZERO = '0'.repeat(40);

describe('planRange', () => {
  it('push: before..after, the branch exactly as spelled', () => {
    const r = planRange({
      eventName: 'push',
      payload: { ref: 'refs/heads/Feature/ABC', before: A, after: B, repository: { default_branch: 'main' } },
      ref: 'refs/heads/Feature/ABC',
      sha: B,
    });
    expect(r).toEqual({
      plan: { kind: 'two-dot', base: A, head: B, fallback: 'default-branch' },
      branch: 'Feature/ABC',
      defaultBranch: 'main',
    });
  });

  it('push of a new branch (before is zeros): merge base with the default branch', () => {
    const r = planRange({
      eventName: 'push',
      payload: { ref: 'refs/heads/f', before: ZERO, after: B, created: true },
    });
    expect(r.plan).toMatchObject({ kind: 'default-branch', head: B });
    expect(r.plan.kind === 'default-branch' && r.plan.why).toMatch(/first push/);
  });

  it('push that deletes a branch: nothing to do', () => {
    const r = planRange({
      eventName: 'push',
      payload: { ref: 'refs/heads/f', before: A, after: ZERO, deleted: true },
    });
    expect(r.plan.kind).toBe('none');
  });

  it('a tag push has no branch', () => {
    const r = planRange({ eventName: 'push', payload: { ref: 'refs/tags/v1', before: A, after: B } });
    expect(r.branch).toBe('');
  });

  it.each(['pull_request', 'pull_request_target'])('%s: merge base of the base and the head', (eventName) => {
    const r = planRange({
      eventName,
      payload: { pull_request: { base: { sha: A, ref: 'main' }, head: { sha: B, ref: 'Feat/X' } } },
      sha: C, // the test merge commit: not what is compared
      headRef: 'Feat/X',
      ref: 'refs/pull/7/merge',
    });
    expect(r.plan).toEqual({ kind: 'merge-base', base: A, head: B });
    expect(r.branch).toBe('Feat/X');
  });

  it('pull_request without GITHUB_HEAD_REF takes pull_request.head.ref', () => {
    const r = planRange({
      eventName: 'pull_request',
      payload: { pull_request: { base: { sha: A }, head: { sha: B, ref: 'CamelCase' } } },
    });
    expect(r.branch).toBe('CamelCase');
  });

  it('merge_group: base_sha..head_sha, branch from head_ref', () => {
    const r = planRange({
      eventName: 'merge_group',
      payload: {
        merge_group: { base_sha: A, head_sha: B, head_ref: 'refs/heads/gh-readonly-queue/main/pr-7-abc' },
      },
    });
    expect(r.plan).toEqual({ kind: 'two-dot', base: A, head: B });
    expect(r.branch).toBe('gh-readonly-queue/main/pr-7-abc');
  });

  it.each(['workflow_dispatch', 'schedule', 'repository_dispatch'])(
    '%s without inputs lists everything',
    (eventName) => {
      const r = planRange({ eventName, payload: {}, ref: 'refs/heads/main', sha: C });
      expect(r.plan).toMatchObject({ kind: 'all', head: C });
      expect(r.branch).toBe('main');
    },
  );

  it('explicit base/head inputs win over any event', () => {
    const push = { eventName: 'push', payload: { ref: 'refs/heads/main', before: A, after: B } };
    expect(planRange(push, { base: C }).plan).toEqual({ kind: 'two-dot', base: C, head: B });
    expect(
      planRange({ eventName: 'workflow_dispatch', payload: {}, sha: C }, { base: 'main', head: 'HEAD' }).plan,
    ).toEqual({ kind: 'two-dot', base: 'main', head: 'HEAD' });
  });

  it('the default-branch input wins over the event', () => {
    const r = planRange(
      { eventName: 'push', payload: { before: ZERO, after: B, repository: { default_branch: 'main' } } },
      { defaultBranch: 'trunk' },
    );
    expect(r.defaultBranch).toBe('trunk');
  });

  it('a pull_request event without a base is a clear error', () => {
    expect(() => planRange({ eventName: 'pull_request', payload: {} })).toThrow(UsageError);
  });
});
