import { afterAll, expect, test } from '@jest/globals';
import { GitTree } from '@itemstore/changes';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsTree, loadSettings, resolveTree } from '../src/index.js';
import { sampleRepo } from './helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

test('a git commit resolves exactly like the working tree it was made from (tags files read through the tree)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'itemstore-config-git-'));
  dirs.push(dir);
  const repo = join(dir, 'repo');
  cpSync(sampleRepo, repo, { recursive: true });
  symlinkSync('/etc/passwd', join(repo, 'ffi2/default/passwd.yaml'));
  const git = (...args: string[]): string =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
      cwd: repo,
      encoding: 'utf8',
    });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'sample');
  const sha = git('rev-parse', 'HEAD').trim();

  const fsTree = new FsTree(repo);
  const gitTree = new GitTree(repo, sha);
  const settings = await loadSettings(gitTree);
  expect(settings).toEqual(await loadSettings(fsTree));
  const fromGit = await resolveTree(gitTree, settings, { branch: 'Feature/ABC' });
  const fromFs = await resolveTree(fsTree, settings, { branch: 'Feature/ABC' });
  expect(fromGit.configs).toEqual(fromFs.configs);
  expect(fromGit.configs).toHaveLength(12);
  expect(fromGit.errors.map((e) => `${e.file}: ${e.code}`)).toEqual([
    'ffi2/default/passwd.yaml: symlink-escape',
  ]);
  expect(fromFs.errors.map((e) => e.toString())).toEqual(fromGit.errors.map((e) => e.toString()));
});
