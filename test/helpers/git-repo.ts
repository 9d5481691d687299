/**
 * Real git repositories in temp folders, for tests: init, write files (symlinks too), commit, branch, a bare
 * `file://` remote to clone and fetch from (shallow clones need file://, a plain path ignores --depth), and bulk
 * commits through `git fast-import` (10,000 files in well under a second).
 *
 *   const repo = await GitRepo.init();
 *   const first = await repo.commit('first', { 'team/orders.yaml': 'a: 1\n' });
 *   const remote = await repo.createBareRemote();
 *   const clone = await GitRepo.clone(remote.url, { depth: 1, branch: 'main' });
 *
 * Every git command runs with an argument array (no shell), fixed author and dates (so runs are reproducible)
 * and without the user's global or system config (GIT_CONFIG_GLOBAL=/dev/null).
 */
import { spawn } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Content of a file to write: text, bytes, a symlink, or null to delete it. */
export type FileSpec = string | Buffer | { symlink: string } | null;

let clock = 1_700_000_000;

/** The environment tests' git commands run with. */
export function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const when = `${clock++} +0000`;
  return {
    ...process.env,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Test Author',
    GIT_AUTHOR_EMAIL: 'author@example.com',
    GIT_COMMITTER_NAME: 'Test Committer',
    GIT_COMMITTER_EMAIL: 'committer@example.com',
    GIT_AUTHOR_DATE: when,
    GIT_COMMITTER_DATE: when,
    GIT_TERMINAL_PROMPT: '0',
    ...extra,
  };
}

/** Runs git in `cwd`; resolves with stdout, rejects with stderr in the message. */
export function git(cwd: string, args: readonly string[], input?: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd,
      env: gitEnv(),
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else
        reject(
          new Error(`git ${args.join(' ')} (in ${cwd}) exited ${code}: ${Buffer.concat(err).toString()}`),
        );
    });
    if (input !== undefined && child.stdin) {
      child.stdin.on('error', () => {}); // git exiting early reports its own error through its exit code
      child.stdin.end(input);
    }
  });
}

export function tempDir(prefix = 'itemstore-git-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface InitOptions {
  /** Where to create it (default: a new temp folder). */
  dir?: string;
  /** The initial branch (default `main`). */
  branch?: string;
  bare?: boolean;
}

export interface CloneOptions {
  dir?: string;
  /** `--depth N` (shallow, as actions/checkout's default of 1). Needs a file:// URL. */
  depth?: number;
  branch?: string;
  /** Default true when depth is set (as `git clone --depth` does). */
  singleBranch?: boolean;
}

export interface BareRemote {
  dir: string;
  /** `file://…`: shallow clones and fetches by SHA work as with GitHub. */
  url: string;
}

export interface ImportOptions {
  message?: string;
  /** The commit to build on (default: the branch's current tip, or none for a new branch). */
  parent?: string | null;
  /** Remove every file of the parent first (the commit then holds exactly `files`). */
  replaceAll?: boolean;
}

export class GitRepo {
  private constructor(
    readonly dir: string,
    readonly bare: boolean,
  ) {}

  static async init(options: InitOptions = {}): Promise<GitRepo> {
    const dir = options.dir ?? tempDir();
    mkdirSync(dir, { recursive: true });
    await git(dir, [
      'init',
      '-q',
      `--initial-branch=${options.branch ?? 'main'}`,
      ...(options.bare ? ['--bare'] : []),
    ]);
    const repo = new GitRepo(dir, !!options.bare);
    await repo.setConfig({ 'commit.gpgsign': 'false', 'core.autocrlf': 'false', 'core.symlinks': 'true' });
    return repo;
  }

  /** Clones a URL (use a BareRemote's file:// URL for shallow clones). */
  static async clone(url: string, options: CloneOptions = {}): Promise<GitRepo> {
    const dir = options.dir ?? tempDir('itemstore-clone-');
    const args = ['clone', '-q'];
    if (options.depth) args.push(`--depth=${options.depth}`);
    if (options.branch) args.push('--branch', options.branch);
    if (options.singleBranch === false) args.push('--no-single-branch');
    else if (options.singleBranch) args.push('--single-branch');
    await git(tmpdir(), [...args, '--', url, dir]);
    return new GitRepo(dir, false);
  }

  git(args: readonly string[], input?: string | Buffer): Promise<string> {
    return git(this.dir, args, input);
  }

  async setConfig(values: Record<string, string>): Promise<void> {
    for (const [k, v] of Object.entries(values)) await this.git(['config', '--local', k, v]);
  }

  /** The full SHA of a revision. */
  async rev(ref = 'HEAD'): Promise<string> {
    return (await this.git(['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`])).trim();
  }

  async currentBranch(): Promise<string> {
    return (await this.git(['symbolic-ref', '--short', 'HEAD'])).trim();
  }

  async isShallow(): Promise<boolean> {
    return (await this.git(['rev-parse', '--is-shallow-repository'])).trim() === 'true';
  }

  /** Writes (or, with null, deletes) files in the work tree. Paths use forward slashes. */
  write(files: Record<string, FileSpec>): void {
    for (const [path, spec] of Object.entries(files)) {
      const full = join(this.dir, path);
      if (spec === null) {
        rmSync(full, { force: true, recursive: true });
        continue;
      }
      mkdirSync(dirname(full), { recursive: true });
      if (exists(full)) rmSync(full, { force: true, recursive: true });
      if (typeof spec === 'object' && !Buffer.isBuffer(spec)) symlinkSync(spec.symlink, full);
      else writeFileSync(full, spec);
    }
  }

  /** Writes the files, stages everything (`add -A`) and commits; returns the new commit's SHA. */
  async commit(message: string, files: Record<string, FileSpec> = {}): Promise<string> {
    this.write(files);
    await this.git(['add', '-A']);
    await this.git(['commit', '-q', '--no-verify', '--allow-empty', '-m', message]);
    return this.rev();
  }

  /** `git mv` then commit (an exact rename). */
  async rename(from: string, to: string, message = `rename ${from}`): Promise<string> {
    mkdirSync(dirname(join(this.dir, to)), { recursive: true });
    await this.git(['mv', '--', from, to]);
    return this.commit(message);
  }

  /** Switches to a branch; `create` makes it (from `from`, default HEAD). */
  async checkout(branch: string, options: { create?: boolean; from?: string } = {}): Promise<void> {
    const args = options.create ? ['checkout', '-q', '-b', branch] : ['checkout', '-q', branch];
    if (options.create && options.from) args.push(options.from);
    await this.git(args);
  }

  /** Merges a branch with a merge commit (never fast-forward); returns the merge commit. */
  async merge(branch: string, message = `merge ${branch}`): Promise<string> {
    await this.git(['merge', '-q', '--no-ff', '--no-edit', '-m', message, branch]);
    return this.rev();
  }

  /**
   * Makes a bare clone of this repository as a file:// remote (named `origin` here unless given) that, like
   * GitHub, lets clients fetch any commit by SHA.
   */
  async createBareRemote(name = 'origin'): Promise<BareRemote> {
    const dir = tempDir('itemstore-remote-');
    await git(tmpdir(), ['clone', '-q', '--bare', '--', this.dir, dir]);
    await git(dir, ['config', '--local', 'uploadpack.allowAnySHA1InWant', 'true']);
    await git(dir, ['config', '--local', 'uploadpack.allowFilter', 'true']);
    const url = `file://${dir}`;
    const remotes = (await this.git(['remote'])).split('\n');
    if (remotes.includes(name)) await this.git(['remote', 'set-url', name, url]);
    else await this.git(['remote', 'add', name, url]);
    await this.git(['fetch', '-q', name]);
    return { dir, url };
  }

  /** `git push <remote> <refspecs>`; `force` for a force push. */
  async push(refspecs: readonly string[], options: { remote?: string; force?: boolean } = {}): Promise<void> {
    await this.git([
      'push',
      '-q',
      ...(options.force ? ['--force'] : []),
      options.remote ?? 'origin',
      ...refspecs,
    ]);
  }

  /**
   * One commit on `branch` through `git fast-import`, for big trees: `files` maps paths to contents (null deletes).
   * Does not touch the work tree; call `syncWorkTree()` when a test needs the files on disk.
   */
  async importCommit(
    branch: string,
    files: Record<string, string | Buffer | null>,
    options: ImportOptions = {},
  ): Promise<string> {
    return (await this.importCommits(branch, [{ files, ...options }])).at(-1) as string;
  }

  /**
   * Many commits on `branch` in one `git fast-import` run (a long history in milliseconds), each on top of the one
   * before; the first builds on `parent` (default: the branch's tip). Returns every new commit's SHA, in order.
   */
  async importCommits(
    branch: string,
    commits: readonly ({ files: Record<string, string | Buffer | null> } & ImportOptions)[],
  ): Promise<string[]> {
    const ref = `refs/heads/${branch}`;
    let parent = commits[0]?.parent;
    if (parent === undefined) {
      parent = await this.git(['rev-parse', '--verify', '--quiet', ref]).then(
        (s) => s.trim(),
        () => null,
      );
    }
    const chunks: Buffer[] = [];
    commits.forEach((c, i) => {
      const message = Buffer.from(c.message ?? `import ${Object.keys(c.files).length} files`);
      chunks.push(
        Buffer.from(
          `commit ${ref}\nmark :${i + 1}\ncommitter Test Committer <committer@example.com> ${clock++} +0000\n`,
        ),
        Buffer.from(`data ${message.length}\n`),
        message,
        Buffer.from('\n'),
      );
      if (i === 0 && parent) chunks.push(Buffer.from(`from ${parent}\n`));
      if (i > 0) chunks.push(Buffer.from(`from :${i}\n`));
      if (c.replaceAll) chunks.push(Buffer.from('deleteall\n'));
      for (const [path, content] of Object.entries(c.files)) {
        if (content === null) {
          chunks.push(Buffer.from(`D ${quotePath(path)}\n`));
          continue;
        }
        const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
        chunks.push(
          Buffer.from(`M 100644 inline ${quotePath(path)}\ndata ${data.length}\n`),
          data,
          Buffer.from('\n'),
        );
      }
    });
    chunks.push(Buffer.from('done\n'));
    const marks = join(tempDir('itemstore-marks-'), 'marks');
    try {
      await this.git(
        ['fast-import', '--quiet', '--done', '--force', `--export-marks=${marks}`],
        Buffer.concat(chunks),
      );
      const byMark = new Map(
        readFileSync(marks, 'utf8')
          .trim()
          .split('\n')
          .map((l) => l.split(' ') as [string, string]),
      );
      return commits.map((_, i) => byMark.get(`:${i + 1}`) as string);
    } finally {
      rmSync(dirname(marks), { recursive: true, force: true });
    }
  }

  /** Makes the work tree and index match HEAD (after importCommit on the current branch). */
  async syncWorkTree(): Promise<void> {
    await this.git(['read-tree', '-u', '--reset', 'HEAD']);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** fast-import's path syntax: C-style quotes when the path needs them. */
function quotePath(path: string): string {
  if (!/["\\\n\0]/.test(path) && !path.startsWith('"') && !/^ | $/.test(path)) return path;
  return `"${path.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}
