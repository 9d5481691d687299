import { CatFileBatch, Git, type GitOptions, type RepoTree, type TreeFile } from '@itemstore/core';
import { lsTree, MODE_SUBMODULE, MODE_SYMLINK, type GitTreeEntry } from './ls-tree.js';

/**
 * The config repo as it was at one commit: `git ls-tree` for the listing, one `git cat-file --batch` process for
 * the bytes. resolve-tags reads a deleted config's identity through this, exactly as it reads a new one from the
 * working tree.
 */
export interface GitTreeOptions extends GitOptions {
  /**
   * List file sizes (default true). `git ls-tree -l` must open every blob's header, which costs about 0.3 s per
   * 10,000 unpacked files; a caller that needs no size limit (old identities of a base commit) turns it off.
   */
  sizes?: boolean;
}

export class GitTree implements RepoTree {
  readonly label: string;
  private readonly git: Git;
  private readonly prefix: string;
  private index: Promise<Map<string, GitTreeEntry>> | undefined;
  private files: Promise<TreeFile[]> | undefined;
  private batch: CatFileBatch | undefined;

  /**
   * @param repoDir any folder inside the git work tree (or the git dir)
   * @param sha the commit (any revision git resolves)
   * @param subdir the config repo's root below the top of the work tree ('' or undefined: the top)
   */
  constructor(
    readonly repoDir: string,
    readonly sha: string,
    subdir?: string,
    private readonly options: GitTreeOptions = {},
  ) {
    this.git = new Git(repoDir, options);
    const clean = (subdir ?? '').replace(/\\/g, '/').replace(/^\.?\/+|\/+$/g, '');
    this.prefix = clean === '' || clean === '.' ? '' : `${clean}/`;
    this.label = `commit ${sha.slice(0, 7)}`;
  }

  list(): Promise<TreeFile[]> {
    this.files ??= this.load().then(async (index) => {
      // Keyed by the path below the config repo root (the index's keys), not git's full path.
      const links = [...index].filter(([, e]) => e.mode === MODE_SYMLINK);
      const targets = await Promise.all(links.map(([, e]) => this.blob(e.sha)));
      const linkTarget = new Map(links.map(([path], i) => [path, targets[i]?.toString('utf8')]));
      const files: TreeFile[] = [];
      for (const [path, e] of index) {
        if (e.mode === MODE_SUBMODULE) files.push({ path, kind: 'submodule' });
        else if (e.mode === MODE_SYMLINK) {
          files.push({ path, kind: 'symlink', linkTarget: linkTarget.get(path) ?? '', size: e.size });
        } else files.push({ path, kind: 'file', size: e.size });
      }
      return files.sort((a, b) => compare(a.path, b.path));
    });
    return this.files;
  }

  /** A regular file's bytes; undefined for a path that is missing, a symlink or a submodule. */
  async read(path: string): Promise<Buffer | undefined> {
    const e = (await this.load()).get(path);
    if (!e || e.type !== 'blob' || e.mode === MODE_SYMLINK) return undefined;
    return this.blob(e.sha);
  }

  /** Ends the cat-file process (it never keeps Node alive while idle, so this is tidiness, not a must). */
  close(): void {
    this.batch?.close();
    this.batch = undefined;
  }

  private load(): Promise<Map<string, GitTreeEntry>> {
    this.index ??= lsTree(this.git, this.sha, { sizes: this.options.sizes ?? true }).then((entries) => {
      const map = new Map<string, GitTreeEntry>();
      for (const e of entries) {
        if (e.type === 'tree') continue;
        if (this.prefix && !e.path.startsWith(this.prefix)) continue;
        map.set(e.path.slice(this.prefix.length), e);
      }
      return map;
    });
    return this.index;
  }

  private blob(objectId: string): Promise<Buffer | undefined> {
    this.batch ??= new CatFileBatch(
      this.repoDir,
      this.options.safeDirectory ? ['-c', `safe.directory=${this.options.safeDirectory}`] : [],
    );
    return this.batch.read(objectId);
  }
}

/** Code-unit order, the same on every machine (no locale). */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
