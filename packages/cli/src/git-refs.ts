import { statSync } from 'node:fs';
import { Git } from '@itemstore/changes';
import { UsageError } from '@itemstore/core';

/** Where a symbolic ref points, below `prefix` ('' when detached, missing or not a git repo yet). */
export async function symbolicRef(git: Git, name: string, prefix: string): Promise<string> {
  const r = await git.run(['symbolic-ref', '--quiet', name], { okCodes: [1, 128] });
  const ref = r.stdout.toString('utf8').replace(/\n$/, '');
  return r.exitCode === 0 && ref.startsWith(prefix) ? ref.slice(prefix.length) : '';
}

/**
 * The branch of the checkout (--branch, else the checked-out one; '' when detached) and the default branch to find a
 * merge base with (--default-branch, else origin's HEAD, else main).
 */
export async function branchesOf(
  git: Git,
  values: { branch?: string | undefined; 'default-branch'?: string | undefined },
): Promise<{ branch: string; defaultBranch: string }> {
  const branch = values.branch ?? (await symbolicRef(git, 'HEAD', 'refs/heads/'));
  const defaultBranch =
    values['default-branch'] ??
    ((await symbolicRef(git, 'refs/remotes/origin/HEAD', 'refs/remotes/origin/')) || 'main');
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

/** Files with uncommitted changes under `directory` (tracked and untracked, ignored files left out). */
export async function uncommittedFiles(git: Git): Promise<string[]> {
  const r = await git.run(['-c', 'core.quotepath=false', 'status', '--porcelain', '-z', '--', '.']);
  return r.stdout
    .toString('utf8')
    .split('\0')
    .filter(Boolean)
    .map((l) => l.slice(3));
}
