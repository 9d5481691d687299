/**
 * Change detection end to end: plan the range from the event, make the commits available, diff the two trees
 * and build the manifest. Falls back to listing every config (mode `all`, with a note) when no base can be found,
 * so a first push or a lost force-pushed commit still deploys rather than silently doing nothing.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  CHANGE_MANIFEST_VERSION,
  UsageError,
  silentLogger,
  type ChangeEntry,
  type ChangeManifest,
  type Logger,
} from '@itemstore/core';
import { diffTrees, type RawChange } from './diff.js';
import { allConfigs, buildEntries, type HeadFile } from './entries.js';
import { PathFilter } from './filter.js';
import { FULL_SHA, Git, GitError } from '@itemstore/core';
import { History } from './history.js';
import { lsTree } from './ls-tree.js';
import { planRange, type EventContext, type RangeInputs, type RangePlan } from './range.js';

export interface DetectOptions extends RangeInputs {
  /** The config repo root (the `working-directory`): the top of a git work tree or a folder inside one. */
  directory: string;
  event: EventContext;
  paths?: readonly string[];
  exclude?: readonly string[];
  /** Overrides the branch taken from the event (the CLI's --branch). */
  branch?: string;
  /** The remote whose branches and commits are used; null = none. Default `origin` when it exists. */
  remote?: string | null;
  /** Fetch missing commits from the remote (default true; the CLI fetches only when asked). */
  fetch?: boolean;
  /**
   * Push events: the head commit of the last successful run of this workflow on this branch (lastSuccessfulRunSha).
   * When it is an ancestor of head it is the base instead of the event's `before`, so pushes whose runs failed or
   * were cancelled while queued are covered too. `null`: no run ever succeeded on the branch, so a branch other
   * than the default one is compared with its merge base with the default branch, like a first push (and the
   * default branch lists every config). Ignored with an explicit `base`.
   */
  lastSuccess?: string | null;
  /** Pass `-c safe.directory=<top>` to git (actions: the checkout may belong to another user). */
  trustDirectory?: boolean;
  logger?: Logger;
}

export async function detectChanges(options: DetectOptions): Promise<ChangeManifest> {
  const logger = options.logger ?? silentLogger;
  // 1. Every input checked before git runs.
  checkRevisionInputs(options);
  const filter = new PathFilter({ paths: options.paths, exclude: options.exclude });
  const range = planRange(options.event, options);

  // 2. The repository: its top, the config folder within it, the remote.
  const plan0 = range.plan;
  const shas = plan0.kind === 'two-dot' || plan0.kind === 'merge-base' ? [plan0.head, plan0.base] : [];
  // A two-dot diff of two commits that are both here asks nothing of the remote (no branch name to look up, nothing
  // to fetch): the usual push spares the `git remote` process. An explicitly named remote is always checked.
  const remoteUnused = plan0.kind === 'two-dot' && options.lastSuccess === undefined;
  // That usual push (two full SHAs, diffed as they are) also starts its diff-tree beside the rev-parse instead of
  // after it; the diff is used only when the rev-parse finds both to be commits here (else it is dropped).
  const speculate =
    remoteUnused && FULL_SHA.test(plan0.base) && FULL_SHA.test(plan0.head)
      ? { base: plan0.base, head: plan0.head }
      : undefined;
  const repo = await openRepository(options, logger, shas, remoteUnused, speculate);
  const history = new History(repo.git, options.fetch ?? true);
  history.known(repo.commits);
  const branch = options.branch ?? range.branch;
  const shape: ManifestShape = {
    event: options.event.eventName,
    branch,
    workingDirectory: repo.workingDirectory,
    repoRoot: repo.top,
  };
  const plan = range.plan;
  if (plan.kind === 'none') return manifestOf(shape, 'diff', null, '', [], plan.why);

  // 3. The head commit (found with the repository's top when it is a SHA here).
  const headSha = await history.resolve(plan.head);
  if (!headSha) {
    throw new UsageError(
      `The head commit ${plan.head} is not in the checkout and could not be fetched${repo.remote ? ` from ${repo.remote}` : ''}.`,
    );
  }
  const detection = new Detection({ ...repo, history, headSha, filter, logger, shape, range, branch });

  // 4. A push whose workflow last succeeded on another commit than the event's before: compare with that commit.
  if (
    options.lastSuccess !== undefined &&
    !options.base &&
    options.event.eventName === 'push' &&
    plan.kind === 'two-dot'
  ) {
    if (options.lastSuccess === null) {
      return detection.againstDefaultBranch(
        `No earlier push run of this workflow on ${branch} succeeded.`,
        false,
      );
    }
    const since = await detection.sinceLastSuccess(options.lastSuccess, plan.base);
    if (since) return since;
  }
  // 5. Otherwise the range the event asks for.
  return detection.run(plan);
}

/** base, head and default-branch: a SHA or a branch name, never an option or whitespace. */
function checkRevisionInputs(options: DetectOptions): void {
  for (const [name, v] of [
    ['base', options.base],
    ['head', options.head],
    ['default-branch', options.defaultBranch],
  ] as const) {
    if (v !== undefined && v !== '' && (v.startsWith('-') || /[\s\0]/.test(v))) {
      throw new UsageError(`Input "${name}" must be a commit SHA or a branch name, got "${v}".`);
    }
  }
}

interface Repository {
  /** git at the top of the work tree, with the remote (when there is one). */
  git: Git;
  top: string;
  /** The config folder relative to the top ('' at the top). */
  workingDirectory: string;
  remote: string | undefined;
  /** Of the SHAs asked about, the commits present here (SHA → commit). */
  commits: Map<string, string>;
  /** The diff of two commits started along with the rev-parse, kept only when both are commits here. */
  early?: EarlyDiff;
}

interface EarlyDiff {
  base: string;
  head: string;
  /** undefined when that git process failed (the diff is then run again, the usual way, for its error). */
  changes: Promise<RawChange[] | undefined>;
}

/**
 * Also looks up `shas` (full SHAs the plan names) in the same git process, when they are all commits here. With
 * `remoteUnusedIfHere`, the remote is not looked for when every one of `shas` is a commit here. With `speculate`
 * (two full SHAs), their diff-tree runs at the same time as that rev-parse, in the same folder (git's raw diff names
 * paths from the top of the work tree wherever it runs); it is kept when both turn out to be commits here.
 */
async function openRepository(
  options: DetectOptions,
  logger: Logger,
  shas: readonly string[],
  remoteUnusedIfHere = false,
  speculate?: { base: string; head: string },
): Promise<Repository> {
  const directory = resolve(options.directory);
  if (!existsSync(directory)) {
    throw new UsageError(`The working directory ${directory} does not exist; check "working-directory".`);
  }
  const safeDirectory = options.trustDirectory ? findWorkTreeTop(directory) : undefined;
  const git = new Git(directory, { logger, safeDirectory });
  let top: string;
  let workingDirectory: string;
  const commits = new Map<string, string>();
  let earlyChanges: Promise<RawChange[] | undefined> | undefined;
  try {
    // git's own answers (one process), so a symlinked temp folder or a case-insensitive file system cannot skew them.
    const revs = [...new Set(shas.filter((r) => FULL_SHA.test(r)))];
    const revParse = git.run(
      ['rev-parse', '--show-toplevel', '--show-prefix', ...revs.map((r) => `${r}^{commit}`)],
      {
        okCodes: [128],
      },
    );
    // Never rejects: a failure (say, a commit that is not here) only means the diff is not used.
    earlyChanges = speculate
      ? diffTrees(git, speculate.base, speculate.head).then(
          (c) => c,
          () => undefined,
        )
      : undefined;
    const r = await revParse;
    const lines = r.stdout.toString('utf8').replace(/\n$/, '').split('\n');
    if (r.exitCode === 0 && lines.length === 2 + revs.length) {
      [top, workingDirectory] = lines as [string, string];
      revs.forEach((rev, i) => {
        const sha = lines[2 + i] as string;
        if (FULL_SHA.test(sha)) commits.set(rev, sha);
      });
    } else {
      // A commit that is not here (it may be fetched later), not a work tree, or a top folder whose name holds a
      // line break: ask for each on its own.
      top = await git.topLevel();
      workingDirectory = await git.line(['rev-parse', '--show-prefix']);
    }
    workingDirectory = workingDirectory.replace(/\/$/, '');
  } catch (e) {
    if (e instanceof GitError) {
      throw new UsageError(
        `${directory} is not inside a git work tree (${e.stderr.trim().split('\n')[0]}); run actions/checkout first.`,
      );
    }
    throw e;
  }
  let remote: string | undefined;
  const allHere = shas.length > 0 && shas.every((sha) => commits.has(sha));
  // Both SHAs name commits (not tags peeled to one) that are here: the diff the plan will ask for.
  const early =
    speculate &&
    earlyChanges &&
    commits.get(speculate.base) === speculate.base &&
    commits.get(speculate.head) === speculate.head
      ? { ...speculate, changes: earlyChanges }
      : undefined;
  if (options.remote !== null && !(remoteUnusedIfHere && allHere && options.remote === undefined)) {
    const name = options.remote ?? 'origin';
    if (await git.hasRemote(name)) remote = name;
    else if (options.remote) throw new UsageError(`The git remote "${name}" does not exist in ${top}.`);
  }
  return {
    git: new Git(top, { logger, safeDirectory, remote }),
    top,
    workingDirectory,
    remote,
    commits,
    ...(early ? { early } : {}),
  };
}

type ManifestShape = Pick<ChangeManifest, 'event' | 'branch' | 'workingDirectory' | 'repoRoot'>;

function manifestOf(
  shape: ManifestShape,
  mode: 'diff' | 'all',
  baseSha: string | null,
  headSha: string,
  entries: ChangeEntry[],
  note?: string,
): ChangeManifest {
  return {
    version: CHANGE_MANIFEST_VERSION,
    mode,
    ...(note ? { note } : {}),
    ...shape,
    baseSha,
    headSha,
    entries,
  };
}

/** The ways to a manifest once the head is known: every config, a diff, the merge base with the default branch. */
class Detection {
  private readonly headFiles: () => Promise<HeadFile[]>;

  constructor(
    private readonly c: Repository & {
      history: History;
      headSha: string;
      filter: PathFilter;
      logger: Logger;
      shape: ManifestShape;
      range: ReturnType<typeof planRange>;
      branch: string | undefined;
    },
  ) {
    this.headFiles = memo(async (): Promise<HeadFile[]> => lsTree(c.git, c.headSha));
  }

  async everything(why: string): Promise<ChangeManifest> {
    const { headSha, workingDirectory, filter, logger, shape } = this.c;
    const entries = allConfigs(await this.headFiles(), workingDirectory, filter);
    logger.info(`${why} Listing all ${entries.length} configs at ${headSha.slice(0, 7)}.`);
    return manifestOf(shape, 'all', null, headSha, entries, why);
  }

  async diff(baseSha: string, note?: string): Promise<ChangeManifest> {
    const { git, headSha, workingDirectory, filter, shape, early } = this.c;
    const changes =
      (early && early.base === baseSha && early.head === headSha ? await early.changes : undefined) ??
      (await diffTrees(git, baseSha, headSha));
    const entries = await buildEntries({ changes, workingDirectory, filter, headFiles: this.headFiles });
    return manifestOf(shape, 'diff', baseSha, headSha, entries, note);
  }

  /** Diff against the merge base with the default branch, or everything when there is none. */
  async againstDefaultBranch(why: string, warn: boolean): Promise<ChangeManifest> {
    const { history, headSha, logger, range, branch, remote } = this.c;
    const name = range.defaultBranch ?? (await history.remoteDefaultBranch());
    if (!name) {
      return this.everything(
        `${why} The default branch is unknown (set "default-branch"), so no base was found.`,
      );
    }
    if (name === branch) {
      return this.everything(
        `${why} This is the default branch ${name} itself, so there is no base to compare with.`,
      );
    }
    const defaultSha = await history.resolve(name);
    const mb = defaultSha && (await history.mergeBase(defaultSha, headSha));
    if (!mb) {
      const cause = defaultSha
        ? `it shares no history with ${name}`
        : `the default branch ${name} was not found${remote ? ` on ${remote}` : ''}`;
      return this.everything(`${why} No base was found (${cause}).`);
    }
    const note = `${why} Compared with the merge base of ${name} (${mb.slice(0, 7)}).`;
    if (warn) logger.warning(note);
    else logger.info(note);
    return this.diff(mb, note);
  }

  async run(p: Exclude<RangePlan, { kind: 'none' }>): Promise<ChangeManifest> {
    const { history, headSha, logger, remote } = this.c;
    switch (p.kind) {
      case 'all':
        return this.everything(p.why);
      case 'default-branch':
        return this.againstDefaultBranch(p.why, false);
      case 'two-dot': {
        const baseSha = await history.resolve(p.base);
        if (baseSha) return this.diff(baseSha);
        const why = `The base commit ${p.base} is not in the history and could not be fetched (a force push?).`;
        if (p.fallback === 'default-branch') return this.againstDefaultBranch(why, true);
        throw new UsageError(why.replace(' (a force push?)', '') + ' Check the "base" input.');
      }
      case 'merge-base': {
        const baseSha = await history.resolve(p.base);
        if (!baseSha)
          throw new UsageError(
            `The base commit ${p.base} could not be fetched${remote ? ` from ${remote}` : ''}.`,
          );
        const mb = await history.mergeBase(baseSha, headSha);
        if (mb) return this.diff(mb);
        const why = `The base ${p.base.slice(0, 7)} and the head share no history, so there is no merge base.`;
        logger.warning(why);
        return this.everything(why);
      }
    }
  }

  /** The diff from the last successful run's commit, when that commit is usable and differs from the event's base. */
  async sinceLastSuccess(last: string, eventBase: string): Promise<ChangeManifest | undefined> {
    const { history, headSha, logger, branch } = this.c;
    const lastSha = await history.resolve(last);
    const eventSha = await history.resolve(eventBase);
    if (lastSha && lastSha === eventSha) return undefined;
    if (!lastSha || (await history.mergeBase(lastSha, headSha)) !== lastSha) {
      logger.info(
        `The last successful run's commit ${last.slice(0, 7)} is ${lastSha ? 'not an ancestor of' : 'not reachable from'} ${headSha.slice(0, 7)} (a force push?); comparing with the event's base.`,
      );
      return undefined;
    }
    const note =
      `Compared with ${lastSha.slice(0, 7)}, the commit of this workflow's last successful run on ${branch}, ` +
      `not the push's before (${eventBase.slice(0, 7)}): changes of pushes whose runs failed or were cancelled are included.`;
    logger.info(note);
    return this.diff(lastSha, note);
  }
}

/** Counts for outputs and summaries. */
export function countChanges(entries: readonly ChangeEntry[]): Record<ChangeEntry['status'], number> {
  const counts = {
    added: 0,
    modified: 0,
    deleted: 0,
    renamed: 0,
    'type-changed': 0,
    copied: 0,
    unchanged: 0,
  };
  for (const e of entries) counts[e.status]++;
  return counts;
}

/** The folder holding `.git` at or above `dir` (found without git, since git may refuse to run there yet). */
function findWorkTreeTop(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return undefined;
  }
}

function memo<T>(f: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= f());
}
