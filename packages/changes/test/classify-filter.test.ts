import { describe, expect, it } from '@jest/globals';
import { UsageError } from '@itemstore/core';
import { isConfigPathShape, isTagsFile, pathKind as classifyPath, tagsScope } from '@itemstore/config';
import picomatch from 'picomatch';
import { PathFilter } from '../src/index.js';
import { matchesAnything } from '../src/filter.js';

describe('pathKind (SPEC §2 by shape, config/src/paths.ts), as the change detector uses it', () => {
  it.each([
    ['data-router/default/orders.yaml', 'config'],
    ['ffi2/spark/emr_cluster.json', 'config'],
    ['team/x.yml', 'config'],
    ['team/tags.yaml', 'tags'],
    ['team/default/tags.yml', 'tags'],
    ['tags.yaml', 'tags'],
    ['item-store.yaml', 'settings'],
    ['team/item-store.yaml', 'config'],
    ['team/tags.json', 'config'],
    ['-dash/ leading space.yaml', 'config'],
  ])('%s is a %s', (path, kind) => expect(classifyPath(path)).toBe(kind));

  it.each([
    '.github/workflows/deploy.yml',
    'team/.hidden.yaml',
    'team/.drafts/orders.yaml',
    'team/README.md',
    'team/orders.yaml.bak',
    'team/.yaml',
    'item-store.yml.txt',
  ])('%s is not part of the store', (path) => expect(classifyPath(path)).toBeUndefined());

  it('agrees with @itemstore/config on every sample (the resolver classifies the same paths again)', () => {
    const samples = [
      'a/b.yaml',
      'a/b.yml',
      'a/b.json',
      'a/b.YAML',
      'a/tags.yaml',
      'a/tags.yml',
      'tags.yaml',
      'item-store.yaml',
      'a/item-store.yaml',
      'a/.x/b.yaml',
      '.github/w.yml',
      'a/b.txt',
      'a/b.yaml.orig',
      'x.json',
      'a/tags.json',
    ];
    for (const p of samples) {
      const expected =
        p === 'item-store.yaml'
          ? 'settings'
          : isConfigPathShape(p)
            ? 'config'
            : isTagsFile(p) && !p.split('/').some((s) => s.startsWith('.'))
              ? 'tags'
              : undefined;
      expect([p, classifyPath(p)]).toEqual([p, expected]);
    }
  });

  it('a tags file applies to its folder and below', () => {
    expect(tagsScope('tags.yaml')).toBe('');
    expect(tagsScope('team/default/tags.yaml')).toBe('team/default/');
  });
});

describe('PathFilter', () => {
  it('by default takes every config, tags and settings file and nothing else', () => {
    const f = new PathFilter();
    expect(f.kindOf('team/a.yaml')).toBe('config');
    expect(f.kindOf('team/tags.yaml')).toBe('tags');
    expect(f.kindOf('item-store.yaml')).toBe('settings');
    expect(f.kindOf('team/notes.txt')).toBeUndefined();
    expect(f.kindOf('.github/x.yaml')).toBeUndefined();
  });

  it('reads paths in order, the last match deciding, with ! negation', () => {
    const f = new PathFilter({
      paths: ['data-router/**', '!data-router/legacy/**', 'data-router/legacy/keep.yaml'],
    });
    expect(f.kindOf('data-router/a.yaml')).toBe('config');
    expect(f.kindOf('data-router/legacy/old.yaml')).toBeUndefined();
    expect(f.kindOf('data-router/legacy/keep.yaml')).toBe('config');
    expect(f.kindOf('ffi2/a.yaml')).toBeUndefined();
  });

  it('treats a paths list of negations alone as "everything but"', () => {
    const f = new PathFilter({ paths: ['!ffi2/**'] });
    expect(f.kindOf('data-router/a.yaml')).toBe('config');
    expect(f.kindOf('ffi2/a.yaml')).toBeUndefined();
  });

  it('excludes, and takes back with a negated exclude', () => {
    const f = new PathFilter({ exclude: ['**/*.json', '!keep/**'] });
    expect(f.kindOf('team/a.json')).toBeUndefined();
    expect(f.kindOf('keep/a.json')).toBe('config');
    expect(f.kindOf('team/a.yaml')).toBe('config');
  });

  it('matches dot-less globs across names with dots and odd characters', () => {
    const f = new PathFilter({ paths: ['team/**'] });
    expect(f.kindOf('team/sub dir/it\'s "q".yaml')).toBe('config');
    expect(f.kindOf('team/line\nbreak.yaml')).toBe('config');
  });

  it('refuses absolute and empty patterns with one sentence', () => {
    expect(() => new PathFilter({ paths: ['/team/**'] })).toThrow(UsageError);
    expect(() => new PathFilter({ exclude: ['!'] })).toThrow(/empty pattern/);
  });
});

describe('the default pattern `**` without picomatch', () => {
  it('matches exactly what picomatch compiles `**` to, on odd names', () => {
    const all = picomatch('**', { dot: true, flags: 's' });
    const names = [
      'a',
      'a/b',
      '.a',
      'a/.b',
      '..a',
      'a/..b',
      '...',
      'a/...',
      'a b',
      'a\nb',
      'a\\b',
      'ü/ß.yaml',
      '-x',
      '#x',
      '!x',
      'a/!b',
      '[a]',
      '(a)',
      '{a,b}',
      '*',
      'a/*',
      '?',
      '.git/x',
      'a/.',
      'a/..',
      '.',
      '..',
      './a',
      '../a',
      'a/./b',
      'a/../b',
      'a//b',
      '/a',
      'a/',
      '',
      ' ',
      '\u2028',
      'a\tb',
      '%',
      '@(x)',
      '+(x)',
      'x|y',
      '.../a',
      'a/.../b',
      '.\n.',
      '\n',
      'a/\n/b',
      'team/default/orders.yaml',
      'team/.hidden/x.json',
    ];
    for (const n of names) expect([n, matchesAnything(n)]).toEqual([n, all(n)]);
  });
});
