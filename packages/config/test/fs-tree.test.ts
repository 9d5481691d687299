import { afterAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { FsTree } from '../src/index.js';
import { makeRepo, removeRepos } from './helpers.js';

afterAll(removeRepos);

describe('FsTree', () => {
  test('lists regular files and symlinks sorted by path, skips .git, never follows links', async () => {
    const outside = makeRepo({ 'secret.yaml': 'x: 1\n' });
    const dir = makeRepo({
      'b.yaml': 'b: 1\n',
      'a/z.json': '{}\n',
      'a/link.yaml': { symlink: '/etc/passwd' },
      'a/dirlink': { symlink: outside },
      '.git/config': '[core]\n',
      '.github/workflows/x.yml': 'on: push\n',
    });
    const files = await new FsTree(dir).list();
    expect(files).toEqual([
      { path: '.github/workflows/x.yml', kind: 'file' },
      { path: 'a/dirlink', kind: 'symlink', linkTarget: outside },
      { path: 'a/link.yaml', kind: 'symlink', linkTarget: '/etc/passwd' },
      { path: 'a/z.json', kind: 'file' },
      { path: 'b.yaml', kind: 'file' },
    ]);
    // Sizes only when asked (no stat per file in the listing); links and missing files have none.
    const sizes = await new FsTree(dir).sizes([
      '.github/workflows/x.yml',
      'a/z.json',
      'b.yaml',
      'a/link.yaml',
      'nope.yaml',
    ]);
    expect(Object.fromEntries(sizes)).toEqual({ '.github/workflows/x.yml': 9, 'a/z.json': 3, 'b.yaml': 5 });
  });

  test('skips FIFOs (reading one would hang)', async () => {
    const dir = makeRepo({ 'ffi2/a.yaml': 'a: 1\n' });
    execFileSync('mkfifo', [join(dir, 'ffi2', 'pipe.yaml')]);
    expect((await new FsTree(dir).list()).map((f) => f.path)).toEqual(['ffi2/a.yaml']);
  });

  test('reads regular files; a symlink, a path through a symlinked folder or a missing file reads as undefined', async () => {
    const outside = makeRepo({ 'secret.yaml': 'x: 1\n' });
    const dir = makeRepo({
      'a/b.yaml': 'b: 1\n',
      'a/link.yaml': { symlink: 'b.yaml' },
      'a/out': { symlink: outside },
    });
    const tree = new FsTree(dir);
    expect((await tree.read('a/b.yaml'))?.toString()).toBe('b: 1\n');
    expect(await tree.read('a/link.yaml')).toBeUndefined();
    expect(await tree.read('a/out/secret.yaml')).toBeUndefined();
    expect(await tree.read('a/missing.yaml')).toBeUndefined();
    expect(await tree.read('a/b.yaml/x')).toBeUndefined();
  });

  test('read() opens without following links: a FIFO, a folder, a socket or a dangling link reads as undefined, an empty file as empty, a link loop on the way throws', async () => {
    const dir = makeRepo({
      'a/b.yaml': 'b: 1\n',
      'a/empty.yaml': '',
      'a/dangling.yaml': { symlink: 'nope.yaml' },
    });
    execFileSync('mkfifo', [join(dir, 'a', 'pipe.yaml')]);
    mkdirSync(join(dir, 'a', 'folder.yaml'));
    symlinkSync('loop', join(dir, 'a', 'loop'));
    const server = createServer();
    await new Promise<void>((done) => server.listen(join(dir, 'a', 'socket.yaml'), done));
    try {
      const tree = new FsTree(dir);
      expect((await tree.read('a/b.yaml'))?.toString()).toBe('b: 1\n');
      expect((await tree.read('a/empty.yaml'))?.length).toBe(0);
      expect(await tree.read('a/pipe.yaml')).toBeUndefined();
      expect(await tree.read('a/folder.yaml')).toBeUndefined();
      expect(await tree.read('a/socket.yaml')).toBeUndefined();
      expect(await tree.read('a/dangling.yaml')).toBeUndefined();
      // Not a missing file: an error of the checkout, thrown as by the lstat of the path.
      await expect(tree.read('a/loop/x.yaml')).rejects.toThrow(/ELOOP/);
    } finally {
      server.close();
    }
  });

  test('refuses paths that are not normalized repo paths (a bug in the caller, not user input)', async () => {
    const dir = makeRepo({ 'a.yaml': 'a: 1\n' });
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'x.yaml'), 'x: 1\n');
    const tree = new FsTree(join(dir, 'sub'));
    await expect(tree.read('../a.yaml')).rejects.toThrow(/not a normalized path/);
    await expect(tree.read('/etc/passwd')).rejects.toThrow(/not a normalized path/);
    expect((await tree.read('x.yaml'))?.toString()).toBe('x: 1\n');
  });

  test('keepBytes: sizes() reads each file once and read() answers those bytes; everything else as without it', async () => {
    const outside = makeRepo({ 'secret.yaml': 'x: 1\n' });
    const dir = makeRepo({
      'a/b.yaml': 'b: 1\n',
      'a/empty.yaml': '',
      'a/link.yaml': { symlink: 'b.yaml' },
      'a/out': { symlink: outside },
      'a/locked.yaml': 'secret: 1\n',
      'c/d.json': '{"d": 1}\n',
    });
    linkSync(join(dir, 'c', 'd.json'), join(dir, 'c', 'hard.json'));
    execFileSync('mkfifo', [join(dir, 'a', 'pipe.yaml')]);
    chmodSync(join(dir, 'a', 'locked.yaml'), 0);
    const paths = [
      'a/b.yaml',
      'a/empty.yaml',
      'a/link.yaml',
      'a/out/secret.yaml',
      'a/pipe.yaml',
      'a/locked.yaml',
      'a/missing.yaml',
      'a/b.yaml/x',
      'c/d.json',
      'c/hard.json',
    ];
    const plain = new FsTree(dir);
    const kept = new FsTree(dir, { keepBytes: true });
    // The same sizes and hard-link warnings (the FIFO is opened without blocking, found not to be a file, not read).
    expect(await kept.sizes(paths)).toEqual(await plain.sizes(paths));
    expect(kept.hardLinks).toEqual(plain.hardLinks);
    expect(Object.fromEntries(kept.hardLinks)).toEqual({ 'c/d.json': 2, 'c/hard.json': 2 });

    // What sizes() read is what read() answers, once, even if the file changed since; the next read is fresh.
    writeFileSync(join(dir, 'a', 'b.yaml'), 'b: 2\n');
    expect((await kept.read('a/b.yaml'))?.toString()).toBe('b: 1\n');
    expect((await kept.read('a/b.yaml'))?.toString()).toBe('b: 2\n');
    expect((await kept.read('c/d.json'))?.toString()).toBe('{"d": 1}\n');
    // Links, symlinked folders, missing files read as undefined; an empty file as empty, as without keepBytes.
    for (const path of ['a/empty.yaml', 'a/link.yaml', 'a/out/secret.yaml', 'a/missing.yaml', 'a/b.yaml/x']) {
      expect(await kept.read(path)).toEqual(await plain.read(path));
    }
    expect((await kept.read('a/empty.yaml'))?.length).toBe(0);
    // An unreadable file fails at read(), as without keepBytes (unless the tests run as root).
    if (process.getuid?.() !== 0) {
      await expect(kept.read('a/locked.yaml')).rejects.toThrow(/EACCES/);
      await expect(plain.read('a/locked.yaml')).rejects.toThrow(/EACCES/);
    }
  });
});
