/**
 * openTrees checks that the working tree (what the writers read) is at the manifest's head commit, and warns when it
 * is not, unless it is a merge commit with the head among its parents (a pull request's checkout). The check runs
 * beside the reading (through the base's cat-file process in diff mode, `git rev-parse` otherwise); its warning
 * must still be the same, and still come before anything resolveManifest reports.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { ChangeManifest, Logger } from '@itemstore/core';
import { detectChanges } from '@itemstore/changes';
import { openTrees, resolveManifest } from '@itemstore/resolve';
import { GitRepo } from '../../../test/helpers/git-repo.js';
import { bucketsNamed, settingsYaml } from '../../../test/helpers/settings.js';

jest.setTimeout(60_000);

const SETTINGS = settingsYaml({ buckets: bucketsNamed('retail'), teams: ['ffi2'] });

let repo: GitRepo;
let first: string;
let head: string;
let other: string;
let merge: string;
let diff: ChangeManifest;

beforeAll(async () => {
  repo = await GitRepo.init();
  first = await repo.commit('initial', { 'item-store.yaml': SETTINGS, 'ffi2/a.yaml': 'a: 1\n' });
  head = await repo.commit('edit', { 'ffi2/a.yaml': 'a: 2\n' });
  diff = await detectChanges({
    directory: repo.dir,
    event: { eventName: 'push', payload: { before: first, after: head, ref: 'refs/heads/main' }, sha: head },
    remote: null,
    fetch: false,
  });
  // A commit beside the head, and a merge of the head into it (as GitHub's pull request merge commit).
  await repo.git(['checkout', '-q', '-b', 'side', first]);
  other = await repo.commit('side', { 'ffi2/b.yaml': 'b: 1\n' });
  await repo.git(['merge', '-q', '--no-edit', head]);
  merge = await repo.rev();
});
afterAll(() => repo?.remove());

function recording(): { logger: Logger; warnings: string[]; debug: string[] } {
  const warnings: string[] = [];
  const debug: string[] = [];
  const logger: Logger = {
    debug: (m: string) => void debug.push(m),
    info: () => undefined,
    warning: (m: string) => void warnings.push(m),
    error: () => undefined,
  } as Logger;
  return { logger, warnings, debug };
}

async function warningsAt(commit: string, changes: ChangeManifest): Promise<string[]> {
  await repo.git(['checkout', '-q', '--detach', commit]);
  const { logger, warnings, debug } = recording();
  const trees = await openTrees(changes, logger);
  try {
    await resolveManifest(changes, {
      head: trees.head,
      ...(trees.base ? { base: trees.base } : {}),
      logger,
      checked: trees.checked,
    });
  } finally {
    trees.close();
  }
  // With a base, the check needs no git process of its own.
  const commands = debug.filter((m) => /^git (rev-parse|rev-list)/.test(m));
  if (changes.mode === 'diff') expect(commands).toEqual([]);
  else expect(commands).not.toEqual([]);
  return warnings;
}

const modes: [string, () => ChangeManifest][] = [
  ['diff mode (through the base’s cat-file)', () => diff],
  ['all mode (git rev-parse)', () => ({ ...diff, mode: 'all' as const })],
];

describe.each(modes)('the working tree check, %s', (_, changes) => {
  it('is silent when the working tree is at the head', async () => {
    expect(await warningsAt(head, changes())).toEqual([]);
  });

  it('warns when the working tree is at another commit', async () => {
    expect(await warningsAt(other, changes())).toEqual([
      `the working tree is at ${other.slice(0, 12)}, not at the manifest's head ${head.slice(0, 12)}: configs are read from the working tree`,
    ]);
  });

  it('is silent at a merge commit whose parents include the head', async () => {
    expect(await warningsAt(merge, changes())).toEqual([]);
  });
});

it('its warning comes before what resolveManifest reports (an unusable item-store.yaml at the base)', async () => {
  const broken = await GitRepo.init();
  try {
    const base = await broken.commit('initial', {
      'item-store.yaml': 'version: [\n',
      'ffi2/a.yaml': 'a: 1\n',
    });
    const after = await broken.commit('fix', { 'item-store.yaml': SETTINGS, 'ffi2/a.yaml': 'a: 2\n' });
    const changes = await detectChanges({
      directory: broken.dir,
      event: { eventName: 'push', payload: { before: base, after, ref: 'refs/heads/main' }, sha: after },
      remote: null,
      fetch: false,
    });
    await broken.git(['checkout', '-q', '-b', 'side', base]);
    await broken.commit('side', { 'item-store.yaml': SETTINGS, 'ffi2/c.yaml': 'c: 1\n' });
    const { logger, warnings } = recording();
    const trees = await openTrees(changes, logger);
    try {
      await resolveManifest(changes, { head: trees.head, base: trees.base!, logger, checked: trees.checked });
    } finally {
      trees.close();
    }
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^the working tree is at [0-9a-f]{12}, not at the manifest's head /);
    expect(warnings[1]).toMatch(/^item-store\.yaml at the commit [0-9a-f]{7} is not usable/);
  } finally {
    broken.remove();
  }
});
