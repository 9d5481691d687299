import type { Git } from '@itemstore/core';

/** One record of `git diff-tree -r -z --raw`: what git saw, before any filtering. */
export interface RawChange {
  /** A added, M modified, D deleted, R renamed, C copied, T type changed (file ⇄ symlink ⇄ submodule). */
  status: 'A' | 'M' | 'D' | 'R' | 'C' | 'T' | 'U' | 'X';
  /** Similarity for R and C (0–100). */
  score?: number;
  srcMode: string;
  dstMode: string;
  /** The path at base (for A: the same as dstPath). */
  srcPath: string;
  /** The path at head (for D: the same as srcPath). */
  dstPath: string;
}

/**
 * The tree at `base` against the tree at `head` (two-dot: what differs between the two snapshots, however many
 * commits lie between them). Renames and copies are detected (`-M -C`); paths are exact (NUL-separated).
 */
export async function diffTrees(git: Git, base: string, head: string): Promise<RawChange[]> {
  const { stdout } = await git.run([
    'diff-tree',
    '-r',
    '-z',
    '--raw',
    '--no-abbrev',
    '-M',
    '-C',
    '--no-ext-diff',
    '--end-of-options',
    base,
    head,
  ]);
  return parseRawDiff(stdout.toString('utf8'));
}

/** `:srcMode dstMode srcSha dstSha STATUS\0path\0[path2\0]` records. */
export function parseRawDiff(text: string): RawChange[] {
  const parts = text.split('\0');
  const changes: RawChange[] = [];
  for (let i = 0; i < parts.length; i++) {
    const meta = parts[i] as string;
    if (!meta.startsWith(':')) continue;
    const [srcMode, dstMode, , , statusScore] = meta.slice(1).split(' ') as [
      string,
      string,
      string,
      string,
      string,
    ];
    const status = statusScore[0] as RawChange['status'];
    const score = statusScore.length > 1 ? Number(statusScore.slice(1)) : undefined;
    const first = parts[++i] as string;
    const second = status === 'R' || status === 'C' ? (parts[++i] as string) : first;
    changes.push({
      status,
      ...(score === undefined ? {} : { score }),
      srcMode,
      dstMode,
      srcPath: first,
      dstPath: second,
    });
  }
  return changes;
}
