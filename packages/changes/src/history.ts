/**
 * Making commits available: a checkout made by actions/checkout has one commit (depth 1). A two-dot diff needs
 * just the two commits (fetched at depth 1); a merge base needs history, fetched in bounded steps until the two
 * commits meet. A full clone is used as it is.
 */
import { FULL_SHA, type Git } from '@itemstore/core';

/** How many commits each deepening step adds (about 5,000 in all before giving up on deepening). */
export const DEEPEN_STEPS: readonly number[] = [10, 40, 200, 1000, 4000];

export class History {
  private shallow: boolean | undefined;

  constructor(
    readonly git: Git,
    /** false: use only what is here (refs/remotes/<remote>/* included), never fetch. */
    readonly allowFetch = true,
    readonly deepenSteps: readonly number[] = DEEPEN_STEPS,
  ) {}

  /** Commits already found here (full SHA → the commit), from known(). */
  private readonly present = new Map<string, string>();

  /** SHAs another git process already found to be commits here (detect asks along with the repository's top). */
  known(commits: ReadonlyMap<string, string>): void {
    for (const [sha, commit] of commits) this.present.set(sha, commit);
  }

  async isShallow(): Promise<boolean> {
    this.shallow ??= await this.git.isShallow();
    return this.shallow;
  }

  /**
   * The full SHA of `rev` (a SHA, a branch or any revision), fetching it from the remote when it is not here.
   * Undefined when it cannot be found (e.g. a commit a force push left unreachable).
   */
  async resolve(rev: string): Promise<string | undefined> {
    const remote = this.git.remote;
    // A branch name means the remote's branch when there is one (actions/checkout makes no local branches but
    // the checked-out one); a local checkout without a remote uses its own.
    if (remote && isBranchName(rev)) {
      const tracking = await this.git.commitSha(`refs/remotes/${remote}/${rev}`);
      if (tracking) return tracking;
    }
    const local = this.present.get(rev) ?? (await this.git.commitSha(rev));
    if (local) return local;
    if (!remote || !this.allowFetch) return undefined;
    const depth = (await this.isShallow()) ? ['--depth=1'] : [];
    if (!FULL_SHA.test(rev) && !isBranchName(rev)) return undefined;
    const refspec = FULL_SHA.test(rev) ? rev : `+refs/heads/${rev}:refs/remotes/${remote}/${rev}`;
    this.git.logger.debug(`fetching ${rev} from ${remote}`);
    if (!(await this.git.fetch([refspec], depth))) return undefined;
    this.shallow = undefined;
    return this.git.commitSha(FULL_SHA.test(rev) ? rev : `refs/remotes/${remote}/${rev}`);
  }

  /**
   * The merge base of two commits that are present, deepening a shallow clone step by step until they meet. On a
   * full clone (or once history is complete) no common ancestor means unrelated histories: undefined.
   */
  async mergeBase(a: string, b: string): Promise<string | undefined> {
    for (let step = 0; ; step++) {
      const r = await this.git.run(['merge-base', '--end-of-options', a, b], { okCodes: [1] });
      if (r.exitCode === 0) return r.stdout.toString('utf8').trim();
      if (!(await this.isShallow()) || !this.git.remote || !this.allowFetch) return undefined;
      const n = this.deepenSteps[step];
      const args = n === undefined ? ['--unshallow'] : [`--deepen=${n}`];
      this.git.logger.info(
        n === undefined
          ? 'No merge base yet; fetching the rest of the history.'
          : `No merge base in the shallow history yet; fetching ${n} more commits.`,
      );
      const fetched = await this.git.fetch([a, b], args);
      this.shallow = undefined;
      if (!fetched || n === undefined) {
        const last = await this.git.run(['merge-base', '--end-of-options', a, b], { okCodes: [1] });
        return last.exitCode === 0 ? last.stdout.toString('utf8').trim() : undefined;
      }
    }
  }

  /** The remote's default branch as git knows it (refs/remotes/<remote>/HEAD), when it does. */
  async remoteDefaultBranch(): Promise<string | undefined> {
    const remote = this.git.remote ?? 'origin';
    const r = await this.git.run(['symbolic-ref', '--quiet', `refs/remotes/${remote}/HEAD`], {
      okCodes: [1, 128],
    });
    const ref = r.stdout.toString('utf8').trim();
    const prefix = `refs/remotes/${remote}/`;
    return r.exitCode === 0 && ref.startsWith(prefix) ? ref.slice(prefix.length) : undefined;
  }
}

/** A plain branch name (`main`, `Feature/ABC`), not a SHA, `HEAD`, a full ref or a revision expression. */
function isBranchName(rev: string): boolean {
  return (
    !FULL_SHA.test(rev) &&
    !rev.startsWith('refs/') &&
    !/^[A-Z_]*HEAD$/.test(rev) &&
    /^[^~^:@\\\s*?[]+$/.test(rev)
  );
}
