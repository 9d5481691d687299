/**
 * The config repo of the demo: a working clone where the "user" commits, and a bare `origin` the runner's checkout
 * and the actions' fetches read from (file://, with any-SHA fetches allowed, as GitHub allows). Each method returns
 * the event GitHub would send for what just happened: a push, a pull request (with its test merge commit on
 * refs/pull/N/merge), a manual run.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Git } from '@itemstore/core';
import type { WorkflowEvent } from './runner.js';

const ZERO = '0000000000000000000000000000000000000000';

let clock = 1_767_225_600; // fixed dates: commits (and so SHAs) are the same on every run

/** git through the suite's one wrapper, with a fixed identity and clock (commits are the same on every run). */
async function run(cwd: string, args: readonly string[]): Promise<string> {
  const when = `${clock++} +0000`;
  const r = await new Git(cwd).run(args, {
    env: {
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Demo Author',
      GIT_AUTHOR_EMAIL: 'author@example.com',
      GIT_COMMITTER_NAME: 'Demo Author',
      GIT_COMMITTER_EMAIL: 'author@example.com',
      GIT_AUTHOR_DATE: when,
      GIT_COMMITTER_DATE: when,
    },
  });
  return r.stdout.toString('utf8');
}

export class ConfigRepo {
  private prNumber = 0;

  private constructor(
    readonly dir: string,
    readonly remoteDir: string,
    readonly repository: string,
    readonly defaultBranch: string,
  ) {}

  get remoteUrl(): string {
    return `file://${this.remoteDir}`;
  }

  static async create(options: {
    tempDir: string;
    repository: string;
    defaultBranch?: string;
  }): Promise<ConfigRepo> {
    const dir = mkdtempSync(join(options.tempDir, 'config-repo-'));
    const remoteDir = mkdtempSync(join(options.tempDir, 'config-remote-'));
    const branch = options.defaultBranch ?? 'main';
    await run(remoteDir, ['init', '-q', '--bare', `--initial-branch=${branch}`]);
    await run(remoteDir, ['config', 'uploadpack.allowAnySHA1InWant', 'true']);
    await run(remoteDir, ['config', 'uploadpack.allowFilter', 'true']);
    await run(dir, ['init', '-q', `--initial-branch=${branch}`]);
    await run(dir, ['config', 'commit.gpgsign', 'false']);
    await run(dir, ['config', 'core.autocrlf', 'false']);
    await run(dir, ['remote', 'add', 'origin', `file://${remoteDir}`]);
    return new ConfigRepo(dir, remoteDir, options.repository, branch);
  }

  git(args: readonly string[]): Promise<string> {
    return run(this.dir, args);
  }

  async rev(ref = 'HEAD'): Promise<string> {
    return (await this.git(['rev-parse', '--verify', `${ref}^{commit}`])).trim();
  }

  /** Writes files (null deletes) on the current branch and commits them; returns the commit. */
  async commit(message: string, files: Record<string, string | null>): Promise<string> {
    for (const [path, content] of Object.entries(files)) {
      const full = join(this.dir, path);
      if (content === null) rmSync(full, { force: true });
      else {
        mkdirSync(dirname(full), { recursive: true });
        writeFileSync(full, content);
      }
    }
    await this.git(['add', '-A']);
    await this.git(['commit', '-q', '--no-verify', '-m', message]);
    return this.rev();
  }

  async checkout(branch: string, create = false): Promise<void> {
    await this.git(create ? ['checkout', '-q', '-b', branch] : ['checkout', '-q', branch]);
  }

  async currentBranch(): Promise<string> {
    return (await this.git(['symbolic-ref', '--short', 'HEAD'])).trim();
  }

  /** What origin holds for a branch (the all-zero SHA when it has none). */
  async remoteSha(branch: string): Promise<string> {
    const out = await this.git(['ls-remote', 'origin', `refs/heads/${branch}`]);
    return out.split('\t')[0]?.trim() || ZERO;
  }

  /** `git push origin <branch>` and the push event GitHub would send. */
  async push(branch?: string): Promise<WorkflowEvent> {
    const name = branch ?? (await this.currentBranch());
    const before = await this.remoteSha(name);
    await this.git(['push', '-q', 'origin', `refs/heads/${name}:refs/heads/${name}`]);
    const after = await this.rev(`refs/heads/${name}`);
    const range =
      before === ZERO
        ? [after]
        : (await this.git(['rev-list', '--reverse', `${before}..${after}`])).split('\n').filter(Boolean);
    const commits = [];
    for (const id of range.slice(-20)) {
      commits.push({
        id,
        message: (await this.git(['log', '-1', '--format=%B', id])).trim(),
        distinct: true,
      });
    }
    const ref = `refs/heads/${name}`;
    return {
      eventName: 'push',
      ref,
      sha: after,
      payload: {
        ref,
        before,
        after,
        created: before === ZERO,
        deleted: false,
        forced: false,
        base_ref: null,
        compare: `https://github.com/${this.repository}/compare/${before.slice(0, 12)}...${after.slice(0, 12)}`,
        commits,
        head_commit: commits[commits.length - 1] ?? null,
        repository: this.repositoryPayload(),
        pusher: { name: 'demo-user' },
        sender: { login: 'demo-user' },
      },
    };
  }

  /**
   * `git push origin --delete <branch>` and the delete event GitHub would send: it runs workflows from the default
   * branch (GITHUB_REF and GITHUB_SHA are the default branch's), and names the deleted ref in the payload.
   */
  async deleteBranch(branch: string): Promise<WorkflowEvent> {
    await this.git(['push', '-q', 'origin', '--delete', `refs/heads/${branch}`]);
    const ref = `refs/heads/${this.defaultBranch}`;
    return {
      eventName: 'delete',
      ref,
      sha: await this.remoteSha(this.defaultBranch),
      payload: {
        ref: branch,
        ref_type: 'branch',
        pusher_type: 'user',
        repository: this.repositoryPayload(),
        sender: { login: 'demo-user' },
      },
    };
  }

  /**
   * Opens a pull request from `head` into `base`: pushes the head, makes GitHub's test merge commit and stores it
   * as refs/pull/N/merge on origin, and returns the pull_request event (action opened).
   */
  async openPullRequest(
    head: string,
    base: string,
    title: string,
    options: { fork?: string } = {},
  ): Promise<WorkflowEvent> {
    return this.pullRequestEvent(++this.prNumber, head, base, title, 'opened', options.fork);
  }

  /**
   * A new push to the head of pull request `number` (action synchronize): the head and test merge commit move on,
   * the number stays.
   */
  async updatePullRequest(
    number: number,
    head: string,
    base: string,
    title: string,
    options: { fork?: string } = {},
  ): Promise<WorkflowEvent> {
    return this.pullRequestEvent(number, head, base, title, 'synchronize', options.fork);
  }

  private async pullRequestEvent(
    number: number,
    head: string,
    base: string,
    title: string,
    action: string,
    fork: string | undefined,
  ): Promise<WorkflowEvent> {
    const headSha = await this.rev(`refs/heads/${head}`);
    const baseSha = await this.remoteSha(base);
    const tree =
      (await this.git(['merge-tree', '--write-tree', baseSha, headSha])).split('\n')[0]?.trim() ?? '';
    const merge = (
      await this.git([
        'commit-tree',
        tree,
        '-p',
        baseSha,
        '-p',
        headSha,
        '-m',
        `Merge ${headSha} into ${baseSha}`,
      ])
    ).trim();
    await this.git([
      'push',
      '-q',
      '--force',
      'origin',
      `${headSha}:refs/pull/${number}/head`,
      `${merge}:refs/pull/${number}/merge`,
    ]);
    const repo = this.repositoryPayload();
    return {
      eventName: 'pull_request',
      ref: `refs/pull/${number}/merge`,
      sha: merge,
      headRef: head,
      baseRef: base,
      payload: {
        action,
        number,
        pull_request: {
          number,
          title,
          state: 'open',
          // A fork's head lives in the fork (GitHub then gives the run no secrets and a read-only token).
          head: { ref: head, sha: headSha, repo: fork ? { ...repo, full_name: fork, fork: true } : repo },
          base: { ref: base, sha: baseSha, repo },
          merge_commit_sha: merge,
        },
        repository: repo,
        sender: { login: 'demo-user' },
      },
    };
  }

  /** Merges `head` into `base` with a merge commit (as the Merge button does) and pushes `base`. */
  async mergePullRequest(head: string, base: string, message: string): Promise<WorkflowEvent> {
    await this.checkout(base);
    await this.git(['merge', '-q', '--no-ff', '--no-edit', '-m', message, head]);
    return this.push(base);
  }

  /** A manual run (Actions → Run workflow) on a branch. */
  async dispatch(inputs: Record<string, string | boolean>, branch?: string): Promise<WorkflowEvent> {
    const name = branch ?? this.defaultBranch;
    const ref = `refs/heads/${name}`;
    return {
      eventName: 'workflow_dispatch',
      ref,
      sha: await this.remoteSha(name),
      inputs,
      payload: { ref, inputs, repository: this.repositoryPayload(), sender: { login: 'demo-user' } },
    };
  }

  /** A scheduled run (always on the default branch). */
  async schedule(cron: string): Promise<WorkflowEvent> {
    const ref = `refs/heads/${this.defaultBranch}`;
    return {
      eventName: 'schedule',
      ref,
      sha: await this.remoteSha(this.defaultBranch),
      payload: { schedule: cron, repository: this.repositoryPayload() },
    };
  }

  private repositoryPayload(): Record<string, unknown> {
    return {
      full_name: this.repository,
      name: this.repository.split('/')[1],
      owner: { login: this.repository.split('/')[0] },
      default_branch: this.defaultBranch,
      private: true,
    };
  }
}
