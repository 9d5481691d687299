/**
 * A workflow file as the runner needs it: its triggers, jobs and steps, read with `yaml` from the template itself,
 * and the decision GitHub makes first: does this event start this workflow at all?
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import picomatch from 'picomatch';
import { parse } from 'yaml';

export interface StepSpec {
  id?: string;
  name?: string;
  if?: string | boolean;
  uses?: string;
  run?: string;
  shell?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  'working-directory'?: string;
  'continue-on-error'?: boolean | string;
  'timeout-minutes'?: number;
}

export interface JobSpec {
  name?: string;
  needs?: string | string[];
  if?: string | boolean;
  environment?: unknown;
  permissions?: unknown;
  concurrency?: unknown;
  env?: Record<string, unknown>;
  outputs?: Record<string, string>;
  defaults?: { run?: { shell?: string; 'working-directory'?: string } };
  steps?: StepSpec[];
  'timeout-minutes'?: number;
  'runs-on'?: unknown;
  strategy?: unknown;
}

export interface WorkflowInputSpec {
  description?: string;
  type?: 'string' | 'boolean' | 'choice' | 'number' | 'environment';
  required?: boolean;
  default?: unknown;
  options?: string[];
}

export interface WorkflowSpec {
  file: string;
  name: string;
  on: Record<string, Record<string, unknown> | null>;
  env?: Record<string, unknown>;
  permissions?: unknown;
  concurrency?: unknown;
  jobs: Record<string, JobSpec>;
}

export function loadWorkflow(file: string): WorkflowSpec {
  const doc = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  if (!doc || typeof doc !== 'object' || !doc.jobs) throw new Error(`${file} is not a workflow (no jobs:)`);
  // `on:` may be a string, a list of events, or a map.
  const rawOn = doc.on ?? doc.true; // YAML 1.1 readers turn `on` into true; yaml 2 does not, but be safe.
  const on: WorkflowSpec['on'] = {};
  if (typeof rawOn === 'string') on[rawOn] = null;
  else if (Array.isArray(rawOn)) for (const e of rawOn) on[String(e)] = null;
  else if (rawOn && typeof rawOn === 'object') Object.assign(on, rawOn);
  return {
    file,
    name: typeof doc.name === 'string' ? doc.name : basename(file),
    on,
    env: doc.env as Record<string, unknown> | undefined,
    permissions: doc.permissions,
    concurrency: doc.concurrency,
    jobs: doc.jobs as Record<string, JobSpec>,
  };
}

/** Inputs of `on.workflow_dispatch`. */
export function dispatchInputs(wf: WorkflowSpec): Record<string, WorkflowInputSpec> {
  return ((wf.on.workflow_dispatch ?? {}) as { inputs?: Record<string, WorkflowInputSpec> }).inputs ?? {};
}

const asList = (v: unknown): string[] | undefined =>
  v === undefined || v === null ? undefined : Array.isArray(v) ? v.map(String) : [String(v)];

/** GitHub's filter patterns: `*` stays within a segment, `**` crosses them, `!` negates, the last match decides. */
function matchesFilter(value: string, include?: string[], exclude?: string[]): boolean {
  if (include) {
    let ok = false;
    for (const p of include) {
      if (p.startsWith('!')) {
        if (picomatch.isMatch(value, p.slice(1), { dot: true })) ok = false;
      } else if (picomatch.isMatch(value, p, { dot: true })) ok = true;
    }
    return ok;
  }
  if (exclude) return !exclude.some((p) => picomatch.isMatch(value, p, { dot: true }));
  return true;
}

export interface TriggerEvent {
  eventName: string;
  /** For push: refs/heads/<branch>; for pull_request: refs/pull/N/merge. */
  ref: string;
  /** pull_request: the base branch. */
  baseRef?: string;
  action?: string;
  /** workflow_run: the name of the workflow whose run completed. */
  workflowName?: string;
}

/** Whether GitHub would start this workflow for the event, and why not when it would not. */
export function triggers(wf: WorkflowSpec, ev: TriggerEvent): { runs: boolean; reason: string } {
  if (!(ev.eventName in wf.on)) {
    return { runs: false, reason: `${basename(wf.file)} has no "on: ${ev.eventName}" trigger` };
  }
  const filter = (wf.on[ev.eventName] ?? {}) as Record<string, unknown>;
  if (ev.eventName === 'push') {
    if (ev.ref.startsWith('refs/tags/')) {
      const tag = ev.ref.slice('refs/tags/'.length);
      const ok =
        (filter.tags || filter['tags-ignore']) &&
        matchesFilter(tag, asList(filter.tags), asList(filter['tags-ignore']));
      return { runs: !!ok, reason: ok ? '' : `tag ${tag} is not in on.push.tags` };
    }
    const branch = ev.ref.replace(/^refs\/heads\//, '');
    if ((filter.tags || filter['tags-ignore']) && !filter.branches && !filter['branches-ignore']) {
      return { runs: false, reason: 'on.push lists tags only' };
    }
    const ok = matchesFilter(branch, asList(filter.branches), asList(filter['branches-ignore']));
    return { runs: ok, reason: ok ? '' : `branch ${branch} is not in on.push.branches` };
  }
  if (ev.eventName === 'pull_request' || ev.eventName === 'pull_request_target') {
    const types = asList(filter.types) ?? ['opened', 'synchronize', 'reopened'];
    if (ev.action && !types.includes(ev.action)) {
      return { runs: false, reason: `pull_request ${ev.action} is not in on.${ev.eventName}.types` };
    }
    const base = ev.baseRef ?? '';
    const ok = matchesFilter(base, asList(filter.branches), asList(filter['branches-ignore']));
    return { runs: ok, reason: ok ? '' : `base branch ${base} is not in on.${ev.eventName}.branches` };
  }
  if (ev.eventName === 'workflow_run') {
    const names = asList(filter.workflows) ?? [];
    if (!names.includes(ev.workflowName ?? '')) {
      return { runs: false, reason: `on.workflow_run.workflows does not name "${ev.workflowName}"` };
    }
    const types = asList(filter.types) ?? ['completed', 'requested'];
    if (ev.action && !types.includes(ev.action)) {
      return { runs: false, reason: `workflow_run ${ev.action} is not in on.workflow_run.types` };
    }
    return { runs: true, reason: '' };
  }
  return { runs: true, reason: '' };
}
