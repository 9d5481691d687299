import { describe, expect, test } from '@jest/globals';
import { classifyPath, configName, isConfigPathShape, isTagsFile, parseSettings } from '../src/index.js';
import { SETTINGS_YAML } from './helpers.js';

const settings = parseSettings(SETTINGS_YAML);
const kind = (p: string): string => {
  const c = classifyPath(settings, p);
  return c.kind === 'config' ? `config:${c.team}` : c.kind === 'error' ? `error:${c.error.code}` : c.kind;
};

describe('classifyPath', () => {
  test('configs are .yaml, .yml and .json files under a listed team folder, at any depth', () => {
    expect(kind('data-router/default/orders.yaml')).toBe('config:data-router');
    expect(kind('ffi2/a.yml')).toBe('config:ffi2');
    expect(kind('ffi2/x/y/z/emr_cluster.json')).toBe('config:ffi2');
    expect(kind('ffi2/item-store.yaml')).toBe('config:ffi2');
  });

  test('settings, tags files, dot segments and other extensions are not configs', () => {
    expect(kind('item-store.yaml')).toBe('settings');
    expect(kind('tags.yaml')).toBe('tags');
    expect(kind('ffi2/default/tags.yml')).toBe('tags');
    expect(kind('.github/workflows/deploy.yaml')).toBe('ignored');
    expect(kind('ffi2/.drafts/a.yaml')).toBe('ignored');
    expect(kind('ffi2/default/.hidden.yaml')).toBe('ignored');
    expect(kind('ffi2/README.md')).toBe('ignored');
    expect(kind('ffi2/a.YAML')).toBe('ignored');
    expect(kind('ffi2/a.yaml.bak')).toBe('ignored');
    expect(kind('README.md')).toBe('ignored');
  });

  test('a config at the root is outside-team; below an unlisted folder it is unknown-team', () => {
    expect(kind('orders.yaml')).toBe('error:outside-team');
    expect(kind('item-store.yml')).toBe('error:outside-team');
    expect(kind('marketing/default/a.yaml')).toBe('error:unknown-team');
    const c = classifyPath(settings, 'FFI2/a.yaml');
    expect(c.kind === 'error' && c.error.message).toBe(
      'FFI2/ is not a team folder: team folders are case-sensitive and the team is "ffi2"',
    );
    expect(c.kind === 'error' && c.error.file).toBe('FFI2/a.yaml');
  });
});

describe('path helpers', () => {
  test('isConfigPathShape follows the rules without settings', () => {
    expect(isConfigPathShape('anything/x.json')).toBe(true);
    expect(isConfigPathShape('orders.yaml')).toBe(true);
    expect(isConfigPathShape('item-store.yaml')).toBe(false);
    expect(isConfigPathShape('a/tags.yaml')).toBe(false);
    expect(isConfigPathShape('a/.b/c.yaml')).toBe(false);
    expect(isConfigPathShape('a/b.txt')).toBe(false);
  });

  test('isTagsFile and configName', () => {
    expect(isTagsFile('tags.yml')).toBe(true);
    expect(isTagsFile('a/tags.yaml')).toBe(true);
    expect(isTagsFile('a/tags.json')).toBe(false);
    expect(isTagsFile('a/my-tags.yaml')).toBe(false);
    expect(configName('a/default/Orders_SC.yaml')).toBe('Orders_SC');
    expect(configName('a/orders.v2.json')).toBe('orders.v2');
  });

  test('isTagsFile and configName agree with their definitions on odd paths', () => {
    const paths = [
      'tags.yaml',
      'tags.yml',
      'xtags.yaml',
      'a/xtags.yml',
      'a.b/tags.yaml',
      'a/tags.yaml/b',
      '.hidden',
      'a/.hidden',
      'a.b/c',
      'x',
      'a/b.',
      'a/.b.yaml',
      'a.yaml/b',
      'tags.yaml.yaml',
      'a//tags.yml',
      'é/ü.json',
    ];
    for (const p of paths) {
      const base = p.slice(p.lastIndexOf('/') + 1);
      const dot = base.lastIndexOf('.');
      expect({ p, tags: isTagsFile(p), name: configName(p) }).toEqual({
        p,
        tags: base === 'tags.yaml' || base === 'tags.yml',
        name: dot > 0 ? base.slice(0, dot) : base,
      });
    }
  });
});
