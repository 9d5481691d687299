import type { Git } from '@itemstore/core';

/** One entry of `git ls-tree -r`: a blob (file or symlink) or a gitlink (submodule). */
export interface GitTreeEntry {
  mode: string;
  type: 'blob' | 'commit' | 'tree';
  sha: string;
  /** Bytes, for blobs. */
  size: number | undefined;
  /** Relative to the top of the work tree, exact (NUL-separated output). */
  path: string;
}

export const MODE_SYMLINK = '120000';
export const MODE_SUBMODULE = '160000';

/**
 * Every blob and gitlink in a commit, paths relative to the repository root whatever the cwd. `sizes` (`-l`) makes
 * git open every blob's header: about 0.3 s more for 10,000 loose objects, so change detection goes without.
 */
export async function lsTree(
  git: Git,
  commit: string,
  options: { sizes?: boolean } = {},
): Promise<GitTreeEntry[]> {
  const sizes = options.sizes ? ['-l'] : [];
  const { stdout } = await git.run([
    'ls-tree',
    '-r',
    '-z',
    ...sizes,
    '--full-tree',
    '--end-of-options',
    commit,
  ]);
  return parseLsTree(stdout.toString('utf8'));
}

/** `<mode> <type> <sha>[ <size>]\t<path>\0` records. */
export function parseLsTree(text: string): GitTreeEntry[] {
  const entries: GitTreeEntry[] = [];
  for (const record of text.split('\0')) {
    if (!record) continue;
    const tab = record.indexOf('\t');
    const [mode, type, sha, size] = record.slice(0, tab).split(/ +/) as [
      string,
      string,
      string,
      string | undefined,
    ];
    entries.push({
      mode,
      type: type as GitTreeEntry['type'],
      sha,
      size: size === undefined || size === '-' ? undefined : Number(size),
      path: record.slice(tab + 1),
    });
  }
  return entries;
}
