import { describe, expect, test, afterAll } from '@jest/globals';
import { ConfigErrors, type ConfigError } from '@itemstore/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FsTree, loadSettings, parseSettings, resolveS3Location, s3Key, s3TargetOf } from '../src/index.js';
import { makeRepo, removeRepos, sampleRepo, SETTINGS_YAML } from './helpers.js';

afterAll(removeRepos);

function problems(text: string): ConfigError[] {
  try {
    parseSettings(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigErrors);
    return [...(err as ConfigErrors).errors];
  }
  throw new Error('expected parseSettings to throw');
}

/** `line:col` of the first occurrence of `needle` (after `after`, when given) in `text`. */
function pos(text: string, needle: string, after = ''): string {
  const i = text.indexOf(needle, after ? text.indexOf(after) : 0);
  const before = text.slice(0, i).split('\n');
  return `${before.length}:${(before.at(-1) as string).length + 1}`;
}

/** `file:line:col: message` of each problem, for compact assertions. */
function located(text: string): string[] {
  return problems(text).map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`);
}

describe('parseSettings', () => {
  test('reads the sample repo settings with defaults filled in', () => {
    const s = parseSettings(readFileSync(join(sampleRepo, 'item-store.yaml'), 'utf8'));
    expect(s.environments).toEqual(['dev', 'qa', 'prod']);
    expect(Object.keys(s.tenants)).toEqual(['retail', 'wholesale']);
    expect(s.teams.ffi2).toEqual({ tenant: 'wholesale', namespace: 'ffi2', format: 'plain' });
    expect(s.teams['data-quality']?.format).toBe('dq');
    expect(s.s3OnlySuffixes).toEqual(['_SC']);
  });

  test('mainBranch and s3OnlySuffixes are optional', () => {
    const s = parseSettings(
      SETTINGS_YAML.replace('mainBranch: main\n', '').replace('s3OnlySuffixes: [_SC]\n', ''),
    );
    expect(s.mainBranch).toBe('main');
    expect(s.s3OnlySuffixes).toEqual([]);
  });

  test('a misspelt top-level key is located at the key and a correction is suggested', () => {
    expect(located(SETTINGS_YAML.replace('mainBranch:', 'mainbranch:'))).toEqual([
      'item-store.yaml:2:1: mainbranch: unknown key "mainbranch" (did you mean "mainBranch"?)',
    ]);
  });

  test('a bad enum value is located at the value and names the key path', () => {
    const text = SETTINGS_YAML.replace('format: dq', 'format: yml');
    const [e, ...rest] = problems(text);
    expect(rest).toEqual([]);
    expect(e?.message).toBe('teams.data-quality.format: must be one of plain, config-list, dq (got "yml")');
    expect(e?.code).toBe('settings-invalid');
    const line = text.split('\n').findIndex((l) => l.includes('format: yml')) + 1;
    expect([e?.line, e?.column]).toEqual([line, text.split('\n')[line - 1]!.indexOf('yml') + 1]);
  });

  test('a missing required key names the key and points at its parent', () => {
    const text = SETTINGS_YAML.replace(', namespace: ffi2', '');
    expect(located(text)).toEqual([
      `item-store.yaml:${pos(text, '{ tenant: retail }')}: teams.ffi2.namespace: required key "namespace" is missing`,
    ]);
  });

  test('a prefix without a trailing slash and a bad bucket are both reported, each at its value', () => {
    const text = SETTINGS_YAML.replace(
      'prefix: item-store/ }\n      qa',
      'prefix: item-store }\n      qa',
    ).replace('retail-configs-prod', 'Retail_Configs');
    expect(located(text)).toEqual([
      `item-store.yaml:${pos(text, 'item-store }')}: tenants.retail.s3.dev.prefix: A prefix is empty or ends with '/' (e.g. item-store/); it does not start with '/' and contains no '..', '//', './' segment, backslash or control character. (got "item-store")`,
      `item-store.yaml:${pos(text, 'Retail_Configs')}: tenants.retail.s3.prod.bucket: An S3 bucket name follows S3's rules: 3 to 63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit, no '..', not an IP address, no reserved prefix (xn--, sthree-, amzn-s3-demo-) or suffix (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3). (got "Retail_Configs")`,
    ]);
  });

  test('a team folder name that cannot be a folder is located at the key', () => {
    const text = SETTINGS_YAML.replace('  ffi2: {', '  .ffi2: {');
    const [e] = problems(text);
    expect(e?.message).toMatch(/^teams: "\.ffi2" is not a valid key/);
    expect(`${e?.line}:${e?.column}`).toBe(pos(text, '.ffi2'));
  });

  test("a team's unknown tenant is located at the value", () => {
    const text = SETTINGS_YAML.replace('ffi2: { tenant: retail', 'ffi2: { tenant: retial');
    expect(located(text)).toEqual([
      `item-store.yaml:${pos(text, 'retial')}: teams.ffi2.tenant: tenant "retial" is not defined under tenants (defined: retail)`,
    ]);
  });

  test('a tenant without S3 for an environment says which one is missing; an extra environment is named', () => {
    const text = SETTINGS_YAML.replace(
      '      qa: { bucket: retail-configs-qa, prefix: item-store/ }\n',
      '',
    ).replace('prod: { bucket: retail-configs-prod', 'prd: { bucket: retail-configs-prod');
    const errs = problems(text);
    expect(errs.map((e) => [e.code, e.message, e.line])).toEqual([
      [
        'unknown-environment',
        'tenants.retail.s3.prd: "prd" is not one of the environments (dev, qa, prod)',
        10,
      ],
      [
        's3-missing-environment',
        'tenants.retail.s3: no S3 location for environments qa, prod; every tenant needs one for each of dev, qa, prod',
        8,
      ],
    ]);
  });

  test('dq with s3Format bytes contradicts the spec and is refused', () => {
    const text = SETTINGS_YAML.replace('format: dq }', 'format: dq, s3Format: bytes }');
    expect(located(text)[0]).toMatch(
      `item-store.yaml:${pos(text, 'bytes')}: teams.data-quality.s3Format: format dq always stores the legacy`,
    );
  });

  test('YAML syntax errors, duplicate keys, several documents and an empty file are located', () => {
    expect(located('version: 1\nteams: [a\n')[0]).toMatch(/^item-store\.yaml:\d+:\d+: YAML syntax error/);
    expect(located(SETTINGS_YAML + 'version: 1\n')).toEqual([
      'item-store.yaml:16:1: duplicate key: a key may appear only once in a mapping',
    ]);
    expect(located(SETTINGS_YAML + '---\nversion: 1\n')[0]).toBe(
      'item-store.yaml:16:1: item-store.yaml must hold exactly one YAML document (found a second one)',
    );
    expect(located('# nothing yet\n')[0]).toMatch(/^item-store\.yaml:1:1: item-store\.yaml is empty/);
  });

  test('a version other than 1 is refused', () => {
    expect(located(SETTINGS_YAML.replace('version: 1', 'version: 2'))).toEqual([
      'item-store.yaml:1:10: version: must be 1 (got 2)',
    ]);
  });
});

describe('loadSettings', () => {
  test('reads item-store.yaml through the tree', async () => {
    const s = await loadSettings(new FsTree(sampleRepo));
    expect(s.teams['data-router']?.format).toBe('config-list');
  });

  test('a repo without item-store.yaml is one clear error', async () => {
    const dir = makeRepo({ 'ffi2/a.yaml': 'a: 1\n' });
    await expect(loadSettings(new FsTree(dir))).rejects.toThrow(/item-store\.yaml was not found at the root/);
  });

  test('the same bytes in two trees (head and base) are parsed once; other bytes, or bad ones, each time', async () => {
    const head = makeRepo({ 'item-store.yaml': SETTINGS_YAML });
    const base = makeRepo({ 'item-store.yaml': SETTINGS_YAML });
    const first = await loadSettings(new FsTree(head));
    expect(await loadSettings(new FsTree(base))).toBe(first);
    const other = await loadSettings(
      new FsTree(makeRepo({ 'item-store.yaml': `${SETTINGS_YAML}# edited\n` })),
    );
    expect(other).not.toBe(first);
    expect(other).toEqual(first);
    // A file with problems is never remembered: both trees get the same located errors, each from its own parse.
    const bad = `${SETTINGS_YAML}bogus: 1\n`;
    const errorsOf = (dir: string) =>
      loadSettings(new FsTree(dir)).then(
        () => [],
        (err: unknown) => (err as ConfigErrors).errors.map((e) => e.toString()),
      );
    const once = await errorsOf(makeRepo({ 'item-store.yaml': bad }));
    expect(once).toEqual([expect.stringMatching(/^item-store\.yaml:\d+:1: .*bogus/)]);
    expect(await errorsOf(makeRepo({ 'item-store.yaml': bad }))).toEqual(once);
  });
});

describe('resolveS3Location, s3Key and s3TargetOf', () => {
  const s = parseSettings(readFileSync(join(sampleRepo, 'item-store.yaml'), 'utf8'));

  test("an environment's bucket and prefix, with the tenant's region unless the bucket has its own", () => {
    expect(resolveS3Location(s, 'retail', 'qa')).toEqual({
      bucket: 'retail-configs-qa',
      prefix: 'item-store/',
      region: 'us-east-1',
    });
    expect(resolveS3Location(s, 'wholesale', 'prod').region).toBe('eu-central-1');
    expect(resolveS3Location(s, 'wholesale', 'dev').region).toBe('eu-west-1');
  });

  test('an unknown tenant or environment is a ConfigError naming it', () => {
    expect(() => resolveS3Location(s, 'nope', 'dev')).toThrow('tenant "nope" is not defined');
    expect(() => resolveS3Location(s, 'retail', 'stage')).toThrow(
      'tenant "retail" has no S3 location for environment "stage"',
    );
  });

  test('the key is the prefix plus the key below it; a V2-only config has none', () => {
    const loc = resolveS3Location(s, 'retail', 'dev');
    expect(
      s3Key(loc, {
        path: 'data-router/default/eu/orders.yaml',
        s3KeyBelowPrefix: 'data-router/eu/orders.yaml',
      }),
    ).toBe('item-store/data-router/eu/orders.yaml');
    expect(() => s3Key(loc, { path: 'ffi2/mappings/a.json' })).toThrow(/does not go to S3/);
  });

  test('overrides replace bucket, prefix (normalised) and region; a bucket override needs no settings entry', () => {
    expect(resolveS3Location(s, 'retail', 'qa', { bucket: 'mirror', prefix: '/tmp' })).toEqual({
      bucket: 'mirror',
      prefix: 'tmp/',
      region: 'us-east-1',
    });
    expect(resolveS3Location(s, 'retail', 'stage', { bucket: 'mirror', region: 'eu-west-1' })).toEqual({
      bucket: 'mirror',
      prefix: '',
      region: 'eu-west-1',
    });
  });

  test("a config's S3 target: location, key and what S3 stores; none for a V2-only config", () => {
    const loc = resolveS3Location(s, 'retail', 'prod');
    expect(
      s3TargetOf(loc, {
        path: 'dq/default/checks.yaml',
        format: 'dq',
        s3KeyBelowPrefix: 'dq/checks.yaml',
      }),
    ).toEqual({
      location: loc,
      bucket: loc.bucket,
      region: loc.region,
      key: `${loc.prefix}dq/checks.yaml`,
      format: 'legacy-multidoc',
    });
    expect(s3TargetOf(loc, { path: 'ffi2/mappings/a.json', format: 'plain' })).toBeUndefined();
  });
});
