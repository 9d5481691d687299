/**
 * Change detection against real git repositories: a bare file:// remote and shallow clones, as actions/checkout
 * makes them.
 */
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { chownSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryLogger, type ChangeManifest } from '@itemstore/core';
import { GitRepo, git, type FileSpec } from '../../../test/helpers/git-repo.js';
import { prerequisite } from '../../../test/helpers/prerequisites.js';
import {
  GitTree,
  changeSummary,
  detectChanges,
  type DetectOptions,
  type EventContext,
} from '../src/index.js';

// Real git processes: generous limits for a loaded 2-core CI machine (each test takes well under a second alone).
jest.setTimeout(60_000);

const ZERO = '0'.repeat(40);
const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

async function newRepo(files: Record<string, FileSpec> = BASE_FILES): Promise<GitRepo> {
  const repo = await GitRepo.init();
  made.push(repo.dir);
  if (Object.keys(files).length) await repo.commit('initial', files);
  return repo;
}

async function cloneOf(url: string, branch: string, depth = 1): Promise<GitRepo> {
  const c = await GitRepo.clone(url, { depth, branch });
  made.push(c.dir);
  return c;
}

const BASE_FILES: Record<string, FileSpec> = {
  'item-store.yaml': 'version: 1\n',
  'data-router/tags.yaml': 'tags: {tool: router}\n',
  'data-router/default/orders.yaml': 'a: 1\n',
  'data-router/default/tags.yaml': 'tags: {s3: yes}\n',
  'data-router/spark/emr.json': '{"a": 1}\n',
  'ffi2/x.yaml': 'x: 1\n',
  'README.md': 'hello\n',
};

function push(
  before: string,
  after: string,
  branch = 'main',
  extra: Record<string, unknown> = {},
): EventContext {
  return {
    eventName: 'push',
    payload: { ref: `refs/heads/${branch}`, before, after, repository: { default_branch: 'main' }, ...extra },
    ref: `refs/heads/${branch}`,
    sha: after,
  };
}

async function detect(
  dir: string,
  event: EventContext,
  options: Partial<DetectOptions> = {},
): Promise<ChangeManifest & { log: MemoryLogger }> {
  const log = new MemoryLogger();
  const m = await detectChanges({ directory: dir, event, logger: log, ...options });
  return Object.assign(m, { log });
}

const brief = (m: ChangeManifest) =>
  m.entries.map((e) => `${e.status} ${e.previousPath ? `${e.previousPath} -> ` : ''}${e.path} (${e.reason})`);

describe('push', () => {
  it('compares the tree at before with the tree at after: every commit of a multi-commit push counts', async () => {
    const repo = await newRepo();
    const before = await repo.rev();
    const remote = await repo.createBareRemote();
    await repo.commit('edit orders', { 'data-router/default/orders.yaml': 'a: 2\n' });
    await repo.commit('add one', { 'ffi2/new.yaml': 'n: 1\n', 'ffi2/notes.txt': 'not a config\n' });
    const after = await repo.commit('unrelated', { 'README.md': 'changed\n' });
    await repo.push(['main']);
    const clone = await cloneOf(remote.url, 'main');

    const m = await detect(clone.dir, push(before, after));
    expect(brief(m)).toEqual([
      'modified data-router/default/orders.yaml (changed)',
      'added ffi2/new.yaml (changed)',
    ]);
    expect(m).toMatchObject({
      mode: 'diff',
      baseSha: before,
      headSha: after,
      branch: 'main',
      workingDirectory: '',
    });
    // Fetching `before` at depth 1 is enough for a two-dot diff: no history was fetched.
    expect(await clone.isShallow()).toBe(true);
    expect((await clone.git(['rev-list', '--count', 'HEAD'])).trim()).toBe('1');
  });

  it('a push whose two commits are both here runs two git processes: no `git remote`, nothing fetched', async () => {
    const repo = await newRepo();
    const before = await repo.rev();
    const remote = await repo.createBareRemote();
    const after = await repo.commit('edit orders', { 'data-router/default/orders.yaml': 'a: 2\n' });
    await repo.push(['main']);
    const clone = await cloneOf(remote.url, 'main', 2);

    const m = await detect(clone.dir, push(before, after));
    expect(brief(m)).toEqual(['modified data-router/default/orders.yaml (changed)']);
    const commands = m.log.lines
      .filter((l) => l.level === 'debug' && l.message.startsWith('git '))
      .map((l) => l.message.split(' ').find((a) => !a.startsWith('-') && a !== 'git' && !a.includes('=')));
    expect(commands).toEqual(['rev-parse', 'diff-tree']);
    // A base that is not here is still fetched from origin (the test above), and an explicit remote still checked.
    await expect(detect(clone.dir, push(before, after), { remote: 'upstream' })).rejects.toThrow(
      'The git remote "upstream" does not exist',
    );
  });

  it('the diff started beside the rev-parse is dropped when a commit is missing: same manifest as with both here', async () => {
    const repo = await newRepo();
    const before = await repo.rev();
    const remote = await repo.createBareRemote();
    await repo.commit('edit orders', { 'data-router/default/orders.yaml': 'a: 2\n' });
    const after = await repo.commit('rename and add', {
      'ffi2/x.yaml': null,
      'ffi2/y.yaml': 'x: 1\n',
      'data-router/spark/new.json': '{"n": 1}\n',
    });
    await repo.push(['main']);
    const commandsOf = (m: { log: MemoryLogger }) =>
      m.log.lines
        .filter((l) => l.level === 'debug' && l.message.startsWith('git '))
        .map((l) => l.message.split(' ').find((a) => !a.startsWith('-') && a !== 'git' && !a.includes('=')));
    const manifestOf = ({ log: _, ...m }: ChangeManifest & { log: MemoryLogger }) => m;

    // Both commits here (depth 2): the early diff is the one used, two git processes in all.
    const both = await detect((await cloneOf(remote.url, 'main', 3)).dir, push(before, after));
    expect(commandsOf(both)).toEqual(['rev-parse', 'diff-tree']);
    expect(brief(both)).toEqual([
      'modified data-router/default/orders.yaml (changed)',
      'added data-router/spark/new.json (changed)',
      'renamed ffi2/x.yaml -> ffi2/y.yaml (changed)',
    ]);

    // `before` not here (depth 1): the early diff-tree fails and is dropped; before is fetched and diffed again.
    const clone = await cloneOf(remote.url, 'main');
    const missing = await detect(clone.dir, push(before, after));
    const commands = commandsOf(missing);
    expect(commands.slice(0, 2)).toEqual(['rev-parse', 'diff-tree']);
    expect(commands.indexOf('fetch')).toBeGreaterThan(1);
    expect(commands.at(-1)).toBe('diff-tree');
    expect(manifestOf(missing)).toEqual({ ...manifestOf(both), repoRoot: clone.dir });

    // A SHA that is here but names an annotated tag, not a commit: the early diff (of the tag) is dropped too, and
    // the manifest's base is the commit, as before.
    await clone.git(['-c', 'user.name=t', '-c', 'user.email=t@t', 'tag', '-a', '-m', 'v1', 'v1', before]);
    const tagSha = (await clone.git(['rev-parse', 'v1'])).trim();
    expect(tagSha).not.toBe(before);
    const tagged = await detect(clone.dir, push(tagSha, after));
    expect(commandsOf(tagged)).toEqual(['rev-parse', 'diff-tree', 'diff-tree']);
    expect(manifestOf(tagged)).toEqual(manifestOf(missing));
  });

  it('the early diff runs in the working directory: paths are still from the top (diff.relative ignored)', async () => {
    const repo = await newRepo({
      'configs/item-store.yaml': 'version: 1\n',
      'configs/team/a.yaml': 'a: 1\n',
      'elsewhere/team/b.yaml': 'b: 1\n',
    });
    await repo.git(['config', 'diff.relative', 'true']);
    const before = await repo.rev();
    const after = await repo.commit('both', {
      'configs/team/a.yaml': 'a: 2\n',
      'elsewhere/team/b.yaml': 'b: 2\n',
    });
    const m = await detect(join(repo.dir, 'configs', 'team'), push(before, after), { remote: null });
    expect(m.workingDirectory).toBe('configs/team');
    expect(brief(m)).toEqual(['modified a.yaml (changed)']);
    const top = await detect(repo.dir, push(before, after), { remote: null });
    expect(brief(top)).toEqual([
      'modified configs/team/a.yaml (changed)',
      'modified elsewhere/team/b.yaml (changed)',
    ]);
  });

  it('handles a base 50 commits back in a depth-1 clone without deepening', async () => {
    const repo = await newRepo();
    const before = await repo.rev();
    await repo.importCommits(
      'main',
      Array.from({ length: 50 }, (_, i) => ({ files: { [`ffi2/f${i}.yaml`]: `i: ${i}\n` } })),
    );
    await repo.syncWorkTree();
    const after = await repo.rev();
    const remote = await repo.createBareRemote();
    const clone = await cloneOf(remote.url, 'main');
    const m = await detect(clone.dir, push(before, after));
    expect(m.entries).toHaveLength(50);
    expect(m.entries.every((e) => e.status === 'added')).toBe(true);
    expect((await clone.git(['rev-list', '--count', 'HEAD'])).trim()).toBe('1');
  });

  it('first push of a new branch: diff against the merge base with the default branch, fetched when absent', async () => {
    const repo = await newRepo();
    const forkPoint = await repo.commit('main work', { 'ffi2/x.yaml': 'x: 2\n' });
    await repo.checkout('Feature/New', { create: true });
    await repo.commit('feature 1', { 'ffi2/feature.yaml': 'f: 1\n' });
    const head = await repo.commit('feature 2', { 'data-router/spark/emr.json': '{"a": 2}\n' });
    await repo.checkout('main');
    await repo.commit('main moves on', { 'ffi2/later.yaml': 'l: 1\n' });
    const remote = await repo.createBareRemote();
    await repo.push(['main', 'Feature/New']);
    const clone = await cloneOf(remote.url, 'Feature/New');

    const m = await detect(clone.dir, push(ZERO, head, 'Feature/New', { created: true }));
    expect(brief(m)).toEqual([
      'modified data-router/spark/emr.json (changed)',
      'added ffi2/feature.yaml (changed)',
    ]);
    expect(m).toMatchObject({ mode: 'diff', baseSha: forkPoint, headSha: head, branch: 'Feature/New' });
    expect(m.note).toMatch(/first push.*merge base of main/);
  });

  it('first push with no base to be found lists every config and says so', async () => {
    const repo = await newRepo();
    await repo.git(['checkout', '-q', '--orphan', 'island']);
    await repo.git(['rm', '-r', '-q', '--cached', '.']);
    repo.write({ 'data-router': null, ffi2: null });
    const head = await repo.commit('unrelated history', {
      'ffi2/only.yaml': 'o: 1\n',
      'ffi2/tags.yaml': 't: {}\n',
    });
    const remote = await repo.createBareRemote();
    await repo.push(['island']);
    const clone = await cloneOf(remote.url, 'island');
    const m = await detect(clone.dir, push(ZERO, head, 'island'));
    expect(m.mode).toBe('all');
    expect(brief(m)).toEqual(['unchanged ffi2/only.yaml (all)']);
    expect(m.note).toMatch(/No base was found \(it shares no history with main\)/);
    expect(changeSummary(m).toMarkdown()).toContain('No base was found');
  });

  it('first push of the default branch itself lists everything', async () => {
    const repo = await newRepo();
    const head = await repo.rev();
    const m = await detect(repo.dir, push(ZERO, head, 'main'));
    expect(m.mode).toBe('all');
    expect(m.entries.map((e) => e.path)).toEqual([
      'data-router/default/orders.yaml',
      'data-router/spark/emr.json',
      'ffi2/x.yaml',
    ]);
    expect(m.note).toMatch(/default branch main itself/);
  });

  it('force push: fetches the overwritten before commit and diffs against it', async () => {
    const repo = await newRepo();
    const before = await repo.commit('to be overwritten', { 'ffi2/gone.yaml': 'g: 1\n' });
    const remote = await repo.createBareRemote();
    await repo.git(['reset', '-q', '--hard', 'HEAD~1']);
    const after = await repo.commit('rewritten', { 'ffi2/instead.yaml': 'i: 1\n' });
    await repo.push(['main'], { force: true });
    const clone = await cloneOf(remote.url, 'main');
    const m = await detect(clone.dir, push(before, after));
    expect(brief(m)).toEqual(['deleted ffi2/gone.yaml (changed)', 'added ffi2/instead.yaml (changed)']);
  });

  it('force push with an unreachable before: falls back to the default branch merge base, with a warning', async () => {
    const repo = await newRepo();
    await repo.checkout('topic', { create: true });
    const before = await repo.commit('old topic', { 'ffi2/old.yaml': 'o: 1\n' });
    const remote = await repo.createBareRemote();
    await repo.push(['main', 'topic']);
    await repo.git(['reset', '-q', '--hard', 'main']);
    const after = await repo.commit('new topic', { 'ffi2/new.yaml': 'n: 1\n' });
    await repo.push(['topic'], { force: true });
    await git(remote.dir, ['reflog', 'expire', '--expire=now', '--all']);
    await git(remote.dir, ['gc', '-q', '--prune=now']);
    const clone = await cloneOf(remote.url, 'topic');

    const m = await detect(clone.dir, push(before, after, 'topic'));
    expect(brief(m)).toEqual(['added ffi2/new.yaml (changed)']);
    expect(m.baseSha).toBe(await repo.rev('main'));
    expect(m.log.lines.filter((l) => l.level === 'warning').map((l) => l.message)).toEqual([
      expect.stringMatching(/not in the history and could not be fetched.*merge base of main/),
    ]);

    // On the default branch itself there is nothing to fall back to: every config, and the summary says why.
    const onMain = await detect(clone.dir, push('f'.repeat(40), after, 'main'));
    expect(onMain.mode).toBe('all');
    expect(onMain.note).toMatch(/could not be fetched.*default branch main itself/);
  });

  it('a push that deletes the branch yields an empty manifest', async () => {
    const repo = await newRepo();
    const m = await detect(repo.dir, push(await repo.rev(), ZERO, 'gone', { deleted: true }));
    expect(m.entries).toEqual([]);
    expect(m.note).toMatch(/deleted the branch/);
  });

  it('a merge commit pushed to main brings the merged branch changes', async () => {
    const repo = await newRepo();
    const before = await repo.rev();
    await repo.checkout('feature', { create: true });
    await repo.commit('feature', { 'ffi2/feat.yaml': 'f: 1\n' });
    await repo.checkout('main');
    await repo.commit('main', { 'ffi2/x.yaml': 'x: main\n' });
    const after = await repo.merge('feature');
    expect((await repo.git(['rev-list', '--parents', '-n', '1', 'HEAD'])).trim().split(' ')).toHaveLength(3);
    const remote = await repo.createBareRemote();
    const clone = await cloneOf(remote.url, 'main');
    const m = await detect(clone.dir, push(before, after));
    expect(brief(m)).toEqual(['added ffi2/feat.yaml (changed)', 'modified ffi2/x.yaml (changed)']);
  });
});

describe('pull requests', () => {
  async function prRepo() {
    const repo = await newRepo();
    const fork = await repo.rev();
    await repo.checkout('Feature/PR', { create: true });
    await repo.importCommits(
      'Feature/PR',
      Array.from({ length: 50 }, (_, i) => ({
        files: { [`ffi2/pr-${i % 5}.yaml`]: `v: ${i}\n` },
        message: `pr ${i}`,
      })),
    );
    await repo.syncWorkTree();
    await repo.commit('rename and delete', { 'data-router/spark/emr.json': null });
    await repo.rename('ffi2/x.yaml', 'ffi2/renamed.yaml');
    await repo.checkout('main');
    for (let i = 0; i < 5; i++)
      await repo.commit(`main ${i}`, { [`data-router/main-${i}.yaml`]: `m: ${i}\n` });
    await repo.checkout('Feature/PR');
    const head = await repo.merge('main', 'bring main in'); // a merge commit inside the PR
    const remote = await repo.createBareRemote();
    await repo.push(['main', 'Feature/PR']);
    return { repo, remote, fork, head, base: await repo.rev('main') };
  }

  it('diffs against the merge base, deepening a depth-1 clone by itself (base 50 commits back)', async () => {
    const { remote, head, base } = await prRepo();
    const clone = await cloneOf(remote.url, 'Feature/PR');
    const event: EventContext = {
      eventName: 'pull_request',
      payload: { pull_request: { base: { sha: base, ref: 'main' }, head: { sha: head, ref: 'Feature/PR' } } },
      headRef: 'Feature/PR',
      ref: 'refs/pull/1/merge',
    };
    const m = await detect(clone.dir, event);
    expect(brief(m)).toEqual([
      'deleted data-router/spark/emr.json (changed)',
      'added ffi2/pr-0.yaml (changed)',
      'added ffi2/pr-1.yaml (changed)',
      'added ffi2/pr-2.yaml (changed)',
      'added ffi2/pr-3.yaml (changed)',
      'added ffi2/pr-4.yaml (changed)',
      'renamed ffi2/x.yaml -> ffi2/renamed.yaml (changed)',
    ]);
    expect(m.baseSha).toBe(base); // main was merged in, so the merge base is main's tip
    expect(m.branch).toBe('Feature/PR');
    expect(m.log.lines.some((l) => /fetching \d+ more commits/.test(l.message))).toBe(true);
  });

  it('with full history nothing is fetched', async () => {
    const { repo, head, fork } = await prRepo();
    const featureOnly = await repo.rev('Feature/PR~1'); // before main was merged in
    const m = await detect(
      repo.dir,
      {
        eventName: 'pull_request_target',
        payload: {
          pull_request: {
            base: { sha: await repo.rev('main') },
            head: { sha: featureOnly, ref: 'Feature/PR' },
          },
        },
      },
      { remote: null },
    );
    expect(m.baseSha).toBe(fork);
    expect(m.log.lines.some((l) => /fetch/.test(l.message))).toBe(false);
    expect(head).not.toBe(featureOnly);
  });

  it('merge_group compares base_sha with head_sha', async () => {
    const repo = await newRepo();
    const base = await repo.rev();
    const head = await repo.commit('queued', { 'ffi2/q.yaml': 'q: 1\n' });
    const remote = await repo.createBareRemote();
    await repo.push(['main:refs/heads/gh-readonly-queue/main/pr-1-abc']);
    const clone = await cloneOf(remote.url, 'gh-readonly-queue/main/pr-1-abc');
    const m = await detect(clone.dir, {
      eventName: 'merge_group',
      payload: {
        merge_group: {
          base_sha: base,
          head_sha: head,
          head_ref: 'refs/heads/gh-readonly-queue/main/pr-1-abc',
        },
      },
    });
    expect(brief(m)).toEqual(['added ffi2/q.yaml (changed)']);
    expect(m.branch).toBe('gh-readonly-queue/main/pr-1-abc');
  });
});

describe('what counts as a change', () => {
  it('renames, deletions, type changes and symlinks; submodules are ignored', async () => {
    const repo = await newRepo();
    const sub = await newRepo({ 'x.yaml': 'x: 1\n' });
    const before = await repo.rev();
    await repo.git(['mv', 'ffi2/x.yaml', 'ffi2/moved.yaml']);
    repo.write({
      'data-router/spark/emr.json': null,
      'data-router/default/orders.yaml': { symlink: '../spark/other.json' },
      'ffi2/link.yaml': { symlink: 'moved.yaml' },
    });
    await repo.git([
      '-c',
      'protocol.file.allow=always',
      'submodule',
      '--quiet',
      'add',
      sub.dir,
      'ffi2/sub.yaml',
    ]);
    const after = await repo.commit('many kinds');
    const m = await detect(repo.dir, push(before, after), { remote: null });
    expect(m.entries).toEqual([
      {
        path: 'data-router/default/orders.yaml',
        status: 'type-changed',
        reason: 'changed',
        kind: 'config',
        symlink: true,
      },
      { path: 'data-router/spark/emr.json', status: 'deleted', reason: 'changed', kind: 'config' },
      { path: 'ffi2/link.yaml', status: 'added', reason: 'changed', kind: 'config', symlink: true },
      {
        path: 'ffi2/moved.yaml',
        status: 'renamed',
        previousPath: 'ffi2/x.yaml',
        reason: 'changed',
        kind: 'config',
      },
    ]);
  });

  it('a changed tags.yaml marks every config below it; item-store.yaml marks every config', async () => {
    const repo = await newRepo();
    const before = await repo.rev();
    const after = await repo.commit('tags', {
      'data-router/default/tags.yaml': 'tags: {s3: no}\n',
      'data-router/default/orders.yaml': 'a: 3\n',
    });
    const m = await detect(repo.dir, push(before, after), { remote: null });
    expect(brief(m)).toEqual([
      'modified data-router/default/orders.yaml (changed)',
      'modified data-router/default/tags.yaml (changed)',
    ]);
    const after2 = await repo.commit('team tags', { 'data-router/tags.yaml': 'tags: {tool: r2}\n' });
    expect(brief(await detect(repo.dir, push(after, after2), { remote: null }))).toEqual([
      'unchanged data-router/default/orders.yaml (tags-changed)',
      'unchanged data-router/spark/emr.json (tags-changed)',
      'modified data-router/tags.yaml (changed)',
    ]);
    const after3 = await repo.commit('settings', { 'item-store.yaml': 'version: 1\nmainBranch: main\n' });
    expect(brief(await detect(repo.dir, push(after2, after3), { remote: null }))).toEqual([
      'unchanged data-router/default/orders.yaml (settings-changed)',
      'unchanged data-router/spark/emr.json (settings-changed)',
      'unchanged ffi2/x.yaml (settings-changed)',
      'modified item-store.yaml (changed)',
    ]);
  });

  it('keeps odd file names exact: spaces, quotes, newlines, unicode, leading dashes', async () => {
    const names = [
      'ffi2/with space.yaml',
      'ffi2/quote"d\'.yaml',
      'ffi2/new\nline.yaml',
      'ffi2/ünïcødé-日本.yaml',
      '-rf.yaml',
      'ffi2/--help.json',
      'ffi2/tab\there.yml',
      'ffi2/back\\slash [x]*.yaml',
    ];
    const repo = await newRepo();
    const before = await repo.rev();
    const after = await repo.commit('odd', Object.fromEntries(names.map((n) => [n, 'a: 1\n'])));
    const remote = await repo.createBareRemote();
    const clone = await cloneOf(remote.url, 'main');
    const m = await detect(clone.dir, push(before, after));
    expect(m.entries.map((e) => e.path).sort()).toEqual([...names].sort());
    const renamed = await repo.rename('ffi2/new\nline.yaml', 'ffi2/still\nodd "x".yaml');
    expect(brief(await detect(repo.dir, push(after, renamed), { remote: null }))).toEqual([
      'renamed ffi2/new\nline.yaml -> ffi2/still\nodd "x".yaml (changed)',
    ]);
    // The summary keeps each name in one table cell.
    const md = changeSummary(m).toMarkdown();
    expect(md.split('\n').filter((l) => l.startsWith('| added'))).toHaveLength(names.length);
  });

  it('working-directory: only changes below it, paths relative to it', async () => {
    const repo = await newRepo({
      'configs/item-store.yaml': 'version: 1\n',
      'configs/team/a.yaml': 'a: 1\n',
      'elsewhere/team/b.yaml': 'b: 1\n',
      'item-store.yaml': 'not the settings of the config repo\n',
    });
    const before = await repo.rev();
    const after = await repo.commit('both', {
      'configs/team/a.yaml': 'a: 2\n',
      'elsewhere/team/b.yaml': 'b: 2\n',
      'item-store.yaml': 'changed\n',
    });
    const m = await detect(join(repo.dir, 'configs'), push(before, after), { remote: null });
    expect(brief(m)).toEqual(['modified team/a.yaml (changed)']);
    expect(m.workingDirectory).toBe('configs');
  });

  it('paths and exclude inputs, with negation', async () => {
    const repo = await newRepo();
    const before = await repo.rev();
    const after = await repo.commit('many', {
      'data-router/default/orders.yaml': 'a: 9\n',
      'data-router/spark/emr.json': '{"a": 9}\n',
      'ffi2/x.yaml': 'x: 9\n',
    });
    const m = await detect(repo.dir, push(before, after), {
      remote: null,
      paths: ['data-router/**', 'ffi2/**'],
      exclude: ['**/*.json', '!data-router/spark/**', 'ffi2/**'],
    });
    expect(m.entries.map((e) => e.path)).toEqual([
      'data-router/default/orders.yaml',
      'data-router/spark/emr.json',
    ]);
  });
});

/** Gives a folder tree to another user, as a container's checkout looks to git running as root. */
function chownTree(dir: string, uid: number): void {
  chownSync(dir, uid, uid);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) chownTree(p, uid);
    else chownSync(p, uid, uid);
  }
}

describe('a checkout owned by another user (containers)', () => {
  const asRoot = prerequisite({
    what: 'root',
    present: process.getuid?.() === 0,
    why: 'only root can chown the checkout to another user, as containers leave it',
    requiredInCi: false,
  })
    ? it
    : it.skip;
  asRoot('trustDirectory passes safe.directory per command; without it git refuses', async () => {
    const repo = await newRepo();
    const before = await repo.rev();
    const after = await repo.commit('x', { 'ffi2/x.yaml': 'x: 2\n' });
    chownTree(repo.dir, 12345);
    await expect(detect(repo.dir, push(before, after), { remote: null })).rejects.toThrow(
      /dubious ownership/,
    );
    const m = await detect(repo.dir, push(before, after), { remote: null, trustDirectory: true });
    expect(brief(m)).toEqual(['modified ffi2/x.yaml (changed)']);
    const tree = new GitTree(repo.dir, after, '', { safeDirectory: repo.dir });
    expect((await tree.read('ffi2/x.yaml'))?.toString()).toBe('x: 2\n');
    tree.close();
  });
});

describe('manual runs', () => {
  it('workflow_dispatch without inputs lists every config at head', async () => {
    const repo = await newRepo();
    const m = await detect(repo.dir, {
      eventName: 'workflow_dispatch',
      payload: {},
      ref: 'refs/heads/main',
      sha: await repo.rev(),
    });
    expect(m.mode).toBe('all');
    expect(m.entries).toHaveLength(3);
    expect(m.entries.every((e) => e.reason === 'all' && e.status === 'unchanged')).toBe(true);
  });

  it('explicit base and head (branch names or SHAs) work for any event, fetching what is missing', async () => {
    const repo = await newRepo();
    await repo.checkout('other', { create: true });
    await repo.commit('other', { 'ffi2/other.yaml': 'o: 1\n' });
    await repo.checkout('main');
    const remote = await repo.createBareRemote();
    await repo.push(['main', 'other']);
    const clone = await cloneOf(remote.url, 'main');
    const m = await detect(
      clone.dir,
      { eventName: 'schedule', payload: {} },
      { base: 'main', head: 'other' },
    );
    expect(brief(m)).toEqual(['added ffi2/other.yaml (changed)']);
  });

  it('refuses a base that looks like an option before running git', async () => {
    const repo = await newRepo();
    await expect(
      detect(repo.dir, { eventName: 'schedule', payload: {} }, { base: '--output=/tmp/x' }),
    ).rejects.toThrow(/Input "base" must be a commit SHA/);
  });

  it('names a missing working directory or a folder outside git in one sentence', async () => {
    await expect(detect('/nonexistent/itemstore', { eventName: 'schedule', payload: {} })).rejects.toThrow(
      /does not exist/,
    );
    const outside = (await GitRepo.init()).dir;
    made.push(outside);
    rmSync(join(outside, '.git'), { recursive: true });
    await expect(detect(outside, { eventName: 'schedule', payload: {} })).rejects.toThrow(
      /not inside a git work tree/,
    );
  });
});
