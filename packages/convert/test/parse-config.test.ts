import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@itemstore/core';
import {
  CONVERT_ERROR_CODES,
  canonicalHash,
  canonicalJson,
  parseConfig,
  toV2Json,
  type ConvertOptions,
  type ConfigFormat,
} from '@itemstore/convert';

const yaml = (text: string, format?: ConfigFormat) => parseConfig(text, { file: 'team/c.yaml', format });
const json = (text: string, format?: ConfigFormat) => parseConfig(text, { file: 'team/c.json', format });

/** The ConfigError a call throws (fails the test if it throws anything else, or nothing). */
function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError, but the call succeeded');
}

function located(err: ConfigError) {
  return { code: err.code, file: err.file, line: err.line, column: err.column };
}

describe('V2 bytes', () => {
  test('are JSON.stringify(value, null, 2) plus a newline, key order kept', () => {
    const text = 'name: orders\nretries: 3\nratio: 0.5\ntags: [a, b]\nempty: {}\nnone: []\nnothing: null\n';
    const { value, text: v2 } = toV2Json(text, { file: 'team/orders.yaml' });
    expect(v2).toBe(JSON.stringify(value, null, 2) + '\n');
    expect(Object.keys(value as object)).toEqual([
      'name',
      'retries',
      'ratio',
      'tags',
      'empty',
      'none',
      'nothing',
    ]);
  });

  test('keep integer-like keys where the author put them (a JS object would move them first)', () => {
    const { text } = toV2Json('b: 1\n200: ok\na: 2\n', { file: 'c.yaml' });
    expect(text).toBe('{\n  "b": 1,\n  "200": "ok",\n  "a": 2\n}\n');
    const fromJson = toV2Json('{"z": 1, "10": 2, "2": 3}', { file: 'c.json' });
    expect(fromJson.text).toBe('{\n  "z": 1,\n  "10": 2,\n  "2": 3\n}\n');
  });

  test('the same config in YAML and JSON gives the same bytes and the same canonical hash', () => {
    const a = toV2Json('a: 1\nb: [x, {c: true}]\n', { file: 'x.yaml' });
    const b = toV2Json('{"a": 1, "b": ["x", {"c": true}]}', { file: 'x.json' });
    expect(a.text).toBe(b.text);
    expect(canonicalHash(a.value)).toBe(canonicalHash(b.value));
    expect(canonicalJson({ b: 1, a: [2, { d: null, c: 'x' }] })).toBe('{"a":[2,{"c":"x","d":null}],"b":1}');
  });

  test('a __proto__ key is data, not a prototype change', () => {
    const value = json('{"__proto__": {"admin": true}, "a": 1}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__', 'a']);
    expect(toV2Json('__proto__: x\n', { file: 'c.yml' }).text).toBe('{\n  "__proto__": "x"\n}\n');
  });
});

describe('YAML rules', () => {
  test('core schema: yes/no/on/off stay strings, true/false/null/numbers do not', () => {
    expect(
      yaml('a: yes\nb: no\nc: on\nd: off\ne: true\nf: ~\ng: 0x1F\nh: 1e3\ni: 010\nj: 2024-01-01\n'),
    ).toEqual({
      a: 'yes',
      b: 'no',
      c: 'on',
      d: 'off',
      e: true,
      f: null,
      g: 31,
      h: 1000,
      i: 10,
      j: '2024-01-01',
    });
  });

  test('a %YAML 1.1 directive does not switch to the 1.1 schema', () => {
    expect(yaml('%YAML 1.1\n---\nenabled: yes\n')).toEqual({ enabled: 'yes' });
  });

  test('merge keys (<<) merge, explicit keys win wherever they stand', () => {
    const value = yaml('base: &b {x: 1, y: 2}\nuse:\n  y: 9\n  <<: [*b, {z: 3}]\n  x: 5\n');
    expect(value).toEqual({ base: { x: 1, y: 2 }, use: { y: 9, x: 5, z: 3 } });
    expect(Object.keys((value as { use: object }).use)).toEqual(['y', 'x', 'z']);
  });

  test('a merge of something that is not a mapping is an error at that node', () => {
    expect(located(errorOf(() => yaml('a: &s [1]\nb:\n  <<: *s\n')))).toEqual({
      code: 'invalid-merge',
      file: 'team/c.yaml',
      line: 3,
      column: 7,
    });
  });

  test('scalar keys become the text as written', () => {
    const value = yaml('200: ok\ntrue: t\nnull: n\n1.10: v\n0x1F: h\n"quoted": q\n');
    expect(Object.keys(value as object).sort()).toEqual(['0x1F', '1.10', '200', 'null', 'quoted', 'true']);
  });

  test('two keys that become the same string are an error at the second', () => {
    expect(located(errorOf(() => yaml('1: a\n"1": b\n')))).toEqual({
      code: 'key-collision',
      file: 'team/c.yaml',
      line: 2,
      column: 1,
    });
  });

  test('duplicate keys are an error, in YAML and in JSON', () => {
    expect(located(errorOf(() => yaml('a: 1\nb: 2\na: 3\n')))).toMatchObject({
      code: 'duplicate-key',
      line: 3,
    });
    const e = errorOf(() => json('{\n  "a": 1,\n  "a": 2\n}'));
    expect(located(e)).toEqual({ code: 'duplicate-key', file: 'team/c.json', line: 3, column: 3 });
    expect(e.message).toContain('first at line 2, column 3');
  });

  test.each([
    ['x: .inf\n', 'non-finite-number', 1, 4],
    ['x:\n  - -.Inf\n', 'non-finite-number', 2, 5],
    ['x: .nan\n', 'non-finite-number', 1, 4],
    ['x: 9007199254740992\n', 'integer-range', 1, 4],
    ['x: -9007199254740992\n', 'integer-range', 1, 4],
    ['x: 0x20000000000000\n', 'integer-range', 1, 4],
    ['x: !!binary aGVsbG8=\n', 'unsupported-tag', 1, 4],
    ['x: !!timestamp 2024-01-01\n', 'unsupported-tag', 1, 4],
    ['x: !vault secret\n', 'unsupported-tag', 1, 4],
    ['x: !!set {a, b}\n', 'unsupported-tag', 1, 4],
    ['x: !!int abc\n', 'unsupported-tag', 1, 4],
    ['? [a, b]\n: c\n', 'complex-key', 1, 3],
    ['{a: 1}: b\n', 'complex-key', 1, 1],
    ['x: *nowhere\n', 'yaml-syntax', 1, 4],
    ['x: &a [1, *a]\n', 'alias-cycle', 1, 11],
    ['a: "\\ud800"\n', 'invalid-unicode', 1, 4],
    ['a: b\n  c: d\n', 'yaml-syntax', 1, 4],
  ])('%j is rejected: %s at %i:%i', (text, code, line, column) => {
    expect(located(errorOf(() => yaml(text)))).toEqual({ code, file: 'team/c.yaml', line, column });
  });

  test('characters outside the BMP (surrogate pairs) are fine, escaped or not', () => {
    expect(yaml('a: "\\U0001F600 😀 \\ud83d\\ude00"\n')).toEqual({ a: '😀 😀 😀' });
    expect(json('["\\ud83d\\ude00😀"]')).toEqual(['😀😀']);
  });

  test('the largest safe integers pass', () => {
    expect(yaml('a: 9007199254740991\nb: -9007199254740991\n')).toEqual({
      a: Number.MAX_SAFE_INTEGER,
      b: -Number.MAX_SAFE_INTEGER,
    });
  });

  test('core tags that JSON can hold are accepted', () => {
    expect(yaml('a: !!str 12\nb: !!int "7"\nc: !!null ""\nd: !!map {k: v}\ne: ! 5\n')).toEqual({
      a: '12',
      b: 7,
      c: null,
      d: { k: 'v' },
      e: '5',
    });
  });

  test('several documents are an error that says how to convert the file', () => {
    const e = errorOf(() => yaml('a: 1\n---\nb: 2\n---\nc: 3\n'));
    expect(located(e)).toEqual({ code: 'multi-document', file: 'team/c.yaml', line: 2, column: 1 });
    expect(e.message).toBe(
      'team/c.yaml holds 3 YAML documents; a config is one document. Run `itemstore convert to-config-list team/c.yaml` to turn it into one document with a config_list.',
    );
  });

  test('a document with nothing in it is empty, an explicit null is not', () => {
    expect(errorOf(() => yaml('# only a comment\n')).code).toBe('empty-file');
    expect(errorOf(() => yaml('---\n')).code).toBe('empty-file');
    expect(yaml('--- null\n')).toBeNull();
  });
});

describe('JSON rules', () => {
  test.each([
    ['{"a": 1,}', 'json-syntax', 1, 9],
    ['{"a": 1}\n{"b": 2}', 'json-syntax', 2, 1],
    ['[1, 2', 'json-syntax', 1, 6],
    ['{\n  "n": 12345678901234567890\n}', 'integer-range', 2, 8],
    ['[1e400]', 'non-finite-number', 1, 2],
    ['["\\udead"]', 'invalid-unicode', 1, 3],
    ["{'a': 1}", 'json-syntax', 1, 2],
    ['{"a": 01}', 'json-syntax', 1, 8],
  ])('%j is rejected: %s at %i:%i', (text, code, line, column) => {
    expect(located(errorOf(() => json(text)))).toEqual({ code, file: 'team/c.json', line, column });
  });

  test('floats and big float literals that fit a double are fine', () => {
    expect(json('[1.5, -0.25, 1e300, 12345678901234567890.0]')).toEqual([
      1.5, -0.25, 1e300, 12345678901234567000,
    ]);
  });
});

describe('files', () => {
  test('the extension picks the parser; others are refused', () => {
    expect(parseConfig('{"a": 1}', { file: 'x.JSON' })).toEqual({ a: 1 });
    expect(parseConfig('a: 1', { file: 'x.yml' })).toEqual({ a: 1 });
    expect(errorOf(() => parseConfig('a=1', { file: 'x.toml' })).code).toBe('unsupported-file-type');
    // A .json file is not read as YAML, even though YAML would accept this.
    expect(errorOf(() => parseConfig('a: 1', { file: 'x.json' })).code).toBe('json-syntax');
  });

  test('a UTF-8 BOM is dropped and does not shift columns', () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a: 1\nb: .inf\n')]);
    expect(located(errorOf(() => parseConfig(bom, { file: 'c.yaml' })))).toMatchObject({
      line: 2,
      column: 4,
    });
    expect(parseConfig(Buffer.from('\ufeff{"a": 1}'), { file: 'c.json' })).toEqual({ a: 1 });
    expect(parseConfig('\ufeffa: 1', { file: 'c.yaml' })).toEqual({ a: 1 });
  });

  test('empty and whitespace-only files are errors', () => {
    for (const text of ['', '  \n\t\n', '\ufeff'])
      for (const file of ['c.yaml', 'c.json'])
        expect(errorOf(() => parseConfig(text, { file })).code).toBe('empty-file');
  });

  test('the size limit counts bytes, and is configurable', () => {
    const options: ConvertOptions = { file: 'c.yaml', maxBytes: 10 };
    expect(parseConfig('a: 1234', options)).toEqual({ a: 1234 });
    const e = errorOf(() => parseConfig('a: "ééééé"', options)); // 10 characters, 15 bytes
    expect(e.code).toBe('file-too-large');
    expect(e.message).toBe('c.yaml is 15 bytes, over the 10 bytes limit for a config.');
  });

  test('invalid UTF-8 is located at the first bad byte', () => {
    const bytes = Buffer.concat([Buffer.from('a: 1\nname: caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
    const e = errorOf(() => parseConfig(bytes, { file: 'team/latin1.yaml' }));
    expect(located(e)).toEqual({ code: 'invalid-utf8', file: 'team/latin1.yaml', line: 2, column: 10 });
    expect(e.toString()).toBe(
      'team/latin1.yaml:2:10: team/latin1.yaml is not valid UTF-8 (byte 0xe9 at offset 14); save it as UTF-8.',
    );
  });
});

describe('team formats config-list and dq', () => {
  test('need a root mapping whose config_list is a list', () => {
    expect(yaml('config_list:\n  - a: 1\n', 'config-list')).toEqual({ config_list: [{ a: 1 }] });
    expect(located(errorOf(() => yaml('config_list:\n  a: 1\n', 'dq')))).toEqual({
      code: 'config-list-shape',
      file: 'team/c.yaml',
      line: 1,
      column: 1,
    });
    expect(errorOf(() => yaml('- a\n', 'config-list')).message).toBe(
      'team format config-list needs a root mapping with a config_list list, but the root is a list.',
    );
    expect(errorOf(() => json('{"rules": []}', 'dq')).message).toContain('there is no config_list key');
  });

  test('config-list allows other root keys; dq does not (S3 would lose them)', () => {
    const text = 'version: 2\nconfig_list: []\n';
    expect(yaml(text, 'config-list')).toEqual({ version: 2, config_list: [] });
    const e = errorOf(() => yaml(text, 'dq'));
    expect(located(e)).toEqual({ code: 'config-list-shape', file: 'team/c.yaml', line: 1, column: 1 });
    expect(e.message).toContain('"version"');
  });

  test('plain (the default) takes any JSON value', () => {
    expect(yaml('- 1\n- 2\n')).toEqual([1, 2]);
    expect(json('"just a string"')).toBe('just a string');
  });
});

test('the README error table lists every code this package throws, with its meaning', () => {
  const readme = readFileSync(join(import.meta.dirname, '../README.md'), 'utf8');
  for (const [code, meaning] of Object.entries(CONVERT_ERROR_CODES)) {
    expect(readme).toContain(`| \`${code}\` | ${meaning} |`);
  }
});

describe('a .json config JSON.parse refuses gets the checks decodeConfig leaves to the fast path', () => {
  // The JSON fast path skips the control-character and empty-file scans (JSON.parse refuses both); when it refuses,
  // they run before the strict parser, so the error is the one every config got before.
  const cases: [string, string, string, number, number][] = [
    ['empty', '', 'empty-file', 0, 0],
    ['only whitespace', '  \n\t\n', 'empty-file', 0, 0],
    ['a NUL byte in a string', '{"a": "x\u0000y"}\n', 'nul-byte', 1, 9],
    ['a control character in a string', '{"a": "x\u0001y"}\n', 'control-character', 1, 9],
    ['a vertical tab between members', '{"a": 1,\u000b"b": 2}\n', 'control-character', 1, 9],
  ];
  test.each(cases)('%s', (_label, text, code, line, column) => {
    for (const bytes of [Buffer.from(text), text]) {
      let err: unknown;
      try {
        toV2Json(bytes, { file: 'a.json' });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      const e = err as ConfigError;
      expect(e.code).toBe(code);
      if (line) expect([e.line, e.column]).toEqual([line, column]);
    }
  });
  test('an ordinary .json config still converts (tab, LF and CR are JSON whitespace)', () => {
    expect(toV2Json(Buffer.from('{\t"a":\r\n[1, "b"]}\n'), { file: 'a.json' }).text).toBe(
      '{\n  "a": [\n    1,\n    "b"\n  ]\n}\n',
    );
  });
});
