import { nodeChildProcess } from './builtins.js';
import { silentLogger, type Logger } from './logger.js';

/**
 * The one git wrapper: every git command of every package goes through here (change detection, the resolver's
 * trees, the deploy's ancestry check, the CLI's refs and dirty check, the demo's config repo): an argument array
 * (file names never reach a shell), per-command `-c` settings (never `git config --global`), raw bytes back so
 * NUL-separated output stays exact.
 */
export class GitError extends Error {
  override readonly name = 'GitError';
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(
      `git ${args.join(' ')} failed (exit ${exitCode}): ${stderr.trim().split('\n').slice(-3).join(' ')}`,
    );
  }
}

export interface GitOptions {
  logger?: Logger;
  /**
   * Adds `-c safe.directory=<path>` to every command. Actions set it to the work tree they were given, because in
   * containers the checkout belongs to another user and git refuses it ("dubious ownership").
   */
  safeDirectory?: string;
  /** The remote fetches go to; undefined = never fetch (a local checkout). */
  remote?: string;
}

export interface RunOptions {
  /** Exit codes that are answers, not failures (e.g. 1 from `merge-base` = no common ancestor). */
  okCodes?: readonly number[];
  input?: string | Buffer;
  /** Extra environment for this command (e.g. fixed author dates). */
  env?: Record<string, string>;
}

export interface RunResult {
  stdout: Buffer;
  stderr: string;
  exitCode: number;
}

export class Git {
  readonly logger: Logger;
  readonly remote: string | undefined;
  private readonly prefix: string[];

  constructor(
    readonly cwd: string,
    options: GitOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.remote = options.remote;
    this.prefix = ['-c', 'core.quotepath=false', '-c', 'color.ui=false'];
    if (options.safeDirectory) this.prefix.push('-c', `safe.directory=${options.safeDirectory}`);
  }

  /** Runs git; throws GitError unless the exit code is 0 or in `okCodes`. */
  run(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const full = [...this.prefix, ...args];
    return new Promise((resolve, reject) => {
      let child;
      try {
        child = nodeChildProcess().spawn('git', full, {
          cwd: this.cwd,
          env: {
            ...process.env,
            GIT_TERMINAL_PROMPT: '0',
            GIT_OPTIONAL_LOCKS: '0',
            LC_ALL: 'C',
            ...options.env,
          },
          stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        });
      } finally {
        // Logged once git runs, after the code that started it has run on (in order, as a microtask): an action's
        // first log line sets up its stdout stream, which need not delay this git process or the next one started
        // beside it (detect's rev-parse and diff-tree).
        queueMicrotask(() => this.logger.debug(`git ${args.join(' ')}`));
      }
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout?.on('data', (d: Buffer) => out.push(d));
      child.stderr?.on('data', (d: Buffer) => err.push(d));
      child.on('error', (e) =>
        reject(
          (e as NodeJS.ErrnoException).code === 'ENOENT'
            ? new Error('git was not found on PATH; install git (actions/checkout needs it too).')
            : e,
        ),
      );
      child.on('close', (code) => {
        const stderr = Buffer.concat(err).toString('utf8');
        const exitCode = code ?? -1;
        if (exitCode === 0 || options.okCodes?.includes(exitCode)) {
          resolve({ stdout: Buffer.concat(out), stderr, exitCode });
        } else {
          reject(new GitError(args, code, stderr));
        }
      });
      if (options.input !== undefined && child.stdin) child.stdin.end(options.input);
    });
  }

  /** Trimmed stdout as text. */
  async text(args: readonly string[]): Promise<string> {
    return (await this.run(args)).stdout.toString('utf8').trim();
  }

  /** Trimmed stdout, or undefined when git fails (not a repository, no such revision, git missing). */
  async textOrUndefined(args: readonly string[]): Promise<string | undefined> {
    try {
      return await this.text(args);
    } catch {
      return undefined;
    }
  }

  /** Stdout without its final newline (names may end in spaces, so no trimming). */
  async line(args: readonly string[]): Promise<string> {
    return (await this.run(args)).stdout.toString('utf8').replace(/\n$/, '');
  }

  /** The full SHA of a commit, or undefined when it is not in the local object store. */
  async commitSha(rev: string): Promise<string | undefined> {
    const r = await this.run(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], {
      okCodes: [1, 128],
    });
    return r.exitCode === 0 ? r.stdout.toString('utf8').trim() : undefined;
  }

  /** Where a symbolic ref points, below `prefix` ('' when detached, missing or not a git repo yet). */
  async symbolicRef(name: string, prefix: string): Promise<string> {
    const r = await this.run(['symbolic-ref', '--quiet', name], { okCodes: [1, 128] });
    const ref = r.stdout.toString('utf8').replace(/\n$/, '');
    return r.exitCode === 0 && ref.startsWith(prefix) ? ref.slice(prefix.length) : '';
  }

  /** Files with uncommitted changes under the working folder (tracked and untracked, ignored files left out). */
  async uncommittedFiles(): Promise<string[]> {
    const r = await this.run(['status', '--porcelain', '-z', '--', '.']);
    return r.stdout
      .toString('utf8')
      .split('\0')
      .filter(Boolean)
      .map((l) => l.slice(3));
  }

  async isShallow(): Promise<boolean> {
    return (await this.text(['rev-parse', '--is-shallow-repository'])) === 'true';
  }

  /** The top of the work tree, as git spells it. */
  async topLevel(): Promise<string> {
    return this.line(['rev-parse', '--show-toplevel']);
  }

  async hasRemote(name: string): Promise<boolean> {
    const r = await this.run(['remote'], { okCodes: [] });
    return r.stdout.toString('utf8').split('\n').includes(name);
  }

  /** `git fetch --no-tags <remote> <refspecs>`; false (with a debug line) when the remote refuses. */
  async fetch(refspecs: readonly string[], depthArgs: readonly string[] = []): Promise<boolean> {
    if (!this.remote) return false;
    for (const r of refspecs) if (r.startsWith('-')) throw new Error(`refusing to fetch "${r}"`);
    try {
      await this.run([
        'fetch',
        '--no-tags',
        '--no-recurse-submodules',
        '--quiet',
        ...depthArgs,
        this.remote,
        ...refspecs,
      ]);
      return true;
    } catch (e) {
      if (!(e instanceof GitError)) throw e;
      this.logger.debug(e.message);
      return false;
    }
  }
}

export const ZERO_SHA = /^0+$/;
export const FULL_SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
