import { describe, expect, test } from '@jest/globals';
import { evaluateCondition, evaluateExpression, interpolate } from '../src/expressions.js';
import { triggers, type WorkflowSpec } from '../src/workflow.js';

const ctx = {
  steps: { detect: { outputs: { changed: 'true', manifest: '/tmp/m.json' }, outcome: 'success' } },
  vars: { ITEMSTORE_S3_SYNC: 'off' },
  secrets: { ITEMSTORE_READ_TOKEN: '' },
  inputs: { 'dry-run': true, to: 'prod' },
  github: { event_name: 'push', ref: 'refs/heads/main', event: { deleted: false } },
};

describe('expressions as GitHub evaluates them', () => {
  test('paths, comparisons (strings case-insensitively), && and || return operands', () => {
    expect(evaluateExpression("steps.detect.outputs.changed == 'TRUE'", ctx)).toBe(true);
    expect(evaluateExpression("vars.MISSING || 'us-east-1'", { ...ctx, vars: {} })).toBe('us-east-1');
    expect(evaluateExpression("secrets.ITEMSTORE_READ_TOKEN != '' && 'url' || ''", ctx)).toBe('');
    expect(evaluateExpression("inputs['dry-run'] == true", ctx)).toBe(true);
    expect(evaluateExpression('inputs.nothing == true', ctx)).toBe(false);
    expect(evaluateExpression('!github.event.deleted', ctx)).toBe(true);
    expect(evaluateExpression("format('{0}-{1}', inputs.to, 1)", ctx)).toBe('prod-1');
  });

  test('interpolation keeps text around expressions; a lone expression keeps its type', () => {
    expect(interpolate('group-${{ github.ref }}', ctx)).toBe('group-refs/heads/main');
    expect(interpolate('${{ inputs.dry-run }}', ctx)).toBe(true);
  });

  test('if: without a status function means success() && …', () => {
    expect(evaluateCondition("steps.detect.outcome == 'success'", ctx, { jobFailed: true })).toBe(false);
    expect(evaluateCondition('always()', ctx, { jobFailed: true })).toBe(true);
    expect(evaluateCondition('${{ failure() }}', ctx, { jobFailed: true })).toBe(true);
    expect(evaluateCondition(undefined, ctx, { jobFailed: false })).toBe(true);
  });

  test('unknown contexts, functions and bad syntax fail loudly', () => {
    expect(() => evaluateExpression('nope.x', ctx)).toThrow('unknown context "nope"');
    expect(() => evaluateExpression('hashFiles("x")', ctx)).toThrow();
    expect(() => evaluateExpression("steps.detect.outputs.changed == 'x", ctx)).toThrow('unterminated');
  });
});

describe('triggers', () => {
  const wf = (on: WorkflowSpec['on']): WorkflowSpec => ({ file: 'x.yaml', name: 'x', on, jobs: {} });
  test('push branch filters with globs', () => {
    expect(
      triggers(wf({ push: { branches: ['main'] } }), { eventName: 'push', ref: 'refs/heads/main' }).runs,
    ).toBe(true);
    expect(
      triggers(wf({ push: { branches: ['main'] } }), { eventName: 'push', ref: 'refs/heads/feature/x' }),
    ).toEqual({
      runs: false,
      reason: 'branch feature/x is not in on.push.branches',
    });
    expect(
      triggers(wf({ push: { branches: ['**'] } }), { eventName: 'push', ref: 'refs/heads/feature/x' }).runs,
    ).toBe(true);
    expect(triggers(wf({ push: null }), { eventName: 'push', ref: 'refs/tags/v1' }).runs).toBe(false);
  });
  test('pull_request types and other events', () => {
    const pr = wf({ pull_request: null });
    expect(triggers(pr, { eventName: 'pull_request', ref: 'refs/pull/1/merge', action: 'opened' }).runs).toBe(
      true,
    );
    expect(triggers(pr, { eventName: 'pull_request', ref: 'refs/pull/1/merge', action: 'closed' }).runs).toBe(
      false,
    );
    expect(triggers(pr, { eventName: 'push', ref: 'refs/heads/main' }).runs).toBe(false);
  });
});
