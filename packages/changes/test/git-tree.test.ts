import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { rmSync } from 'node:fs';
import { GitRepo } from '../../../test/helpers/git-repo.js';
import { GitTree } from '../src/index.js';

// Real git processes: generous limits for a loaded 2-core CI machine (each test takes well under a second alone).
jest.setTimeout(60_000);

const made: string[] = [];
const trees: GitTree[] = [];
afterAll(() => {
  for (const t of trees) t.close();
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

async function repoWith(files: Parameters<GitRepo['commit']>[1]): Promise<GitRepo> {
  const repo = await GitRepo.init();
  made.push(repo.dir);
  await repo.commit('files', files);
  return repo;
}

function tree(...args: ConstructorParameters<typeof GitTree>): GitTree {
  const t = new GitTree(...args);
  trees.push(t);
  return t;
}

describe('GitTree', () => {
  it('lists files, symlinks (with their target) and submodules of one commit, sorted', async () => {
    const sub = await repoWith({ 'inner.yaml': 'i: 1\n' });
    const repo = await repoWith({
      'team/b.yaml': 'b: 1\n',
      'team/a.yaml': 'a: 1\n',
      'team/link.yaml': { symlink: '../outside/secret.yaml' },
    });
    await repo.git(['-c', 'protocol.file.allow=always', 'submodule', '--quiet', 'add', sub.dir, 'team/sub']);
    const sha = await repo.commit('with submodule');
    expect(await tree(repo.dir, sha).list()).toEqual([
      { path: '.gitmodules', kind: 'file', size: expect.any(Number) },
      { path: 'team/a.yaml', kind: 'file', size: 5 },
      { path: 'team/b.yaml', kind: 'file', size: 5 },
      { path: 'team/link.yaml', kind: 'symlink', linkTarget: '../outside/secret.yaml', size: 22 },
      { path: 'team/sub', kind: 'submodule' },
    ]);
  });

  it('without sizes, listTops reads only tree objects and gives exactly the whole listing of those folders', async () => {
    const sub = await repoWith({ 'inner.yaml': 'i: 1\n' });
    const repo = await repoWith({
      'item-store.yaml': 'version: 1\n',
      'tags.yaml': 'tags: {}\n',
      'team/a.yaml': 'a: 1\n',
      'team/deep/er/x y.yaml': 'x: 1\n',
      'team/ünï.json': '{}\n',
      'team/link.yaml': { symlink: '../outside/secret.yaml' },
      'team/dirlink': { symlink: 'deep' },
      'other/b.yaml': 'b: 1\n',
      'other.yaml': 'o: 1\n',
      toplink: { symlink: 'team' },
    });
    await repo.git(['-c', 'protocol.file.allow=always', 'submodule', '--quiet', 'add', sub.dir, 'team/sub']);
    const sha = await repo.commit('with submodule');
    for (const subdir of ['', 'team']) {
      const whole = await tree(repo.dir, sha, subdir, { sizes: false }).list();
      const tops = subdir ? ['deep', 'nothere'] : ['team', 'toplink', 'nothere'];
      const part = tree(repo.dir, sha, subdir, { sizes: false });
      const listed = await part.listTops(tops);
      expect(listed).toEqual(
        whole.filter((f) => !f.path.includes('/') || tops.includes(f.path.split('/')[0]!)),
      );
      // Reads by folder agree with reads from the whole listing, listed or not, present or not.
      const full = tree(repo.dir, sha, subdir, { sizes: false });
      await full.list();
      for (const path of [...whole.map((f) => f.path), 'team/dirlink/er/x y.yaml', 'nope/x.yaml', 'team']) {
        expect({ path, bytes: await part.read(path) }).toEqual({ path, bytes: await full.read(path) });
      }
    }
  });

  it('without sizes, listTops of many folders (one ls-tree of just those) gives the same listing and reads', async () => {
    // Folder names that would be patterns to git (taken literally) and one that is a prefix of another.
    const names = ['team', 'team-b', '*', '[ab]', 'a b', 'ünï', ':(glob)x', 'other'];
    const files: Parameters<GitRepo['commit']>[1] = {
      'item-store.yaml': 'version: 1\n',
      'tags.yaml': 'tags: {}\n',
    };
    for (const at of ['', 'configs/']) {
      for (const n of names) {
        files[`${at}${n}/a.yaml`] = `${n}: 1\n`;
        files[`${at}${n}/deep/er/x y.yaml`] = 'x: 1\n';
        files[`${at}${n}/tags.yaml`] = 'tags: {}\n';
      }
    }
    files['team/link.yaml'] = { symlink: '../outside/secret.yaml' };
    files['team/dirlink'] = { symlink: 'deep' };
    files['toplink'] = { symlink: 'team' };
    files['b.yaml'] = 'b: 1\n';
    const repo = await repoWith(files);
    const sub = await repoWith({ 'inner.yaml': 'i: 1\n' });
    await repo.git(['-c', 'protocol.file.allow=always', 'submodule', '--quiet', 'add', sub.dir, 'team/sub']);
    const sha = await repo.commit('more');
    for (const [subdir, tops] of [
      ['', ['team', '*', '[ab]', 'ünï', ':(glob)x', 'toplink', 'nothere']],
      ['', ['team-b', '*', 'other', 'configs', 'b.yaml']],
      ['configs', ['team', 'team-b', 'a b', '*', 'nothere']], // a config repo in a subfolder
    ] as const) {
      const whole = await tree(repo.dir, sha, subdir, { sizes: false }).list();
      const part = tree(repo.dir, sha, subdir, { sizes: false });
      const listed = await part.listTops(tops);
      expect(listed).toEqual(
        whole.filter(
          (f) => !f.path.includes('/') || (tops as readonly string[]).includes(f.path.split('/')[0]!),
        ),
      );
      expect((part as unknown as { listed?: unknown }).listed).toBeDefined(); // listed by ls-tree
      // Listed ahead (the whole listing, started before the tops are known): the same listing and reads.
      const ahead = tree(repo.dir, sha, subdir, { sizes: false });
      ahead.listAhead(tops.map((t) => `${t}/x.yaml`));
      expect((ahead as unknown as { index?: unknown }).index).toBeDefined(); // ls-tree started
      expect(await ahead.listTops(tops)).toEqual(listed);
      for (const path of [...whole.map((f) => f.path), 'nope/x.yaml', 'team', '*']) {
        expect({ path, bytes: await ahead.read(path) }).toEqual({ path, bytes: await part.read(path) });
      }
      const full = tree(repo.dir, sha, subdir, { sizes: false });
      await full.list();
      for (const path of [
        ...whole.map((f) => f.path),
        'team/dirlink/er/x y.yaml',
        'nope/x.yaml',
        'team',
        '*',
      ]) {
        expect({ path, bytes: await part.read(path) }).toEqual({ path, bytes: await full.read(path) });
      }
    }
  });

  it('a config repo in a subfolder: paths below it, symlink targets kept', async () => {
    const repo = await repoWith({
      'configs/team/a.yaml': 'a: 1\n',
      'configs/team/link.yaml': { symlink: '/etc/passwd' },
      'other/x.yaml': 'x: 1\n',
    });
    expect(await tree(repo.dir, await repo.rev(), 'configs').list()).toEqual([
      { path: 'team/a.yaml', kind: 'file', size: 5 },
      { path: 'team/link.yaml', kind: 'symlink', linkTarget: '/etc/passwd', size: 11 },
    ]);
  });

  it('reads the bytes at that commit, not the working tree; symlinks and missing paths read as undefined', async () => {
    const repo = await repoWith({ 'team/a.yaml': 'old\n', 'team/l.yaml': { symlink: 'a.yaml' } });
    const old = await repo.rev();
    await repo.commit('new', { 'team/a.yaml': 'new\n' });
    repo.write({ 'team/a.yaml': 'uncommitted\n' });
    const t = tree(repo.dir, old);
    expect((await t.read('team/a.yaml'))?.toString()).toBe('old\n');
    expect((await tree(repo.dir, 'HEAD').read('team/a.yaml'))?.toString()).toBe('new\n');
    expect(await t.read('team/l.yaml')).toBeUndefined();
    expect(await t.read('team/missing.yaml')).toBeUndefined();
    expect(await t.read('team')).toBeUndefined();
    expect(t.label).toBe(`commit ${old.slice(0, 7)}`);
  });

  it('keeps odd names exact and binary content byte for byte', async () => {
    const bytes = Buffer.from([0, 1, 2, 10, 13, 255, 254, 0x0a, 0x0a]);
    const names = ['t/new\nline.yaml', 't/quote"s\'.yaml', 't/ünï 日本.json', '-dash.yaml', 't/tab\t.yml'];
    const repo = await repoWith({
      ...Object.fromEntries(names.map((n) => [n, `${n}\n`])),
      't/bin.json': bytes,
    });
    const t = tree(repo.dir, await repo.rev());
    expect((await t.list()).map((f) => f.path).sort()).toEqual([...names, 't/bin.json'].sort());
    for (const n of names) expect((await t.read(n))?.toString()).toBe(`${n}\n`);
    expect(await t.read('t/bin.json')).toEqual(bytes);
  });

  it('views a subfolder as the root', async () => {
    const repo = await repoWith({
      'configs/team/a.yaml': 'a\n',
      'other/b.yaml': 'b\n',
      'configs-not/c.yaml': 'c\n',
    });
    const t = tree(repo.dir, await repo.rev(), 'configs');
    expect((await t.list()).map((f) => f.path)).toEqual(['team/a.yaml']);
    expect((await t.read('team/a.yaml'))?.toString()).toBe('a\n');
    expect(await t.read('../other/b.yaml')).toBeUndefined();
  });

  it('reads 10,000 files through one cat-file process', async () => {
    const repo = await GitRepo.init();
    made.push(repo.dir);
    const files: Record<string, string> = {};
    for (let i = 0; i < 10_000; i++) files[`team${i % 20}/cfg-${i}.yaml`] = `id: ${i}\n`;
    const sha = await repo.importCommit('main', files);
    const t = tree(repo.dir, sha);
    const list = await t.list();
    expect(list).toHaveLength(10_000);
    const contents = await Promise.all(list.map((f) => t.read(f.path)));
    const byPath = new Map(list.map((f, i) => [f.path, contents[i]?.toString()]));
    expect(byPath.get('team7/cfg-9987.yaml')).toBe('id: 9987\n');
    expect([...byPath.values()].every((v, i) => v === files[list[i]!.path])).toBe(true);
  });

  it.each([
    ['at the top', ''],
    ['in a subfolder', 'configs/'],
  ])('prefetch (%s) changes nothing that is read, whatever the named files are', async (_, sub) => {
    const repo = await repoWith({
      [`${sub}item-store.yaml`]: 'version: 1\n',
      [`${sub}link.yaml`]: { symlink: 'item-store.yaml' },
      [`${sub}team/a.yaml`]: 'a: 1\n',
      [`${sub}same.yaml`]: 'a: 1\n',
    });
    const sha = await repo.rev();
    const names = ['item-store.yaml', 'link.yaml', 'team', 'missing.yaml', 'team/a.yaml', 'same.yaml'];
    const plain = tree(repo.dir, sha, sub, { sizes: false });
    const early = tree(repo.dir, sha, sub, { sizes: false });
    early.prefetch(names);
    for (const name of [...names, ...names]) {
      expect({ name, bytes: await early.read(name) }).toEqual({ name, bytes: await plain.read(name) });
    }
    expect(await early.listTops(['team'])).toEqual(await plain.listTops(['team']));
    expect((await early.read('item-store.yaml'))?.toString()).toBe('version: 1\n');
    expect(await early.read('link.yaml')).toBeUndefined();
  });

  it('reads a commit by name through the same process: its id and parents', async () => {
    const repo = await repoWith({ 'a.yaml': 'a\n' });
    const first = await repo.rev();
    const second = await repo.commit('second', { 'b.yaml': 'b\n' });
    const t = tree(repo.dir, first, '', { sizes: false });
    expect(await t.commit('HEAD')).toEqual({ id: second, parents: [first] });
    expect(await t.commit(first)).toEqual({ id: first, parents: [] });
    expect(await t.commit('no-such-branch')).toBeUndefined();
    await expect(t.commit('HEAD\nHEAD')).rejects.toThrow(/not a name/);
  });

  it('rejects a commit that does not exist', async () => {
    const repo = await repoWith({ 'a.yaml': 'a\n' });
    await expect(tree(repo.dir, 'f'.repeat(40)).list()).rejects.toThrow(/git ls-tree/);
  });
});
