/**
 * A read-only view of a config repo at one point: the working tree (FsTree, in @itemstore/config) or a git commit
 * (GitTree, in @itemstore/changes). Tag resolution reads through this, so a deleted config's old identity is
 * resolved from the base commit exactly as a new one is from the working tree.
 */
export interface TreeFile {
  /** Relative to the config repo root, forward slashes. */
  path: string;
  kind: 'file' | 'symlink' | 'submodule';
  /** For symlinks: the link target as stored. */
  linkTarget?: string;
  size?: number;
}

export interface RepoTree {
  /** A label for messages: `working tree` or `commit abc1234`. */
  readonly label: string;
  /** Every file below the root (no directories), sorted by path. */
  list(): Promise<TreeFile[]>;
  /**
   * The part of `list()` at the root itself and below the given top-level folders (single path segments), sorted:
   * exactly the entries `list()` has there, without walking the rest of the tree. Optional: a tree without it is
   * listed whole.
   */
  listTops?(tops: readonly string[]): Promise<TreeFile[]>;
  /** The bytes of a regular file, or undefined when it does not exist. Symlinks are not followed. */
  read(path: string): Promise<Buffer | undefined>;
  /**
   * Starts reading these paths (files or folders, any of which may be missing) ahead of the reads that will want
   * them, so their bytes are on the way while the caller does something else. Optional, and only a hint: what
   * `read`, `list` and `listTops` give does not change.
   */
  prefetch?(paths: readonly string[]): void;
  /**
   * Sizes of regular files that `list()` returned without one (a tree may leave sizes out of its listing because
   * finding them costs a stat per file); a missing file is left out of the map.
   */
  sizes?(paths: string[]): Promise<Map<string, number>>;
  /**
   * Files found by `sizes()` to have more than one hard link, with their link count (a working tree only: git has
   * no hard links). Another path, perhaps outside the repo, shares their content.
   */
  readonly hardLinks?: ReadonlyMap<string, number>;
}
