import { Git, GitError, silentLogger, type Logger } from '@itemstore/core';
import type { IsAncestor } from './plan.js';

const SHA = /^[0-9a-f]{7,64}$/i;
const FULL_SHA = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/;
/** How many commits of the deployed commit's history gitIsAncestor lists up front. */
const HEAD_HISTORY = 2000;

/** git's exit code and stderr (128 when git could not run at all). */
async function gitCode(git: Git, args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const r = await git.run(args, { okCodes: [1] });
    return { code: r.exitCode, stderr: r.stderr };
  } catch (e) {
    if (e instanceof GitError) return { code: e.exitCode ?? 128, stderr: e.stderr };
    return { code: 128, stderr: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * `isAncestor(a, b)` backed by `git merge-base --is-ancestor a b` in the config repo's clone. When `b` (the commit
 * recorded in the store) is not in the clone — a shallow checkout, or a commit pushed after ours — it is fetched
 * from `origin` once; if it still cannot be found (a force-push dropped it, or another repository wrote it) it is
 * treated as NOT containing ours, so this deploy writes: only a commit known to contain ours can make us stale.
 * Answers are cached per pair, so a thousand items from one commit cost one git call.
 *
 * With `head` (the commit being deployed), the latest HEAD_HISTORY commits of its history are listed at once, in
 * the background (`git rev-list`, while the configs are read and converted): the usual questions — is the commit
 * that wrote an item in our history, is our commit in its — are then answered from that list, without a git call
 * between the store's listing and the first write. Only what the list proves is taken from it (a commit in the
 * list is an ancestor of `head`; `head` is then not an ancestor of it); anything else asks git as before.
 */
export function gitIsAncestor(
  repoDir: string,
  options: { logger?: Logger; fetch?: boolean; head?: string } = {},
): IsAncestor {
  const logger = options.logger ?? silentLogger;
  const repo = new Git(repoDir);
  const cache = new Map<string, Promise<boolean>>();
  const fetched = new Map<string, Promise<void>>();
  const head = options.head !== undefined && FULL_SHA.test(options.head) ? options.head : undefined;
  const history: Promise<Set<string>> | undefined =
    head === undefined
      ? undefined
      : repo
          .run(['rev-list', `--max-count=${HEAD_HISTORY}`, head, '--'])
          .then((r) => new Set(r.stdout.toString('utf8').split('\n').filter(Boolean)))
          .catch(() => new Set<string>());
  const check = async (a: string, b: string): Promise<boolean> => {
    if (a === b) return true;
    if (!SHA.test(a) || !SHA.test(b)) return false;
    if (history) {
      const known = await history;
      if (b === head && known.has(a)) return true;
      if (a === head && known.has(b)) return false;
    }
    let r = await gitCode(repo, ['merge-base', '--is-ancestor', a, b]);
    if (r.code === 0) return true;
    if (r.code === 1) return false;
    if (options.fetch !== false) {
      let f = fetched.get(b);
      if (!f) {
        f = gitCode(repo, ['fetch', '--no-tags', '--quiet', 'origin', b]).then((x) => {
          if (x.code !== 0) logger.debug(`git fetch origin ${b} failed: ${x.stderr.trim()}`);
        });
        fetched.set(b, f);
      }
      await f;
      r = await gitCode(repo, ['merge-base', '--is-ancestor', a, b]);
      if (r.code === 0) return true;
      if (r.code === 1) return false;
    }
    logger.warning(
      `Commit ${b.slice(0, 12)} (recorded in the store) is not in this clone, so it is not treated as newer than ${a.slice(0, 12)}: ${r.stderr.trim()}`,
    );
    return false;
  };
  return (a, b) => {
    const key = `${a}..${b}`;
    let p = cache.get(key);
    if (!p) {
      p = check(a, b);
      cache.set(key, p);
    }
    return p;
  };
}
