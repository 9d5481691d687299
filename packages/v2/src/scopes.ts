/**
 * Token scopes (SPEC §5, least privilege): what a bearer token may do. The reference server checks them before any
 * write; the client reads the scope a 403 names to say which token to use instead.
 *
 *   read                        every GET (every other scope includes it)
 *   write:<env>:branch          PUT/DELETE (and generateId) of items carrying a `branch` tag, in <env>
 *   write:<env>:main            PUT/DELETE (and generateId) of main's items (no `branch` tag), in <env>
 *   write:<env>                 both of the above
 *   promote:<env>               promotions into <env>
 *
 * A token configured without scopes (as every token was before scopes existed) has full rights.
 */
import { NAMESPACE_PATTERN } from '@itemstore/core';

export type ItemKind = 'branch' | 'main';

/**
 * A scope one request needs. `write` with no environment: generateId (any environment, for this kind of item);
 * with no kind: a write to an item the store does not know (any write scope of the environment; the store says 404).
 */
export type NeededScope =
  | { action: 'read' }
  | { action: 'write'; environment?: string; kind?: ItemKind }
  | { action: 'promote'; environment: string };

const ENV = NAMESPACE_PATTERN.source.replace(/^\^|\$$/g, '');
const SCOPE = new RegExp(`^(?:read|write:(${ENV})(?::(branch|main))?|promote:(${ENV}))$`);

/** Whether `scope` is a scope this server understands. */
export function isScope(scope: string): boolean {
  return SCOPE.test(scope);
}

/** The scopes of a token, checked: an unknown one is an error naming it (a typo must not grant or deny silently). */
export function checkScopes(scopes: readonly string[], what = 'a token'): string[] {
  for (const s of scopes) {
    if (!isScope(s)) {
      throw new Error(
        `${what} has the unknown scope "${s}": use read, write:<env>, write:<env>:branch, write:<env>:main or promote:<env>.`,
      );
    }
  }
  return [...scopes];
}

/** The kind of an item, from its tags: a feature branch's (a `branch` tag) or main's. */
export function itemKind(tags: Record<string, string>): ItemKind {
  return Object.hasOwn(tags, 'branch') ? 'branch' : 'main';
}

/** Whether granted scopes (undefined: an unscoped token, full rights) allow what a request needs. */
export function allows(granted: readonly string[] | undefined, needed: NeededScope): boolean {
  if (granted === undefined) return true;
  if (needed.action === 'read') return granted.length > 0;
  if (needed.action === 'promote') return granted.includes(`promote:${needed.environment}`);
  return granted.some((g) => {
    const m = SCOPE.exec(g);
    if (!m || !g.startsWith('write:')) return false;
    const [, env, kind] = m;
    return (
      (needed.environment === undefined || env === needed.environment) && (!kind || kind === needed.kind)
    );
  });
}

/** The narrowest scope that grants `needed`, as a string (what a 403 names). */
export function scopeName(needed: NeededScope): string {
  if (needed.action === 'read') return 'read';
  if (needed.action === 'promote') return `promote:${needed.environment}`;
  return `write:${needed.environment ?? '<env>'}${needed.kind ? `:${needed.kind}` : ''}`;
}

/** What the scope lets a token do, in words (for the 403 message). */
export function scopeMeaning(needed: NeededScope): string {
  if (needed.action === 'read') return 'read items';
  if (needed.action === 'promote') return `promote into ${needed.environment}`;
  const items =
    needed.kind === 'branch' ? "a feature branch's items (tag branch)" : "main's items (no branch tag)";
  return `write ${items}${needed.environment ? ` in ${needed.environment}` : ''}`;
}

/**
 * Where a token with `scope` is kept in the setup CUTOVER.md describes ("Tokens and scopes"), for the sentence a
 * refusal prints: the fix, not only the cause.
 */
export function scopeFix(scope: string): string {
  const m = /^(read|write|promote)(?::([^:]+))?(?::(branch|main))?$/.exec(scope);
  const [, action, env, kind] = m ?? [];
  if (action === 'read') return 'use a token with the scope read (ITEMSTORE_READ_TOKEN)';
  if (action === 'promote')
    return `use the ${env} environment's ITEMSTORE_TOKEN (scope ${scope}): run the promotion from main, in the GitHub environment ${env}`;
  if (kind === 'branch')
    return `use a branch token (ITEMSTORE_BRANCH_TOKEN, scope ${scope}); feature branches deploy items tagged branch`;
  return `use the main token (the ${env && env !== '<env>' ? env : 'deploy'} environment's ITEMSTORE_TOKEN, scope ${scope}), which only runs on main get`;
}
