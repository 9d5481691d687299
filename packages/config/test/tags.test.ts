import { describe, expect, test } from '@jest/globals';
import { itemIdentity, parseTagsFile } from '../src/index.js';

const F = 'team/tags.yaml';

function errs(text: string): string[] {
  return parseTagsFile(text, F).errors.map((e) => `${e.line}:${e.column} ${e.code}: ${e.message}`);
}

describe('parseTagsFile', () => {
  test('numbers and booleans are taken as written; quoted strings as they are', () => {
    const r = parseTagsFile(
      'tags:\n  version: 1.0\n  retries: 010\n  hex: 0x1F\n  pii: true\n  upper: True\n  answer: yes\n  quoted: "1.0"\n  big: 12345678901234567890\n',
      F,
    );
    expect(r.errors).toEqual([]);
    expect(r.tags).toEqual({
      version: '1.0',
      retries: '010',
      hex: '0x1F',
      pii: 'true',
      upper: 'True',
      answer: 'yes',
      quoted: '1.0',
      big: '12345678901234567890',
    });
  });

  test('lists, maps and empty values are errors located at the value', () => {
    expect(errs('tags:\n  a: [x, y]\n  b: {c: d}\n  e:\n  f: ""\n  g: ~\n')).toEqual([
      '2:6 tag-value-invalid: tags.a: a tag value must be a single value, not a list',
      '3:6 tag-value-invalid: tags.b: a tag value must be a single value, not a mapping',
      '4:5 tag-value-invalid: tags.e: a tag value must not be empty',
      '5:6 tag-value-invalid: tags.f: a tag value must not be empty',
      '6:6 tag-value-invalid: tags.g: a tag value must not be empty',
    ]);
  });

  test('values longer than 256 characters or with line breaks are refused; 256 is fine', () => {
    expect(parseTagsFile(`tags:\n  a: ${'x'.repeat(256)}\n`, F).errors).toEqual([]);
    expect(errs(`tags:\n  a: ${'x'.repeat(257)}\n  b: |\n    two\n    lines\n`)).toEqual([
      '2:6 tag-value-invalid: tags.a: a tag value is at most 256 characters (this one has 257)',
      '3:6 tag-value-invalid: tags.b: a tag value must not contain control characters or line breaks',
    ]);
  });

  test('reserved keys are refused wherever they appear, located at the key', () => {
    expect(errs('tags:\n  name: x\n  team: y\nfiles:\n  a.yaml:\n    tags:\n      branch: z\n')).toEqual([
      '2:3 tag-reserved: tags.name: "name" is a reserved tag set by the tooling (name, team, branch); choose another key',
      '3:3 tag-reserved: tags.team: "team" is a reserved tag set by the tooling (name, team, branch); choose another key',
      '7:7 tag-reserved: files.a.yaml.tags.branch: "branch" is a reserved tag set by the tooling (name, team, branch); choose another key',
    ]);
  });

  test('keys must match ^[a-z][a-z0-9_.-]{0,62}$', () => {
    const ok = 'a' + 'b'.repeat(62);
    expect(parseTagsFile(`tags:\n  ${ok}: v\n  sla.hours_max-x: v\n`, F).errors).toEqual([]);
    expect(errs(`tags:\n  Owner: v\n  1st: v\n  ${ok}c: v\n  _x: v\n`).map((e) => e.slice(0, 24))).toEqual([
      '2:3 tag-key-invalid: tag',
      '3:3 tag-key-invalid: tag',
      '4:3 tag-key-invalid: tag',
      '5:3 tag-key-invalid: tag',
    ]);
  });

  test('files entries give per-file tags; their keys are file names of this folder', () => {
    const r = parseTagsFile(
      'files:\n  orders.yaml:\n    tags: {tier: gold}\n  b.json: {tags: {x: "1"}}\n',
      F,
    );
    expect(r.errors).toEqual([]);
    expect(r.files).toEqual({ 'orders.yaml': { tier: 'gold' }, 'b.json': { x: '1' } });
    expect(r.fileKeyLocations['b.json']).toEqual({ line: 4, column: 3 });
    expect(
      errs('files:\n  sub/a.yaml: {tags: {x: y}}\n  README.md: {tags: {x: y}}\n  c.yaml: {x: y}\n'),
    ).toEqual([
      "2:3 tags-invalid: files.sub/a.yaml: a files entry names a file in this folder, without '/'; put a tags.yaml in the folder that holds it",
      '3:3 tags-invalid: files.README.md: not a config file name (.yaml, .yml or .json, not tags.yaml)',
      '4:12 tags-invalid: files.c.yaml: unknown key "x"; only tags is allowed',
    ]);
  });

  test('unknown top-level keys, a non-mapping root and YAML errors are located', () => {
    expect(errs('tag:\n  a: b\n')).toEqual([
      '1:1 tags-invalid: unknown key "tag": a tags file has only tags and files (did you mean "tags"?)',
    ]);
    expect(errs('- a\n')).toEqual([
      '1:1 tags-invalid: team/tags.yaml must be a mapping with the keys tags and files (got a list)',
    ]);
    expect(errs('tags:\n  a: b\n  a: c\n')).toEqual([
      '3:3 yaml-syntax: duplicate key: a key may appear only once in a mapping',
    ]);
    expect(errs('tags: {a: b\n')[0]).toMatch(/^\d+:\d+ yaml-syntax: YAML syntax error/);
  });

  test('an empty tags file or one with only comments has no tags and no errors', () => {
    expect(parseTagsFile('', F)).toMatchObject({ tags: {}, files: {}, errors: [] });
    expect(parseTagsFile('# owned by x\ntags:\n', F)).toMatchObject({ tags: {}, files: {}, errors: [] });
  });

  test('anchors and aliases are resolved; a UTF-8 BOM is ignored', () => {
    const r = parseTagsFile('\uFEFFtags:\n  owner: &o data-platform\n  oncall: *o\n', F);
    expect(r).toMatchObject({ tags: { owner: 'data-platform', oncall: 'data-platform' }, errors: [] });
  });
});

describe('itemIdentity', () => {
  test('keys sorted by code point, keys and values URI-encoded', () => {
    expect(
      itemIdentity('data-router', { team: 'data-router', name: 'orders', branch: 'Feature/ABC', a: 'x&y=z' }),
    ).toBe('data-router?a=x%26y%3Dz&branch=Feature%2FABC&name=orders&team=data-router');
  });

  test('values differing only by case are different identities', () => {
    expect(itemIdentity('n', { branch: 'Feature/ABC' })).not.toBe(
      itemIdentity('n', { branch: 'feature/abc' }),
    );
  });
});
