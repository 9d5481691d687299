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
  options: { sizes?: boolean; paths?: readonly string[] } = {},
): Promise<GitTreeEntry[]> {
  const sizes = options.sizes ? ['-l'] : [];
  // Paths (from the top of the work tree) taken literally, not as patterns.
  const paths = options.paths ? ['--', ...options.paths] : [];
  const { stdout } = await git.run([
    ...(options.paths ? ['--literal-pathspecs'] : []),
    'ls-tree',
    '-r',
    '-z',
    ...sizes,
    '--full-tree',
    '--end-of-options',
    commit,
    ...paths,
  ]);
  return parseLsTree(stdout.toString('utf8'));
}

/** `<mode> <type> <sha>[ <size>]\t<path>\0` records (with indexOf, not split: 10,000 records in a few ms). */
export function parseLsTree(text: string): GitTreeEntry[] {
  const entries: GitTreeEntry[] = [];
  for (let i = 0; i < text.length;) {
    let nul = text.indexOf('\0', i);
    if (nul < 0) nul = text.length;
    if (nul === i) {
      i++; // an empty record
      continue;
    }
    const tab = text.indexOf('\t', i);
    if (tab < 0 || tab > nul) throw new Error(`git ls-tree: unexpected output "${text.slice(i, nul)}"`);
    const sp1 = text.indexOf(' ', i);
    const sp2 = text.indexOf(' ', sp1 + 1);
    let sp3 = text.indexOf(' ', sp2 + 1);
    if (sp3 < 0 || sp3 > tab) sp3 = tab;
    // The size is padded to the left with spaces (`-l`); '-' for a gitlink.
    const size = sp3 < tab ? text.slice(sp3 + 1, tab).trim() : undefined;
    entries.push({
      mode: text.slice(i, sp1),
      type: text.slice(sp1 + 1, sp2) as GitTreeEntry['type'],
      sha: text.slice(sp2 + 1, sp3),
      size: size === undefined || size === '-' ? undefined : Number(size),
      path: text.slice(tab + 1, nul),
    });
    i = nul + 1;
  }
  return entries;
}
