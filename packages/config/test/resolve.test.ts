import { afterAll, describe, expect, test } from '@jest/globals';
import type { ConfigError } from '@itemstore/core';
import {
  FsTree,
  itemIdentity,
  loadSettings,
  parseSettings,
  pathSetOf,
  resolveTree,
  sortTags,
  type ResolvedConfig,
  type ResolveOptions,
} from '../src/index.js';
import { makeRepo, RecordingTree, removeRepos, sampleRepo, SETTINGS_YAML } from './helpers.js';

afterAll(removeRepos);

const settings = parseSettings(SETTINGS_YAML);

async function resolve(
  files: Record<string, string | { symlink: string }>,
  options?: ResolveOptions,
): Promise<{ configs: ResolvedConfig[]; errors: ConfigError[]; byPath: Record<string, ResolvedConfig> }> {
  const dir = makeRepo({ 'item-store.yaml': SETTINGS_YAML, ...files });
  const r = await resolveTree(new FsTree(dir), settings, options);
  return { ...r, byPath: Object.fromEntries(r.configs.map((c) => [c.path, c])) };
}

const codes = (errors: ConfigError[]): string[] => errors.map((e) => `${e.file}: ${e.code}`);

describe('effective tags', () => {
  test('nearer tags.yaml wins, root to folder; name and team are implicit', async () => {
    const { byPath, errors } = await resolve({
      'tags.yaml': 'tags: {owner: platform, tier: bronze}\n',
      'data-router/tags.yaml': 'tags: {owner: routing, component: data-router}\n',
      'data-router/default/tags.yml': 'tags: {tier: gold}\n',
      'data-router/default/orders.yaml': 'config_list: []\n',
      'data-router/x.yaml': 'config_list: []\n',
    });
    expect(errors).toEqual([]);
    expect(byPath['data-router/default/orders.yaml']?.tags).toEqual({
      component: 'data-router',
      name: 'orders',
      owner: 'routing',
      team: 'data-router',
      tier: 'gold',
    });
    expect(byPath['data-router/x.yaml']?.tags.tier).toBe('bronze');
    // Keys come sorted, so the JSON of the tags is stable.
    expect(Object.keys(byPath['data-router/default/orders.yaml']!.tags)).toEqual([
      'component',
      'name',
      'owner',
      'team',
      'tier',
    ]);
  });

  test("a files entry overrides every folder's tags for that one file, and only in its own folder", async () => {
    const { byPath, errors } = await resolve({
      'ffi2/tags.yaml': 'tags: {schedule: daily}\nfiles:\n  feed.yaml: {tags: {owner: parent-only}}\n',
      'ffi2/default/tags.yaml': 'tags: {schedule: weekly}\nfiles:\n  feed.yaml: {tags: {schedule: hourly}}\n',
      'ffi2/default/feed.yaml': 'a: 1\n',
      'ffi2/default/other.yaml': 'a: 1\n',
      'ffi2/feed.yaml': 'a: 1\n',
    });
    expect(byPath['ffi2/default/feed.yaml']?.tags).toMatchObject({ schedule: 'hourly' });
    expect(byPath['ffi2/default/feed.yaml']?.tags.owner).toBeUndefined();
    expect(byPath['ffi2/default/other.yaml']?.tags.schedule).toBe('weekly');
    expect(byPath['ffi2/feed.yaml']?.tags).toMatchObject({ schedule: 'daily', owner: 'parent-only' });
    expect(errors).toEqual([]);
  });

  test('a files entry for a file that is not there is a located warning, not an error', async () => {
    const { errors, configs } = await resolve({
      'ffi2/tags.yaml': 'files:\n  fed.yaml: {tags: {a: b}}\n',
      'ffi2/feed.yaml': 'a: 1\n',
    });
    expect(configs).toHaveLength(1);
    expect(errors.map((e) => [e.file, e.line, e.column, e.severity, e.code])).toEqual([
      ['ffi2/tags.yaml', 2, 3, 'warning', 'tags-unknown-file'],
    ]);
  });

  test('numbers and booleans in tags.yaml become the string as written', async () => {
    const { byPath } = await resolve({
      'ffi2/tags.yaml': 'tags: {version: 1.0, pii: true, retries: 3}\n',
      'ffi2/a.yaml': 'a: 1\n',
    });
    expect(byPath['ffi2/a.yaml']?.tags).toMatchObject({ version: '1.0', pii: 'true', retries: '3' });
    expect(byPath['ffi2/a.yaml']?.identity).toBe('ffi2?name=a&pii=true&retries=3&team=ffi2&version=1.0');
  });

  test('reserved keys are errors at the key, and configs below that tags file are not resolved', async () => {
    const { configs, errors } = await resolve({
      'ffi2/tags.yaml': 'tags:\n  owner: x\n  name: sneaky\n',
      'ffi2/a.yaml': 'a: 1\n',
      'data-router/b.yaml': 'config_list: []\n',
    });
    expect(configs.map((c) => c.path)).toEqual(['data-router/b.yaml']);
    expect(errors.map((e) => [e.file, e.line, e.column, e.code])).toEqual([
      ['ffi2/tags.yaml', 3, 3, 'tag-reserved'],
    ]);
  });

  test('branch: none on the main branch; the exact name elsewhere, case-sensitive', async () => {
    const files = { 'ffi2/a.yaml': 'a: 1\n' };
    const main = (await resolve(files, { branch: 'main' })).configs[0]!;
    const upper = (await resolve(files, { branch: 'Feature/ABC' })).configs[0]!;
    const lower = (await resolve(files, { branch: 'feature/abc' })).configs[0]!;
    expect(main.tags.branch).toBeUndefined();
    expect(upper.tags.branch).toBe('Feature/ABC');
    expect(lower.tags.branch).toBe('feature/abc');
    expect(new Set([main.identity, upper.identity, lower.identity]).size).toBe(3);
    expect(upper.identity).toBe('ffi2?branch=Feature%2FABC&name=a&team=ffi2');
    // `Main` is not `main`.
    expect((await resolve(files, { branch: 'Main' })).configs[0]!.tags.branch).toBe('Main');
  });
});

describe("a folder's shared tags (each config's tags and identity made from its folder's)", () => {
  // Names that encoding changes, next to files entries and plain names, on and off the main branch: every config's
  // tags and identity are what sortTags and itemIdentity give for its own tags.
  const names = ['plain', 'a b', 'x&y=z', 'per%25cent', 'plus+1', 'ünï', '日本', 'emoji😀', 'q?', 'SC_mixed'];
  const files: Record<string, string> = {
    'tags.yaml': 'tags: {owner: platform, tier: bronze}\n',
    'ffi2/tags.yaml': 'tags: {a-key: "v&1", zeta: last}\n',
    'ffi2/default/tags.yaml':
      'tags: {tier: gold}\nfiles:\n  "x&y=z.yaml": {tags: {extra: "1"}}\n  plain.yaml: {tags: {tier: silver}}\n',
  };
  for (const n of names) {
    files[`ffi2/default/${n}.yaml`] = 'a: 1\n';
    files[`ffi2/jobs/${n}.json`] = '{}\n';
  }
  for (const branch of [undefined, 'feature/Ümlaut&x=1']) {
    test(`branch ${branch ?? '(main)'}`, async () => {
      const { configs, errors } = await resolve(files, branch ? { branch } : {});
      expect(errors).toEqual([]);
      expect(configs).toHaveLength(names.length * 2);
      for (const c of configs) {
        const dir = c.path.slice(0, c.path.lastIndexOf('/'));
        const own: Record<string, string> = {
          owner: 'platform',
          tier: dir === 'ffi2/default' ? 'gold' : 'bronze',
          'a-key': 'v&1',
          zeta: 'last',
        };
        if (c.path === 'ffi2/default/x&y=z.yaml') own.extra = '1';
        if (c.path === 'ffi2/default/plain.yaml') own.tier = 'silver';
        Object.assign(own, { name: c.name, team: 'ffi2', ...(branch ? { branch } : {}) });
        const expected = sortTags(own);
        expect(JSON.stringify(c.tags)).toBe(JSON.stringify(expected));
        expect(c.identity).toBe(itemIdentity('ffi2', expected));
      }
    });
  }
});

describe('identity conflicts', () => {
  test('orders.yaml and orders.json side by side: an error on both files, neither resolved', async () => {
    const { configs, errors } = await resolve({
      'data-router/default/orders.yaml': 'config_list: []\n',
      'data-router/default/orders.json': '{"config_list": []}\n',
      'data-router/default/other.yaml': 'config_list: []\n',
    });
    expect(configs.map((c) => c.path)).toEqual(['data-router/default/other.yaml']);
    expect(codes(errors)).toEqual([
      'data-router/default/orders.json: identity-conflict',
      'data-router/default/orders.yaml: identity-conflict',
    ]);
    expect(errors[0]?.message).toBe(
      'same item as data-router/default/orders.yaml (namespace data-router, tags name=orders, team=data-router): ' +
        'keep one of them, or tell them apart with tags (a files: entry in tags.yaml)',
    );
  });

  test('the same name in two folders is one item unless tags tell them apart', async () => {
    const same = await resolve({ 'ffi2/a/x.yaml': 'a: 1\n', 'ffi2/b/x.yaml': 'a: 1\n' });
    expect(codes(same.errors)).toEqual([
      'ffi2/a/x.yaml: identity-conflict',
      'ffi2/b/x.yaml: identity-conflict',
    ]);
    const apart = await resolve({
      'ffi2/a/x.yaml': 'a: 1\n',
      'ffi2/b/x.yaml': 'a: 1\n',
      'ffi2/b/tags.yaml': 'tags: {region: eu}\n',
    });
    expect(apart.errors).toEqual([]);
    expect(apart.configs).toHaveLength(2);
  });

  test('with paths, a conflict with a config that was not asked about is still found', async () => {
    const { configs, errors } = await resolve(
      { 'ffi2/x.yaml': 'a: 1\n', 'ffi2/x.json': '{}\n', 'ffi2/y.yaml': 'a: 1\n' },
      { paths: ['ffi2/x.yaml'] },
    );
    expect(configs).toEqual([]);
    expect(codes(errors)).toEqual(['ffi2/x.json: identity-conflict', 'ffi2/x.yaml: identity-conflict']);
  });

  test('with paths, only configs sharing a name with one asked about can be the same item: no other tags file is read', async () => {
    const dir = makeRepo({
      'item-store.yaml': SETTINGS_YAML,
      'ffi2/tags.yaml': 'tags: {owner: ffi}\n',
      'ffi2/a/x.yaml': 'a: 1\n',
      'ffi2/b/tags.yaml': 'tags: {owner: ffi}\n',
      'ffi2/b/x.json': '{}\n',
      'ffi2/c/tags.yaml': 'tags: [not, a, mapping]\n',
      'ffi2/c/y.yaml': 'a: 1\n',
      'ffi2/d/tags.yaml': 'tags: {owner: ffi}\n',
      'ffi2/d/x.yaml': 'a: 1\n',
      'ffi2/d/x2.yaml': 'a: 1\n',
      'data-router/x.yaml': 'config_list: []\n', // another namespace
    });
    const tree = new RecordingTree(new FsTree(dir));
    const r = await resolveTree(tree, settings, { paths: ['ffi2/a/x.yaml'] });
    expect(codes(r.errors)).toEqual([
      'ffi2/a/x.yaml: identity-conflict',
      'ffi2/b/x.json: identity-conflict',
      'ffi2/d/x.yaml: identity-conflict',
    ]);
    expect(tree.reads.sort()).toEqual(['ffi2/b/tags.yaml', 'ffi2/d/tags.yaml', 'ffi2/tags.yaml']);
    const whole = await resolveTree(new FsTree(dir), settings);
    expect(codes(whole.errors)).toEqual([
      'ffi2/a/x.yaml: identity-conflict',
      'ffi2/b/x.json: identity-conflict',
      'ffi2/c/tags.yaml: tags-invalid',
      'ffi2/d/x.yaml: identity-conflict',
    ]);
  });

  test('configs not asked about are resolved for their identity only, yet a conflict reads as in a whole resolution', async () => {
    // Three configs are one item: one by its folder's tags, one by a files entry, one in another folder; the
    // messages name the others in path order and show each one's own tags, as when every config is asked about.
    const files = {
      'ffi2/a/x.yaml': 'a: 1\n',
      'ffi2/a/x.json': '{}\n',
      'ffi2/b/tags.yaml': 'tags: {env: qa}\nfiles:\n  x.yaml: {tags: {env: prod}}\n',
      'ffi2/b/x.yaml': 'a: 1\n',
      'ffi2/c/tags.yaml': 'tags: {env: prod}\n',
      'ffi2/c/x.yaml': 'a: 1\n',
      'ffi2/c/y.yaml': 'a: 1\n',
      'emr/x.yaml': 'a: 1\n',
    };
    const whole = await resolve(files);
    const part = await resolve(files, { paths: ['ffi2/c/x.yaml', 'ffi2/c/y.yaml'] });
    expect(part.configs.map((c) => c.path)).toEqual(['ffi2/c/y.yaml']);
    expect(part.configs).toEqual(whole.configs.filter((c) => c.path === 'ffi2/c/y.yaml'));
    const conflicts = (errors: ConfigError[]): string[] =>
      errors.filter((e) => e.code === 'identity-conflict').map((e) => `${e.file}: ${e.message}`);
    expect(conflicts(part.errors)).toEqual([
      'ffi2/b/x.yaml: same item as ffi2/c/x.yaml (namespace ffi2, tags env=prod, name=x, team=ffi2): ' +
        'keep one of them, or tell them apart with tags (a files: entry in tags.yaml)',
      'ffi2/c/x.yaml: same item as ffi2/b/x.yaml (namespace ffi2, tags env=prod, name=x, team=ffi2): ' +
        'keep one of them, or tell them apart with tags (a files: entry in tags.yaml)',
    ]);
    expect(conflicts(part.errors)).toEqual(
      conflicts(whole.errors).filter((e) => e.startsWith('ffi2/b/') || e.startsWith('ffi2/c/')),
    );
    // Asked about a.yaml's folder: the three-way group a/x.json, a/x.yaml (and not b, c: other tags).
    const a = await resolve(files, { paths: ['ffi2/a/x.yaml'] });
    expect(conflicts(a.errors)).toEqual(conflicts(whole.errors).filter((e) => e.startsWith('ffi2/a/')));
    expect(codes(a.errors)).toEqual(['ffi2/a/x.json: identity-conflict', 'ffi2/a/x.yaml: identity-conflict']);
  });
});

describe('scope of a resolve with paths (issue 15: one namespace, not the repo)', () => {
  const SHARED = SETTINGS_YAML.replace(
    '  ffi2: { tenant: retail, namespace: ffi2 }\n',
    '  ffi2: { tenant: retail, namespace: ffi2 }\n  ffi3: { tenant: retail, namespace: ffi2 }\n',
  );

  test('a team that shares its namespace with another resolves in that namespace', async () => {
    const dir = makeRepo({ 'item-store.yaml': SHARED, 'ffi2/x.yaml': 'a: 1\n', 'ffi3/x.yaml': 'a: 1\n' });
    const r = await resolveTree(new FsTree(dir), parseSettings(SHARED), { paths: ['ffi3/x.yaml'] });
    expect(r.errors).toEqual([]);
    expect(r.configs.map((c) => c.identity)).toEqual(['ffi2?name=x&team=ffi3']);
  });

  test("only the tags files on the way to the asked configs (and their namespace's configs of the same name) are read", async () => {
    const dir = makeRepo({
      'item-store.yaml': SETTINGS_YAML,
      'tags.yaml': 'tags: {owner: platform}\n',
      'ffi2/tags.yaml': 'tags: {a: b}\n',
      'ffi2/sub/tags.yaml': 'tags: {c: d}\n',
      'ffi2/sub/y.yaml': 'a: 1\n',
      'ffi2/x.yaml': 'a: 1\n',
      'data-router/tags.yaml': 'tags: {name: broken}\n',
      'data-router/z.yaml': 'config_list: []\n',
    });
    const tree = new RecordingTree(new FsTree(dir));
    const r = await resolveTree(tree, settings, { paths: ['ffi2/x.yaml'] });
    expect(r.errors).toEqual([]);
    expect(r.configs.map((c) => c.tags)).toEqual([{ a: 'b', name: 'x', owner: 'platform', team: 'ffi2' }]);
    // Not ffi2/sub/tags.yaml: ffi2/sub/y.yaml cannot be the same item as ffi2/x.yaml (another name).
    expect(tree.reads.sort()).toEqual(['ffi2/tags.yaml', 'tags.yaml']);
  });

  test('a config over maxConfigBytes is too-large: sizes come from the tree for the configs in scope', async () => {
    const big = SETTINGS_YAML.replace(
      's3OnlySuffixes: [_SC]\n',
      's3OnlySuffixes: [_SC]\nmaxConfigBytes: 10\n',
    );
    const dir = makeRepo({
      'item-store.yaml': big,
      'ffi2/x.yaml': 'a: 1234567890\n',
      'ffi2/y.yaml': 'a: 1\n',
    });
    const r = await resolveTree(new FsTree(dir), parseSettings(big), { paths: ['ffi2'] });
    expect(codes(r.errors)).toEqual(['ffi2/x.yaml: too-large']);
    expect(r.errors[0]?.message).toBe(
      '14 bytes; configs are at most 10 bytes (maxConfigBytes in item-store.yaml)',
    );
    expect(r.configs.map((c) => c.path)).toEqual(['ffi2/y.yaml']);
  });

  test('a config not asked about is sized only when it would be the same item as one asked about', async () => {
    const big = SETTINGS_YAML.replace(
      's3OnlySuffixes: [_SC]\n',
      's3OnlySuffixes: [_SC]\nmaxConfigBytes: 10\n',
    );
    const dir = makeRepo({
      'item-store.yaml': big,
      'ffi2/a/x.yaml': 'a: 1\n',
      // The same item as ffi2/a/x.yaml, but too large: no item at all, so no conflict.
      'ffi2/b/x.yaml': 'a: 1234567890\n',
      'ffi2/a/y.yaml': 'a: 1\n',
      // The same item as ffi2/a/y.yaml and small: a conflict.
      'ffi2/b/y.yaml': 'a: 2\n',
      'ffi2/other.yaml': 'a: 1234567890\n',
    });
    const tree = new FsTree(dir);
    const asked: string[][] = [];
    const sizes = tree.sizes.bind(tree);
    tree.sizes = (paths: string[]) => (asked.push([...paths].sort()), sizes(paths));
    const r = await resolveTree(tree, parseSettings(big), { paths: ['ffi2/a/x.yaml', 'ffi2/a/y.yaml'] });
    expect(codes(r.errors)).toEqual(['ffi2/a/y.yaml: identity-conflict', 'ffi2/b/y.yaml: identity-conflict']);
    expect(r.configs.map((c) => c.path)).toEqual(['ffi2/a/x.yaml']);
    expect(asked).toEqual([
      ['ffi2/a/x.yaml', 'ffi2/a/y.yaml'],
      ['ffi2/b/x.yaml', 'ffi2/b/y.yaml'],
    ]);
    // The same answers as resolving the whole team, where every config is sized.
    const whole = await resolveTree(new FsTree(dir), parseSettings(big), { paths: ['ffi2'] });
    expect(whole.configs.map((c) => c.path)).toEqual(['ffi2/a/x.yaml']);
    expect(codes(whole.errors).filter((e) => !e.endsWith('too-large'))).toEqual(codes(r.errors));
  });
});

describe('targets and S3', () => {
  test('default/ configs go to V2 and S3, others to V2 only; _SC to S3 only', async () => {
    const { byPath, errors } = await resolve({
      'data-router/default/orders.yaml': 'config_list: []\n',
      'data-router/default/nested/deep/routes.yml': 'config_list: []\n',
      'data-router/default/returns_SC.yaml': 'config_list: []\n',
      'data-router/sub/default/x.yaml': 'config_list: []\n',
      'data-quality/default/checks.yaml': 'config_list: []\n',
    });
    expect(errors).toEqual([]);
    expect(byPath['data-router/default/orders.yaml']).toMatchObject({
      targets: ['v2', 's3'],
      s3Only: false,
      s3KeyBelowPrefix: 'data-router/orders.yaml',
      s3Format: 'bytes',
      format: 'config-list',
      tenant: 'retail',
      namespace: 'data-router',
    });
    expect(byPath['data-router/default/nested/deep/routes.yml']?.s3KeyBelowPrefix).toBe(
      'data-router/nested/deep/routes.yml',
    );
    expect(byPath['data-router/default/returns_SC.yaml']).toMatchObject({
      targets: ['s3'],
      s3Only: true,
      name: 'returns_SC',
    });
    // Only <team>/default/ counts, not a deeper folder called default.
    expect(byPath['data-router/sub/default/x.yaml']).toMatchObject({ targets: ['v2'] });
    expect(byPath['data-router/sub/default/x.yaml']?.s3KeyBelowPrefix).toBeUndefined();
    expect(byPath['data-quality/default/checks.yaml']?.s3Format).toBe('legacy-multidoc');
  });

  test('an _SC config outside default/ has nowhere to go: an error', async () => {
    const { configs, errors } = await resolve({ 'data-router/orders_SC.yaml': 'config_list: []\n' });
    expect(configs).toEqual([]);
    expect(codes(errors)).toEqual(['data-router/orders_SC.yaml: s3-only-outside-default']);
    expect(errors[0]?.message).toMatch(/only configs under data-router\/default\/ go to S3/);
  });
});

describe('paths that are not (allowed) configs', () => {
  test('a config in a folder that is not a team, and one at the root, are errors; other files are ignored', async () => {
    const { configs, errors } = await resolve({
      'marketing/campaigns.yaml': 'a: 1\n',
      'orders.yaml': 'a: 1\n',
      'README.md': '# hi\n',
      'marketing/README.md': 'x\n',
      'ffi2/notes.txt': 'x\n',
      'ffi2/a.yaml': 'a: 1\n',
    });
    expect(configs.map((c) => c.path)).toEqual(['ffi2/a.yaml']);
    expect(codes(errors)).toEqual(['marketing/campaigns.yaml: unknown-team', 'orders.yaml: outside-team']);
  });

  test('paths with a segment starting with "." are ignored, tags files included', async () => {
    const { configs, errors } = await resolve({
      '.github/workflows/deploy.yaml': 'on: push\n',
      'ffi2/.drafts/a.yaml': 'a: 1\n',
      'ffi2/.drafts/tags.yaml': 'tags: {name: would-be-an-error}\n',
      'ffi2/.b.yaml': 'a: 1\n',
      'ffi2/ok.yaml': 'a: 1\n',
    });
    expect(errors).toEqual([]);
    expect(configs.map((c) => c.path)).toEqual(['ffi2/ok.yaml']);
  });
});

describe('symlinks', () => {
  test('a config that is a symlink to /etc/passwd is an error and is never read', async () => {
    const dir = makeRepo({
      'item-store.yaml': SETTINGS_YAML,
      'ffi2/passwd.yaml': { symlink: '/etc/passwd' },
      'ffi2/up.yaml': { symlink: '../../outside.yaml' },
      'ffi2/ok.yaml': 'a: 1\n',
    });
    const tree = new RecordingTree(new FsTree(dir));
    const { configs, errors } = await resolveTree(tree, settings);
    expect(configs.map((c) => c.path)).toEqual(['ffi2/ok.yaml']);
    expect(codes(errors)).toEqual(['ffi2/passwd.yaml: symlink-escape', 'ffi2/up.yaml: symlink-escape']);
    expect(errors[0]?.message).toBe(
      'a symlink to /etc/passwd, which is outside the repository; configs must be regular files in the repo',
    );
    expect(tree.reads).toEqual([]);
    // And the tree itself refuses to read through it.
    expect(await new FsTree(dir).read('ffi2/passwd.yaml')).toBeUndefined();
  });

  test('a symlink inside the repo is an error too (configs must be regular files)', async () => {
    const { configs, errors } = await resolve({
      'ffi2/real.yaml': 'a: 1\n',
      'ffi2/default/alias.yaml': { symlink: '../real.yaml' },
    });
    expect(configs.map((c) => c.path)).toEqual(['ffi2/real.yaml']);
    expect(codes(errors)).toEqual(['ffi2/default/alias.yaml: symlink']);
  });

  test('a symlinked tags file is an error and its configs are not resolved', async () => {
    const { configs, errors } = await resolve({
      'shared-tags.txt': 'tags: {a: b}\n',
      'ffi2/tags.yaml': { symlink: '../shared-tags.txt' },
      'ffi2/x.yaml': 'a: 1\n',
    });
    expect(configs).toEqual([]);
    expect(codes(errors)).toEqual(['ffi2/tags.yaml: symlink']);
  });

  test('a symlinked folder under a team is not walked, and a warning says so', async () => {
    const outside = makeRepo({ 'a.yaml': 'a: 1\n' });
    const { configs, errors } = await resolve({
      'ffi2/linked': { symlink: outside },
      'ffi2/x.yaml': 'a: 1\n',
    });
    expect(configs.map((c) => c.path)).toEqual(['ffi2/x.yaml']);
    expect(errors.map((e) => [e.file, e.code, e.severity])).toEqual([
      ['ffi2/linked', 'symlink-ignored', 'warning'],
    ]);
  });
});

describe('paths option', () => {
  const files = {
    'ffi2/tags.yaml': 'tags: {a: b}\n',
    'ffi2/x.yaml': 'a: 1\n',
    'ffi2/sub/y.yaml': 'a: 1\n',
    'data-router/tags.yaml': 'tags: {name: broken}\n',
    'data-router/z.yaml': 'config_list: []\n',
    'marketing/m.yaml': 'a: 1\n',
  };

  test('only the asked configs come back, and only problems that concern them', async () => {
    const { configs, errors } = await resolve(files, { paths: ['ffi2/x.yaml'] });
    expect(configs.map((c) => c.path)).toEqual(['ffi2/x.yaml']);
    expect(errors).toEqual([]);
  });

  test('a folder means every config below it; ./ and trailing slashes are fine', async () => {
    const { configs } = await resolve(files, { paths: ['./ffi2/'] });
    expect(configs.map((c) => c.path)).toEqual(['ffi2/sub/y.yaml', 'ffi2/x.yaml']);
  });

  test('a broken tags file above an asked config is reported; a missing path is an error; a non-config a warning', async () => {
    const { configs, errors } = await resolve(files, {
      paths: ['data-router/z.yaml', 'ffi2/nope.yaml', 'ffi2/tags.yaml', 'marketing/m.yaml'],
    });
    expect(configs).toEqual([]);
    expect(errors.map((e) => `${e.file}: ${e.code} ${e.severity}`)).toEqual([
      'data-router/tags.yaml: tag-reserved error',
      'ffi2/nope.yaml: not-found error',
      'ffi2/tags.yaml: not-a-config warning',
      'marketing/m.yaml: unknown-team error',
    ]);
  });
});

describe('the sample repo', () => {
  test('resolves every config without problems, with the tags, targets and keys the layout implies', async () => {
    const tree = new FsTree(sampleRepo);
    const s = await loadSettings(tree);
    const { configs, errors } = await resolveTree(tree, s);
    expect(errors).toEqual([]);
    const table = configs.map(
      (c) => `${c.path} ${c.targets.join('+')} ${c.s3KeyBelowPrefix ?? '-'} ${c.s3Format ?? '-'}`,
    );
    expect(table).toEqual([
      'data-quality/default/customers_checks.yaml v2+s3 data-quality/customers_checks.yaml legacy-multidoc',
      'data-quality/default/orders_checks.yaml v2+s3 data-quality/orders_checks.yaml legacy-multidoc',
      'data-router/default/eu/orders.yaml v2+s3 data-router/eu/orders.yaml bytes',
      'data-router/default/inventory.yml v2+s3 data-router/inventory.yml bytes',
      'data-router/default/orders.yaml v2+s3 data-router/orders.yaml bytes',
      'data-router/default/returns_SC.yaml s3 data-router/returns_SC.yaml bytes',
      'data-router/experimental/clickstream.yaml v2 - -',
      'emr/cluster/emr_cluster.json v2 - -',
      'emr/spark/nightly_sales.yaml v2 - -',
      'ffi2/default/pricing.yml v2+s3 ffi2/pricing.yml bytes',
      'ffi2/default/vendor_feed.json v2+s3 ffi2/vendor_feed.json bytes',
      'ffi2/mappings/store_codes.json v2 - -',
    ]);
    const by = Object.fromEntries(configs.map((c) => [c.path, c]));
    expect(by['data-quality/default/customers_checks.yaml']?.tags).toEqual({
      component: 'data-quality',
      name: 'customers_checks',
      owner: 'data-platform',
      pii: 'true',
      platform: 'dmd',
      rules_version: '2.0',
      schedule: 'hourly',
      team: 'data-quality',
    });
    expect(by['data-router/experimental/clickstream.yaml']?.tags).toMatchObject({
      owner: 'router-labs',
      stage: 'experimental',
    });
    expect(by['emr/spark/nightly_sales.yaml']).toMatchObject({ namespace: 'emr-jobs', tenant: 'wholesale' });
    expect(by['emr/spark/nightly_sales.yaml']?.tags.interface).toBe('spark-submit');
    expect(by['emr/cluster/emr_cluster.json']?.tags.interface).toBe('emr');
    expect(by['data-router/default/eu/orders.yaml']?.identity).not.toBe(
      by['data-router/default/orders.yaml']?.identity,
    );
  });
});

describe('pathSetOf', () => {
  test('answers like a set of the paths, for a sorted listing (searched in place) and any other', () => {
    const paths = ['a', 'a b', 'a-b/c', 'a/b', 'a/b/c', 'b', 'é/x', 'z/\u{1F600}.yaml'];
    const asked = [...paths, '', 'a/', 'a/b/', 'aa', 'c', 'a/b/c/d', '0', '\uffff'];
    const file = (path: string) => ({ path, kind: 'file' as const });
    const sorted = [...paths].sort().map(file);
    for (const listing of [sorted, [...sorted].reverse(), [...sorted, file('a')], [], [file('x')]]) {
      const set = new Set(listing.map((f) => f.path));
      const index = pathSetOf(listing);
      expect(asked.map((p) => index.has(p))).toEqual(asked.map((p) => set.has(p)));
      expect(pathSetOf(listing)).toBe(index); // made once per listing
    }
  });
});
