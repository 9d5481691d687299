/** `itemstore detect` on a local checkout: the same library, printed for a terminal. */
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { rmSync } from 'node:fs';
import { UsageError } from '@itemstore/core';
import { GitRepo } from '../../../test/helpers/git-repo.js';
import { detectCommand } from '../../cli/src/commands/detect.js';
import { captureTerminal } from '../../../test/helpers/terminal.js';

// Real git processes: generous limits for a loaded 2-core CI machine (each test takes well under a second alone).
jest.setTimeout(60_000);

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

const term = captureTerminal();

async function repo(): Promise<GitRepo> {
  const r = await GitRepo.init();
  made.push(r.dir);
  await r.commit('initial', {
    'team/tags.yaml': 'tags: {}\n',
    'team/a.yaml': 'a: 1\n',
    'team/b.yaml': 'b: 1\n',
  });
  return r;
}

describe('itemstore detect', () => {
  it('on a feature branch, without --base: changes since the merge base with main, one line per path', async () => {
    const r = await repo();
    await r.checkout('Feature/X', { create: true });
    await r.commit('work', { 'team/a.yaml': 'a: 2\n', 'team/new\nline.yaml': 'n: 1\n' });
    await r.rename('team/b.yaml', 'team/c.yaml');
    expect(await detectCommand(['--repo', r.dir])).toBe(0);
    expect(term.out).toBe(
      ['M  team/a.yaml', 'R  team/b.yaml -> team/c.yaml', 'A  "team/new\\nline.yaml"', ''].join('\n'),
    );
    expect(term.err).toMatch(
      /^No base was given\. Compared with the merge base of main \([0-9a-f]{7}\)\.\n3 paths \(1 added, 1 modified, 1 renamed\), [0-9a-f]{12}\.\.[0-9a-f]{12} on Feature\/X\./,
    );
  });

  it('--base/--head/--branch and --json print the manifest', async () => {
    const r = await repo();
    const base = await r.rev();
    const head = await r.commit('tags', { 'team/tags.yaml': 'tags: {x: y}\n' });
    await r.commit('later', { 'team/a.yaml': 'not in range\n' });
    expect(
      await detectCommand(['--repo', r.dir, '--base', base, '--head', head, '--branch', 'Rel/1', '--json']),
    ).toBe(0);
    const m = JSON.parse(term.out);
    expect(m).toMatchObject({
      version: 1,
      mode: 'diff',
      event: 'local',
      branch: 'Rel/1',
      baseSha: base,
      headSha: head,
    });
    expect(m.entries.map((e: { path: string; reason: string }) => `${e.path} ${e.reason}`)).toEqual([
      'team/a.yaml tags-changed',
      'team/b.yaml tags-changed',
      'team/tags.yaml changed',
    ]);
  });

  it('on the default branch without --base lists every config and says why', async () => {
    const r = await repo();
    expect(await detectCommand(['--repo', r.dir])).toBe(0);
    expect(term.out).toBe('*  team/a.yaml  (full listing)\n*  team/b.yaml  (full listing)\n');
    expect(term.err).toMatch(/default branch main itself/);
  });

  it('a bad flag or base is a usage error', async () => {
    const r = await repo();
    await expect(detectCommand(['--nope'])).rejects.toThrow(UsageError);
    await expect(detectCommand(['--repo', r.dir, '--base', 'no-such-branch'])).rejects.toThrow(
      /could not be fetched/,
    );
  });
});
