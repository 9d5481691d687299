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
  /** Read folder by folder through cat-file (no sizes wanted, and the commit is a plain object id). */
  private readonly byTree: boolean;
  private readonly dirs = new Map<string, Promise<Map<string, GitTreeEntry> | undefined>>();
  private treeOf: Promise<string | undefined> | undefined;
  private hashBytes = 20;
  /** Bodies asked for by name ahead of their reads (prefetch), by object id; each is handed out once. */
  private readonly early = new Map<string, Buffer>();
  /** The names asked for ahead (once each). */
  private readonly asked = new Set<string>();
  /** Settles when every name asked for ahead has its answer (undefined once they all have). */
  private earlyPending: Promise<void> | undefined;
  /** What listTops listed with ls-tree: the root's files and everything below `tops`. */
  private listed: { tops: Set<string>; index: Map<string, GitTreeEntry> } | undefined;

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
    this.byTree = options.sizes === false && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha);
  }

  list(): Promise<TreeFile[]> {
    this.files ??= this.load().then((index) => this.toFiles(index));
    return this.files;
  }

  /**
   * The root's own entries and the folders `tops`. Without sizes this reads just those tree objects through the
   * cat-file process (a one-config push's base resolves one team folder, not a 10,000-file `ls-tree`), or, for more
   * than FEW_TOPS folders, runs one `ls-tree -r` of just those; with sizes (which only `ls-tree -l` gives) it is the
   * whole listing, filtered.
   */
  async listTops(tops: readonly string[]): Promise<TreeFile[]> {
    if (!this.byTree || this.index) return onlyTops(await this.list(), tops);
    const root = await this.dir('');
    if (!root) return onlyTops(await this.list(), tops);
    const index = new Map<string, GitTreeEntry>();
    for (const [name, e] of root) if (e.type !== 'tree') index.set(name, e);
    const trees = tops.filter((t) => root.get(t)?.type === 'tree');
    if (trees.length > FEW_TOPS) {
      // Many folders (a push that touches many namespaces): one `ls-tree -r` of just those folders, parsed once,
      // costs the main thread less than a round trip and a parse per tree object (measured: 10,000 files in 360
      // folders of 20 teams).
      const prefix = this.prefix;
      for (const e of await lsTree(this.git, this.sha, { paths: trees.map((t) => `${prefix}${t}`) }))
        if (e.type !== 'tree') index.set(e.path.slice(prefix.length), e);
      this.listed = { tops: new Set(trees), index };
      return this.toFiles(index);
    }
    const walk = async (dir: string): Promise<void> => {
      const entries = await this.dir(dir);
      if (!entries) throw new Error(`git cat-file: the tree ${dir} of ${this.sha} could not be read`);
      await Promise.all(
        [...entries].map(([name, e]) => {
          const path = `${dir}/${name}`;
          if (e.type === 'tree') return walk(path);
          index.set(path, e);
          return undefined;
        }),
      );
    };
    await Promise.all(trees.map((t) => walk(t)));
    return this.toFiles(index);
  }

  /**
   * A hint: listTops will be asked for (at least) the top folders of `paths`. When they are more than FEW_TOPS (a
   * push across many namespaces, which lists most of the tree anyway), the whole listing (one `ls-tree -r`) starts
   * now, so git lists while the caller reads the working tree instead of after it; listTops then filters it.
   */
  listAhead(paths: readonly string[]): void {
    if (!this.byTree || this.index) return;
    const tops = new Set<string>();
    for (const p of paths) {
      const slash = p.indexOf('/');
      if (slash > 0) tops.add(p.slice(0, slash));
    }
    if (tops.size > FEW_TOPS) this.load().catch(() => undefined); // list() and read() await it again
  }

  /** A regular file's bytes; undefined for a path that is missing, a symlink or a submodule. */
  async read(path: string): Promise<Buffer | undefined> {
    const e = await this.entry(path);
    if (!e || e.type !== 'blob' || e.mode === MODE_SYMLINK) return undefined;
    return this.blob(e.sha);
  }

  /**
   * Asks the cat-file process (started now), in one go, for the files and folders `paths` by name (and, the first
   * time, for the commit and the config root's tree), so that git answers while the caller is busy: the reads that
   * follow (commit → root tree → folder → file, one round trip each) find the bytes already here. Only when reading
   * folder by folder; a name git does not find is simply read the usual way. Each body is handed out once.
   */
  prefetch(paths: readonly string[]): void {
    if (!this.byTree) return;
    const names = paths.map((p) => `${this.sha}:${this.prefix}${p}`).filter((n) => !this.asked.has(n));
    for (const n of names) this.asked.add(n);
    if (!this.dirs.has('')) {
      this.dir('').catch(() => undefined); // read() awaits it again and gets the same failure
      names.unshift(this.prefix ? `${this.sha}:${this.prefix.slice(0, -1)}` : `${this.sha}^{tree}`);
    }
    const batch = this.catFile();
    const pending: Promise<void> = Promise.all([
      this.earlyPending,
      ...names.map((name) =>
        batch.lookup(name).then(
          (o) => void (o && this.early.set(o.id, o.body)),
          () => undefined,
        ),
      ),
    ]).then(() => {
      if (this.earlyPending === pending) this.earlyPending = undefined;
    });
    this.earlyPending = pending;
  }

  /**
   * A commit of this repository by any name git resolves (`HEAD`): its id and its parents' ids, read through the
   * same cat-file process as the files (no process of its own); undefined when there is no such commit.
   */
  async commit(name: string): Promise<{ id: string; parents: string[] } | undefined> {
    const o = await this.catFile().lookup(`${name}^{commit}`);
    if (!o || o.type !== 'commit') return undefined;
    const end = o.body.indexOf('\n\n');
    const head = o.body.toString('latin1', 0, end < 0 ? o.body.length : end);
    const parents = [...head.matchAll(/^parent ([0-9a-f]+)$/gm)].map((m) => m[1] as string);
    return { id: o.id, parents };
  }

  /** Ends the cat-file process (it never keeps Node alive while idle, so this is tidiness, not a must). */
  close(): void {
    this.batch?.close();
    this.batch = undefined;
  }

  private async toFiles(index: ReadonlyMap<string, GitTreeEntry>): Promise<TreeFile[]> {
    // Keyed by the path below the config repo root (the index's keys), not git's full path.
    const links: [string, GitTreeEntry][] = [];
    for (const [path, e] of index) if (e.mode === MODE_SYMLINK) links.push([path, e]);
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
  }

  /** The entry at `path` (below the config root): from its folder's tree object, or from the whole listing. */
  private async entry(path: string): Promise<GitTreeEntry | undefined> {
    const listed = this.listed;
    if (listed && !this.index) {
      // The root's own entries and the folders ls-tree listed: from that listing.
      const slash = path.indexOf('/');
      if (slash < 0 || listed.tops.has(path.slice(0, slash))) return listed.index.get(path);
    }
    if (this.byTree && !this.index) {
      const slash = path.lastIndexOf('/');
      const dir = await this.dir(slash < 0 ? '' : path.slice(0, slash));
      if (dir) {
        const e = dir.get(path.slice(slash + 1));
        return e?.type === 'tree' ? undefined : e;
      }
    }
    return (await this.load()).get(path);
  }

  /**
   * The entries of one folder below the config root, read as a tree object; an empty map when the folder is not in
   * the commit; undefined when the commit cannot be read this way (then the whole listing is used).
   */
  private dir(path: string): Promise<Map<string, GitTreeEntry> | undefined> {
    let p = this.dirs.get(path);
    if (!p) {
      p = (async () => {
        if (path === '') {
          const root = await this.rootTree();
          return root === undefined ? undefined : this.treeEntries(root, this.prefix.replace(/\/$/, ''));
        }
        const slash = path.lastIndexOf('/');
        const parentPath = slash < 0 ? '' : path.slice(0, slash);
        const parent = await this.dir(parentPath);
        if (!parent) return parent;
        const e = parent.get(path.slice(slash + 1));
        if (e?.type !== 'tree') return new Map<string, GitTreeEntry>();
        return this.treeEntries(e.sha, `${this.prefix}${path}`);
      })();
      this.dirs.set(path, p);
    }
    return p;
  }

  /** The config root's tree object id (walking down the subdir from the commit's tree), or undefined. */
  private rootTree(): Promise<string | undefined> {
    this.treeOf ??= (async () => {
      const commit = await this.blob(this.sha);
      const m = commit && /^tree ([0-9a-f]{40}(?:[0-9a-f]{24})?)\n/.exec(commit.toString('latin1', 0, 80));
      if (!m) return undefined;
      this.hashBytes = (m[1] as string).length / 2;
      let tree: string | undefined = m[1] as string;
      let at = '';
      for (const seg of this.prefix.split('/').filter(Boolean)) {
        const entries = await this.treeEntries(tree, at);
        const e = entries?.get(seg);
        // A subdir missing at this commit: no files (as the filtered listing would have none).
        if (!entries || e?.type !== 'tree') return EMPTY_TREE;
        tree = e.sha;
        at = `${at}${seg}/`;
      }
      return tree;
    })();
    return this.treeOf;
  }

  private async treeEntries(
    treeSha: string,
    fullDir: string,
  ): Promise<Map<string, GitTreeEntry> | undefined> {
    if (treeSha === EMPTY_TREE) return new Map();
    const body = await this.blob(treeSha);
    return body && parseTreeObject(body, this.hashBytes, fullDir ? `${fullDir.replace(/\/$/, '')}/` : '');
  }

  private load(): Promise<Map<string, GitTreeEntry>> {
    this.index ??= lsTree(this.git, this.sha, {
      sizes: this.options.sizes ?? true,
      // Only the config root's folder (a config repo in a subfolder of a larger repository).
      ...(this.prefix ? { paths: [this.prefix.slice(0, -1)] } : {}),
    }).then((entries) => {
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
    const early = this.takeEarly(objectId);
    if (early) return Promise.resolve(early);
    // A name asked for ahead may be this very object, its answer on the way: wait for it (it comes first anyway).
    if (this.earlyPending) {
      return this.earlyPending.then(() => this.takeEarly(objectId) ?? this.catFile().read(objectId));
    }
    return this.catFile().read(objectId);
  }

  private takeEarly(objectId: string): Buffer | undefined {
    const body = this.early.get(objectId);
    if (body) this.early.delete(objectId);
    return body;
  }

  private catFile(): CatFileBatch {
    this.batch ??= new CatFileBatch(
      this.repoDir,
      this.options.safeDirectory ? ['-c', `safe.directory=${this.options.safeDirectory}`] : [],
    );
    return this.batch;
  }
}

/** Code-unit order, the same on every machine (no locale). */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Up to this many top-level folders, listTops reads tree objects through cat-file (no process to start). */
const FEW_TOPS = 3;

/** Stands for "no such folder at this commit" (never a real object id: not hex). */
const EMPTY_TREE = 'empty';

/** Only the entries at the root and below the given top-level folders. */
function onlyTops(files: readonly TreeFile[], tops: readonly string[]): TreeFile[] {
  const set = new Set(tops);
  // A path starting with the previous one's "top/" is in the same top folder: decided once per run of such paths
  // (a sorted listing: once per top folder), not sliced per file.
  let prefix = '';
  let keep = true;
  return files.filter((f) => {
    const path = f.path;
    if (prefix !== '' && path.startsWith(prefix)) return keep;
    const slash = path.indexOf('/');
    if (slash < 0) {
      prefix = '';
      return true;
    }
    prefix = path.slice(0, slash + 1);
    keep = set.has(path.slice(0, slash));
    return keep;
  });
}

/**
 * A git tree object: `<mode> <name>\0<raw object id>` records. Modes as `ls-tree` prints them for files (a folder's
 * `40000` becomes type tree); `dir` (with a trailing slash, or '') is put before each name for the full path.
 */
export function parseTreeObject(body: Buffer, hashBytes: number, dir: string): Map<string, GitTreeEntry> {
  const out = new Map<string, GitTreeEntry>();
  let i = 0;
  while (i < body.length) {
    const sp = body.indexOf(0x20, i);
    const nul = body.indexOf(0, sp + 1);
    if (sp < 0 || nul < 0 || nul + 1 + hashBytes > body.length)
      throw new Error('git: a malformed tree object');
    const mode = body.toString('latin1', i, sp);
    const name = body.toString('utf8', sp + 1, nul);
    const sha = body.toString('hex', nul + 1, nul + 1 + hashBytes);
    i = nul + 1 + hashBytes;
    const type = mode === '40000' ? 'tree' : mode === MODE_SUBMODULE ? 'commit' : 'blob';
    out.set(name, { mode: mode.padStart(6, '0'), type, sha, size: undefined, path: `${dir}${name}` });
  }
  return out;
}
