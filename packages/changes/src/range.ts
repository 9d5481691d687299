/**
 * Which two commits to compare, decided from the event alone (pure data, so every event shape is a unit test).
 * Running git to make the plan real (fetching, deepening, fallbacks) is in history.ts and detect.ts.
 */
import { UsageError } from '@itemstore/core';
import { ZERO_SHA } from '@itemstore/core';

/** What the runner tells an action about its trigger (GITHUB_EVENT_NAME, the event file, GITHUB_REF, ...). */
export interface EventContext {
  /** GITHUB_EVENT_NAME; `local` for the CLI on a checkout. */
  eventName: string;
  // The webhook payload: shapes differ per event, read defensively.
  payload: Record<string, unknown>;
  /** GITHUB_REF, e.g. `refs/heads/Feature/ABC`. */
  ref?: string;
  /** GITHUB_SHA. */
  sha?: string;
  /** GITHUB_HEAD_REF (pull requests only). */
  headRef?: string;
}

export interface RangeInputs {
  /** Explicit base commit (SHA or ref): a two-dot diff base..head whatever the event. */
  base?: string;
  head?: string;
  defaultBranch?: string;
}

export type RangePlan =
  /** Tree at `base` against tree at `head`. `fallback`: what to do when `base` cannot be found or fetched. */
  | { kind: 'two-dot'; base: string; head: string; fallback?: 'default-branch' }
  /** Tree at merge-base(base, head) against tree at `head` (pull requests). */
  | { kind: 'merge-base'; base: string; head: string }
  /** No base in the event (first push of a branch): merge base of `head` and the default branch. */
  | { kind: 'default-branch'; head: string; why: string }
  /** No base wanted: every config at `head`. */
  | { kind: 'all'; head: string; why: string }
  /** Nothing to compare (a branch deletion). */
  | { kind: 'none'; head: string | null; why: string };

export interface Range {
  plan: RangePlan;
  /** The branch exactly as spelled (case kept); '' when the ref is not a branch (a tag, a detached run). */
  branch: string;
  /** From the input or the event's repository.default_branch; undefined = ask git later. */
  defaultBranch: string | undefined;
}

const HEADS = 'refs/heads/';

export function planRange(ctx: EventContext, inputs: RangeInputs = {}): Range {
  const p = ctx.payload;
  const event = ctx.eventName;
  const defaultBranch = inputs.defaultBranch || str(obj(p.repository)?.default_branch) || undefined;
  const branch = branchOf(ctx);
  const eventHead = headOf(ctx);
  const head = inputs.head || eventHead || ctx.sha || 'HEAD';
  const range = (plan: RangePlan): Range => ({ plan, branch, defaultBranch });

  if (inputs.base) return range({ kind: 'two-dot', base: inputs.base, head });

  switch (event) {
    case 'push': {
      if (p.deleted === true || ZERO_SHA.test(str(p.after) ?? '')) {
        return range({
          kind: 'none',
          head: null,
          why: 'The push deleted the branch; there is nothing to deploy.',
        });
      }
      const before = str(p.before);
      if (!before || ZERO_SHA.test(before)) {
        return range({
          kind: 'default-branch',
          head,
          why: 'This is the first push of the branch (the event has no "before" commit).',
        });
      }
      return range({ kind: 'two-dot', base: before, head, fallback: 'default-branch' });
    }
    case 'pull_request':
    case 'pull_request_target': {
      const pr = obj(p.pull_request);
      const baseSha = str(obj(pr?.base)?.sha);
      if (!pr || !baseSha) throw new UsageError(`The ${event} event has no pull_request.base.sha.`);
      return range({ kind: 'merge-base', base: baseSha, head });
    }
    case 'merge_group': {
      const mg = obj(p.merge_group);
      const baseSha = str(mg?.base_sha);
      if (!mg || !baseSha) throw new UsageError('The merge_group event has no merge_group.base_sha.');
      return range({ kind: 'two-dot', base: baseSha, head });
    }
    case 'local':
      // `itemstore detect` without --base: what this branch changed since it left the default branch.
      return range({ kind: 'default-branch', head, why: 'No base was given.' });
    default: {
      const why =
        event === 'workflow_dispatch' || event === 'schedule'
          ? `A ${event} run without a "base" input lists every config, so a full deploy is possible.`
          : `The ${event} event names no base commit and no "base" input was given, so every config is listed.`;
      return range({ kind: 'all', head, why });
    }
  }
}

/** The branch a run is about, case kept: refs/heads/Feature/ABC → Feature/ABC. */
export function branchOf(ctx: EventContext): string {
  const p = ctx.payload;
  switch (ctx.eventName) {
    case 'pull_request':
    case 'pull_request_target':
      return ctx.headRef || str(obj(obj(p.pull_request)?.head)?.ref) || '';
    case 'merge_group':
      return stripHeads(str(obj(p.merge_group)?.head_ref) ?? '');
    case 'push':
      return stripHeads(str(p.ref) ?? ctx.ref ?? '');
    default:
      return stripHeads(ctx.ref ?? '');
  }
}

function headOf(ctx: EventContext): string | undefined {
  const p = ctx.payload;
  switch (ctx.eventName) {
    case 'push':
      return str(p.after);
    case 'pull_request':
    case 'pull_request_target':
      return str(obj(obj(p.pull_request)?.head)?.sha);
    case 'merge_group':
      return str(obj(p.merge_group)?.head_sha);
    default:
      return undefined;
  }
}

function stripHeads(ref: string): string {
  return ref.startsWith(HEADS) ? ref.slice(HEADS.length) : '';
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
