import { statSync } from 'node:fs';
import { Git, UsageError } from '@itemstore/core';

/**
 * The branch of the checkout (--branch, else the checked-out one; '' when detached) and the default branch to find a
 * merge base with (--default-branch, else origin's HEAD, else main).
 */
export async function branchesOf(
  git: Git,
  values: { branch?: string | undefined; 'default-branch'?: string | undefined },
): Promise<{ branch: string; defaultBranch: string }> {
  const branch = values.branch ?? (await git.symbolicRef('HEAD', 'refs/heads/'));
  const defaultBranch =
    values['default-branch'] ??
    ((await git.symbolicRef('refs/remotes/origin/HEAD', 'refs/remotes/origin/')) || 'main');
  return { branch, defaultBranch };
}

/**
 * The --repo folder, checked before git runs there: a missing folder and a folder outside any git work tree each get
 * their own sentence (git's own message, or "git was not found on PATH", said neither).
 */
export async function checkedRepo(directory: string, flag = '--repo'): Promise<Git> {
  let isDir: boolean;
  try {
    isDir = statSync(directory).isDirectory();
  } catch {
    throw new UsageError(`${flag} ${directory}: there is no such folder; pass the config repo's checkout.`);
  }
  if (!isDir)
    throw new UsageError(`${flag} ${directory} is a file, not a folder; pass the config repo's checkout.`);
  const git = new Git(directory);
  const r = await git.run(['rev-parse', '--is-inside-work-tree'], { okCodes: [128] });
  if (r.exitCode !== 0 || r.stdout.toString('utf8').trim() !== 'true') {
    throw new UsageError(
      `${directory} is not a git repository: run itemstore in the config repo's checkout, or pass ${flag} with its folder (git clone it first).`,
    );
  }
  return git;
}
