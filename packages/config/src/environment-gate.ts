/**
 * The environment gate (SPEC §3): the one place that knows which writer may write which environment and whether S3
 * is written at all. Every writer (deploy, sync-s3, promote, validate --fix, migrate, cleanup-branch) asks it BEFORE
 * its first request; a refusal is a UsageError whose message is one sentence naming the rule, so the CLI exits 2
 * and an action fails its step with that sentence, and nothing has been written.
 *
 * Pure: it looks only at item-store.yaml's settings and the values it is given (no I/O, no process.env unless passed).
 */
import { UsageError } from '@itemstore/core';
import type { Settings } from './settings.js';

/** Every program that writes to Item Store V2 or S3. */
export type Writer = 'deploy' | 'sync-s3' | 'promote' | 'validate-fix' | 'migrate' | 'cleanup-branch';

/** The environment pushes deploy to: the first one of item-store.yaml. */
export function deployEnvironmentOf(settings: Settings): string {
  const first = settings.environments[0];
  if (first === undefined) throw new UsageError('item-store.yaml lists no environments.');
  return first;
}

/** An environment named in item-store.yaml, else a refusal (an unknown name never creates an environment). */
export function knownEnvironment(settings: Settings, environment: string, what = 'environment'): string {
  if (!settings.environments.includes(environment)) {
    throw new UsageError(
      `The ${what} "${environment}" is not one of the environments in item-store.yaml (${settings.environments.join(', ')}); an unknown environment is never written.`,
    );
  }
  return environment;
}

/**
 * The environment a deploy (or a sync-s3 or a branch cleanup, which follow pushes) writes: the requested one when it
 * is the deploy environment, the deploy environment when none is requested; any other known environment is refused
 * because it changes only by promotion.
 */
export function gateDeployEnvironment(
  settings: Settings,
  requested: string | undefined,
  writer: Writer = 'deploy',
): string {
  const first = deployEnvironmentOf(settings);
  if (!requested) return first;
  knownEnvironment(settings, requested);
  if (requested !== first) {
    const later = settings.environments.slice(1);
    throw new UsageError(
      `${writer} writes only ${first}, the first environment of item-store.yaml; ${later.join(' and ')} change only by promotion: run promote (from ${settings.environments[settings.environments.indexOf(requested) - 1]} to ${requested}).`,
    );
  }
  return first;
}

/** Promotion goes one step at a time in item-store.yaml's order, between known environments. */
export function gatePromotionStep(settings: Settings, from: string, to: string): void {
  knownEnvironment(settings, from, '"from" environment');
  knownEnvironment(settings, to, '"to" environment');
  const envs = settings.environments;
  const i = envs.indexOf(from);
  const next = envs[i + 1];
  if (envs.indexOf(to) !== i + 1) {
    const order = envs.join(' → ');
    throw new UsageError(
      next === undefined
        ? `${from} is the last environment (${order}); there is nothing to promote it to.`
        : `Promotion goes one step at a time in item-store.yaml's order (${order}): from ${from} the next environment is ${next}, not ${to}.`,
    );
  }
}

/** The environment a promotion into `to` reads from (the one before it); refused for the deploy environment. */
export function previousEnvironment(settings: Settings, to: string): string {
  knownEnvironment(settings, to);
  const i = settings.environments.indexOf(to);
  if (i === 0) {
    throw new UsageError(
      `${to} is the first environment of item-store.yaml: it is written by deploys of main, not by promotion.`,
    );
  }
  return settings.environments[i - 1] as string;
}

/**
 * Whether a version may be promoted: only main's items (no `branch` tag) whose version is live (or, for a deletion,
 * a tombstone) in the previous environment. Returns the reason it may not, or undefined.
 */
export function promotionRefusal(
  entry: { tags: Record<string, string>; version?: number } | undefined,
  from: string,
): string | undefined {
  if (!entry || entry.version === undefined) return `no version in ${from} (deploy main first)`;
  if (Object.hasOwn(entry.tags, 'branch')) {
    return `a feature branch's item (branch=${entry.tags.branch}) is never promoted; only main's versions are`;
  }
  return undefined;
}

/**
 * The branch a cleanup may tombstone: a feature branch's name (a `refs/heads/` prefix is dropped). Refused when empty
 * or the main branch: a cleanup removes only items carrying `branch: <name>`, and main's items carry no branch tag.
 */
export function gateBranchCleanup(settings: Settings, branch: string | undefined): string {
  const name = (branch ?? '').trim().replace(/^refs\/heads\//, '');
  if (!name) {
    throw new UsageError(
      'cleanup-branch needs the name of a deleted feature branch; an empty name would match no branch item and is refused.',
    );
  }
  if (name === settings.mainBranch) {
    throw new UsageError(
      `cleanup-branch never touches ${settings.mainBranch}, the main branch of item-store.yaml: it removes only the items of a deleted feature branch (tag branch=<name>).`,
    );
  }
  return name;
}

/** The cutover switch (SPEC §3). */
export interface S3Switch {
  on: boolean;
  /** Why, for summaries: `ITEMSTORE_S3_SYNC=off`, `s3-sync: off`, `default (ITEMSTORE_S3_SYNC not set)`. */
  why: string;
}

function parseSwitch(v: string, what: string): boolean {
  const x = v.trim().toLowerCase();
  if (['on', 'true', 'yes', '1'].includes(x)) return true;
  if (['off', 'false', 'no', '0'].includes(x)) return false;
  throw new UsageError(`${what} must be on or off, got "${v}".`);
}

/**
 * The S3 switch: the repository variable ITEMSTORE_S3_SYNC (passed to every step as an environment variable), and an
 * optional `s3-sync` input / `--s3-sync` flag. Either one off turns S3 off; an input cannot turn S3 back on while
 * the repository switch is off (one switch, so nothing writes S3 after the cutover by accident). Unset means on.
 */
export function s3SyncSwitch(input: string | undefined, env: NodeJS.ProcessEnv = process.env): S3Switch {
  const v = env.ITEMSTORE_S3_SYNC;
  const repoOn = v && v.trim() ? parseSwitch(v, 'ITEMSTORE_S3_SYNC') : undefined;
  const inputOn = input && input.trim() ? parseSwitch(input, 'The s3-sync input') : undefined;
  if (repoOn === false) return { on: false, why: 'ITEMSTORE_S3_SYNC=off' };
  if (inputOn !== undefined) return { on: inputOn, why: `s3-sync: ${inputOn ? 'on' : 'off'}` };
  if (repoOn === true) return { on: true, why: 'ITEMSTORE_S3_SYNC=on' };
  return { on: true, why: 'default (ITEMSTORE_S3_SYNC not set)' };
}

/** The sentence a summary shows for what a writer did not write to S3 because the switch is off. */
export function s3SkippedNote(sw: S3Switch, skipped: number | string): string {
  return `S3 sync is off (${sw.why}): ${typeof skipped === 'number' ? `${skipped} S3 write(s)` : skipped} skipped, nothing written to S3.`;
}
