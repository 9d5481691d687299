import { Git, configRootOf, type ChangeManifest, type Logger, type RepoTree } from '@itemstore/core';
import { FsTree } from '@itemstore/config';
import { GitTree } from '@itemstore/changes';

/**
 * The head is the checked-out working tree (what the writers will read); the base is the base commit, read with
 * git. A working tree that is not at the manifest's head commit gets a warning: what is deployed is what is on disk.
 */
export async function openTrees(
  changes: ChangeManifest,
  logger: Logger,
): Promise<{ head: RepoTree; base: RepoTree | undefined; close: () => void }> {
  const head = new FsTree(configRootOf(changes));
  const git = new Git(changes.repoRoot, { safeDirectory: changes.repoRoot, logger });
  const at = await git.run(['rev-parse', '--verify', '-q', 'HEAD^{commit}'], { okCodes: [1, 128] });
  const checkedOut = at.stdout.toString().trim();
  if (
    checkedOut &&
    changes.headSha &&
    checkedOut !== changes.headSha &&
    !(await isMergeOf(git, changes.headSha))
  ) {
    logger.warning(
      `the working tree is at ${checkedOut.slice(0, 12)}, not at the manifest's head ${changes.headSha.slice(0, 12)}: configs are read from the working tree`,
    );
  }
  let base: GitTree | undefined;
  if (changes.mode === 'diff' && changes.baseSha) {
    // Old identities need no size limit: skip the sizes git would read from every blob.
    base = new GitTree(changes.repoRoot, changes.baseSha, changes.workingDirectory, {
      safeDirectory: changes.repoRoot,
      logger,
      sizes: false,
    });
  }
  return { head, base, close: () => base?.close() };
}

/** A pull request's checkout is GitHub's merge commit, whose parents are the base and the head: that is expected. */
async function isMergeOf(git: Git, head: string): Promise<boolean> {
  const r = await git.run(['rev-list', '--parents', '-n', '1', 'HEAD'], { okCodes: [128] });
  return r.stdout.toString().trim().split(' ').slice(1).includes(head);
}
