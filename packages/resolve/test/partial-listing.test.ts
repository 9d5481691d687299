/**
 * resolve-tags lists only the root and the team folders of the changed configs' namespaces (RepoTree.listTops), in
 * the working tree and, folder by folder through `git cat-file`, in the base commit (asked ahead, by name, for the
 * head's folders and tags files). These tests prove that this gives the very manifest the whole-tree walk gives,
 * push after push on a real repository: renames, tags.yaml and item-store.yaml changes, identity collisions, teams
 * sharing a namespace, symlinks, files entries, bad paths, and a config repo in a subfolder of the git repository.
 */
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import type { ChangeManifest, RepoTree, ResolvedManifest, TreeFile } from '@itemstore/core';
import { detectChanges } from '@itemstore/changes';
import { mkdirSync } from 'node:fs';
import { openTrees, resolveManifest } from '@itemstore/resolve';
import { GitRepo } from '../../../test/helpers/git-repo.js';
import { bucketsNamed, settingsYaml } from '../../../test/helpers/settings.js';

jest.setTimeout(120_000);

const repos: GitRepo[] = [];
afterAll(() => repos.forEach((r) => r.remove()));

const SETTINGS = settingsYaml({
  buckets: bucketsNamed('retail'),
  teams: ['emr', 'data-router', 'ffi2'],
  // spark shares emr's namespace: a change in one must resolve the other's configs too.
  extraTeams: '  spark: { tenant: retail, namespace: emr-jobs }\n',
});

/** A tree that hides listTops (so resolve walks it whole) and records which listing was used. */
class Counting implements RepoTree {
  lists = 0;
  tops = 0;
  constructor(
    private readonly inner: RepoTree,
    partial: boolean,
  ) {
    if (partial && inner.listTops) {
      this.listTops = (t: readonly string[]): Promise<TreeFile[]> => {
        this.tops++;
        return inner.listTops!(t);
      };
    }
    if (inner.sizes) this.sizes = (p: string[]) => inner.sizes!(p);
    // The partial run also asks the base ahead for the head's folders and tags files (GitTree.prefetch).
    if (partial && inner.prefetch) this.prefetch = (p: readonly string[]) => inner.prefetch!(p);
  }
  listTops?: (tops: readonly string[]) => Promise<TreeFile[]>;
  prefetch?: (paths: readonly string[]) => void;
  sizes?: (paths: string[]) => Promise<Map<string, number>>;
  get label(): string {
    return this.inner.label;
  }
  get hardLinks(): ReadonlyMap<string, number> | undefined {
    return this.inner.hardLinks;
  }
  list(): Promise<TreeFile[]> {
    this.lists++;
    return this.inner.list();
  }
  read(path: string): Promise<Buffer | undefined> {
    return this.inner.read(path);
  }
}

interface Both {
  partial: ResolvedManifest;
  whole: ResolvedManifest;
  headLists: number;
  baseLists: number;
}

/** detect as on a push from `before` to HEAD, then resolve twice: with partial listings and walking everything. */
async function resolveBoth(repo: GitRepo, before: string, directory: string): Promise<Both> {
  const after = await repo.rev();
  const changes: ChangeManifest = await detectChanges({
    directory,
    event: { eventName: 'push', payload: { before, after, ref: 'refs/heads/main' }, sha: after },
    remote: null,
    fetch: false,
  });
  const run = async (partial: boolean) => {
    const trees = await openTrees(changes, { ...silent });
    const head = new Counting(trees.head, partial);
    const base = trees.base && new Counting(trees.base, partial);
    try {
      const m = await resolveManifest(changes, { head, ...(base ? { base } : {}) });
      return { m, head, base };
    } finally {
      trees.close();
    }
  };
  const whole = await run(false);
  const partial = await run(true);
  return {
    partial: partial.m,
    whole: whole.m,
    headLists: partial.head.lists,
    baseLists: partial.base?.lists ?? 0,
  };
}

const silent = {
  debug: () => undefined,
  info: () => undefined,
  warning: () => undefined,
  error: () => undefined,
};

describe.each([
  ['at the top of the git repository', ''],
  ['in a subfolder of the git repository', 'configs/'],
])('partial listings give the whole walk’s manifest, config repo %s', (_, sub) => {
  it('push after push: edits, renames, tags.yaml and item-store.yaml changes, collisions, bad paths', async () => {
    const repo = await GitRepo.init();
    repos.push(repo);
    const at = (files: Record<string, string | null | { symlink: string }>) =>
      Object.fromEntries(Object.entries(files).map(([k, v]) => [`${sub}${k}`, v]));
    const dir = `${repo.dir}/${sub}`;
    const pushes: { name: string; base: string }[] = [];
    let base = await repo.commit(
      'initial',
      at({
        'item-store.yaml': SETTINGS,
        'tags.yaml': 'tags:\n  owner: platform\n',
        'emr/tags.yaml': 'tags:\n  interface: emr\n',
        'emr/jobs/nightly.yaml': 'steps:\n  - name: load\n',
        'emr/jobs/hourly.yaml': 'steps: []\n',
        'spark/tags.yaml': 'tags:\n  interface: spark\nfiles:\n  gone.yaml:\n    tags:\n      x: y\n',
        'spark/jobs/daily.yaml': 'steps: []\n',
        'data-router/default/orders.yaml': 'config_list:\n  - route: orders\n',
        'data-router/default/returns_SC.yaml': 'config_list:\n  - route: returns\n',
        'ffi2/a.yaml': 'a: 1\n',
        'ffi2/sub/b.json': '{"b": 2}\n',
        'README.md': '# configs\n',
      }),
    );

    const push = async (name: string, commit: () => Promise<string>) => {
      const before = base;
      base = await commit();
      pushes.push({ name, base: before });
      const r = await resolveBoth(repo, before, dir);
      expect({ name, manifest: r.partial }).toEqual({ name, manifest: r.whole });
      // Neither tree was listed whole (the settings and root tags pushes list every team folder, through listTops).
      expect({ name, headLists: r.headLists, baseLists: r.baseLists }).toEqual({
        name,
        headLists: 0,
        baseLists: 0,
      });
      return r.partial;
    };

    // One config edited: only emr and spark (one namespace) are listed.
    let m = await push('edit', () => repo.commit('edit', at({ 'emr/jobs/hourly.yaml': 'steps: [a]\n' })));
    expect(m.entries.map((e) => e.path)).toEqual([`emr/jobs/hourly.yaml`]);

    // A collision inside emr (same tags twice), and a config of the namespace's other team.
    m = await push('collision', () =>
      repo.commit(
        'collide',
        at({ 'emr/legacy/hourly.yaml': 'steps: []\n', 'spark/jobs/weekly.yaml': 'steps: []\n' }),
      ),
    );
    expect(m.errors.map((e) => `${e.file} ${e.code}`)).toEqual([
      'emr/jobs/hourly.yaml identity-conflict',
      'emr/legacy/hourly.yaml identity-conflict',
      'spark/tags.yaml tags-unknown-file',
    ]);

    // Renames within and across folders, one under default/ (old S3 key deleted), a name change.
    m = await push('renames', async () => {
      mkdirSync(`${dir}emr/other`, { recursive: true });
      mkdirSync(`${dir}data-router/default/eu`, { recursive: true });
      await repo.git(['mv', '--', `${sub}emr/jobs/nightly.yaml`, `${sub}emr/other/nightly.yaml`]);
      await repo.git([
        'mv',
        '--',
        `${sub}data-router/default/orders.yaml`,
        `${sub}data-router/default/eu/orders.yaml`,
      ]);
      await repo.git(['mv', '--', `${sub}ffi2/a.yaml`, `${sub}ffi2/renamed.yaml`]);
      return repo.commit('renames', at({ 'emr/legacy/hourly.yaml': null }));
    });
    expect(m.entries.some((e) => e.action === 'delete')).toBe(true);

    // A tags.yaml change (widened to every config below it) and a config deleted in the same push.
    m = await push('tags', () =>
      repo.commit(
        'retag',
        at({ 'emr/tags.yaml': 'tags:\n  interface: glue\n', 'spark/jobs/daily.yaml': null }),
      ),
    );
    expect(m.entries.filter((e) => e.action === 'delete').length).toBeGreaterThan(1);

    // Bad paths and kinds: a config outside any team, an unknown team, a symlink, a files entry for a missing file.
    m = await push('bad paths', () =>
      repo.commit(
        'bad',
        at({
          'loose.yaml': 'a: 1\n',
          'Emr/x.yaml': 'a: 1\n',
          'ffi2/link.yaml': { symlink: '../README.md' },
          'ffi2/tags.yaml': 'files:\n  nothere.yaml:\n    k: v\n',
          'ffi2/sub/b.json': '{"b": 3}\n',
        }),
      ),
    );
    expect(m.errors.length).toBeGreaterThan(2);

    // item-store.yaml changes: every config is in the manifest (every team folder is listed, on both sides).
    m = await push('settings', () =>
      repo.commit(
        'settings',
        at({
          'item-store.yaml': SETTINGS.replace('namespace: emr-jobs }\n', 'namespace: emr-batch }\n'),
          'loose.yaml': null,
          'Emr/x.yaml': null,
        }),
      ),
    );
    expect(m.entries.some((e) => e.reason === 'settings-changed')).toBe(true);

    // The root tags.yaml: every config, again on both sides.
    m = await push('root tags', () =>
      repo.commit('root tags', at({ 'tags.yaml': 'tags:\n  owner: data\n' })),
    );
    expect(m.entries.some((e) => e.reason === 'tags-changed')).toBe(true);

    // And the first push compared with the last one: many changes at once.
    const r = await resolveBoth(repo, pushes[0]!.base, dir);
    expect(r.partial).toEqual(r.whole);
  });
});
