import { describe, expect, test } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@itemstore/core';
import {
  canonicalJson,
  fromLegacyMultiDoc,
  parseConfig,
  stringifyV2,
  toConfigListYaml,
  toLegacyMultiDoc,
  toV2Json,
} from '@itemstore/convert';

const FIXTURES = join(import.meta.dirname, '../../../test/fixtures/convert');
const LEGACY = join(FIXTURES, 'legacy');
const CONFIG_LIST = join(FIXTURES, 'config-list');
const legacyFixtures = readdirSync(LEGACY).sort();
const configListFixtures = readdirSync(CONFIG_LIST).sort();

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError, but the call succeeded');
}

test('there are realistic fixtures of both kinds', () => {
  expect(legacyFixtures.length).toBeGreaterThanOrEqual(5);
  expect(configListFixtures.length).toBeGreaterThanOrEqual(4);
});

describe('round trips', () => {
  test.each(legacyFixtures)('legacy %s -> config_list -> legacy gives identical text', (name) => {
    const text = readFileSync(join(LEGACY, name), 'utf8');
    const { value } = fromLegacyMultiDoc(text, { file: `legacy/${name}` });
    expect(toLegacyMultiDoc(value)).toBe(text);
  });

  test.each(legacyFixtures)(
    'legacy %s -> config_list YAML (what authors commit) -> legacy gives identical text',
    (name) => {
      const text = readFileSync(join(LEGACY, name), 'utf8');
      const committed = toConfigListYaml(fromLegacyMultiDoc(text, { file: name }).value);
      expect(committed.startsWith('config_list:\n  - ')).toBe(true);
      const value = parseConfig(committed, { file: `team/default/${name}`, format: 'dq' });
      expect(toLegacyMultiDoc(value)).toBe(text);
    },
  );

  test.each(configListFixtures)('config_list %s -> legacy -> config_list gives the same value', (name) => {
    const bytes = readFileSync(join(CONFIG_LIST, name));
    const { value, text } = toV2Json(bytes, { file: name, format: 'config-list' });
    const legacy = toLegacyMultiDoc(value, { file: name });
    const back = fromLegacyMultiDoc(legacy, { file: name });
    expect(canonicalJson(back.value)).toBe(canonicalJson(value));
    // Same V2 bytes too, so even key order survives the trip.
    expect(back.text).toBe(text);
  });

  test('the committed dq config and its legacy twin are the same data', () => {
    const v = parseConfig(readFileSync(join(CONFIG_LIST, 'orders_dq.yaml')), {
      file: 'orders_dq.yaml',
      format: 'dq',
    });
    expect(toLegacyMultiDoc(v)).toBe(readFileSync(join(LEGACY, 'orders_dq.yaml'), 'utf8'));
    const json = parseConfig(readFileSync(join(CONFIG_LIST, 'customers_dq.json')), {
      file: 'c.json',
      format: 'dq',
    });
    expect(toLegacyMultiDoc(json)).toBe(readFileSync(join(LEGACY, 'customers_dq.yaml'), 'utf8'));
  });

  test('merge keys and anchors are written out in full in the legacy form', () => {
    const v = parseConfig(readFileSync(join(CONFIG_LIST, 'routes.yaml')), {
      file: 'routes.yaml',
      format: 'config-list',
    });
    const legacy = toLegacyMultiDoc(v);
    expect(legacy).not.toMatch(/[&*]defaults|<</);
    expect(legacy.split('\n---\n')[0]).toBe(
      [
        '---',
        'name: orders-to-lake',
        'source: kafka://orders',
        'target: s3://lake/raw/orders/',
        'retries: 3',
        'timeout_s: 120',
        'on_error: dead-letter',
      ].join('\n'),
    );
    expect(legacy).toContain('status_map:\n  "200": delivered\n  "404": dropped\n');
  });
});

describe('the canonical legacy style', () => {
  test('strings a YAML 1.1 reader would take for something else are quoted', () => {
    const value = {
      config_list: [
        { a: 'yes', b: 'On', c: '010', d: '1_000', e: '2024-01-01', f: '1:30', g: 'null', h: 'y' },
      ],
    };
    expect(toLegacyMultiDoc(value)).toBe(
      '---\na: "yes"\nb: "On"\nc: "010"\nd: "1_000"\ne: "2024-01-01"\nf: "1:30"\ng: "null"\nh: "y"\n',
    );
  });

  test('numbers, booleans and null stay typed; multi-line strings become literal blocks', () => {
    const value = { config_list: [{ num: 1.5, t: true, z: null, sql: 'SELECT 1\nFROM t\n', empty: '' }] };
    expect(toLegacyMultiDoc(value)).toBe(
      '---\nnum: 1.5\nt: true\nz: null\nsql: |\n  SELECT 1\n  FROM t\nempty: ""\n',
    );
  });

  test('scalar entries are documents too; the list itself is accepted', () => {
    expect(toLegacyMultiDoc(['a', 2, null, []])).toBe('---\na\n---\n2\n---\nnull\n---\n[]\n');
    expect(fromLegacyMultiDoc('---\na\n---\n2\n---\nnull\n---\n[]\n', { file: 'l.yaml' }).value).toEqual({
      config_list: ['a', 2, null, []],
    });
  });

  test('a legacy file without a leading --- reads the same', () => {
    expect(fromLegacyMultiDoc('a: 1\n---\nb: 2\n', { file: 'l.yaml' }).text).toBe(
      '{\n  "config_list": [\n    {\n      "a": 1\n    },\n    {\n      "b": 2\n    }\n  ]\n}\n',
    );
  });
});

describe('errors', () => {
  test('every SPEC rule applies per document, located in the right document', () => {
    const text = '---\nrule: a\n---\nrule: b\nlimit: .inf\n---\nrule: c\n';
    const e = errorOf(() => fromLegacyMultiDoc(text, { file: 'team/default/dq.yaml' }));
    expect({ code: e.code, file: e.file, line: e.line, column: e.column }).toEqual({
      code: 'non-finite-number',
      file: 'team/default/dq.yaml',
      line: 5,
      column: 8,
    });
  });

  test('syntax errors in a later document point there', () => {
    const e = errorOf(() => fromLegacyMultiDoc('---\na: 1\n---\nb: [1, 2\nc: 3\n', { file: 'l.yaml' }));
    expect(e.code).toBe('yaml-syntax');
    expect(e.line).toBeGreaterThanOrEqual(4);
  });

  test('a stray --- (an empty document) is an error, not a silent null entry', () => {
    const e = errorOf(() => fromLegacyMultiDoc('---\na: 1\n---\n', { file: 'l.yaml' }));
    expect({ code: e.code, line: e.line }).toEqual({ code: 'empty-document', line: 3 });
    expect(e.message).toBe(
      'document 2 of 2 is empty; remove the stray "---" (every document is one config_list entry).',
    );
  });

  test('empty and comment-only legacy files are errors', () => {
    expect(errorOf(() => fromLegacyMultiDoc('', { file: 'l.yaml' })).code).toBe('empty-file');
    expect(errorOf(() => fromLegacyMultiDoc('# nothing\n', { file: 'l.yaml' })).code).toBe('empty-file');
  });

  test('to-legacy refuses what the legacy format cannot hold', () => {
    expect(errorOf(() => toLegacyMultiDoc({ config_list: [] }, { file: 'x.yaml' })).code).toBe(
      'config-list-shape',
    );
    expect(errorOf(() => toLegacyMultiDoc({ rules: [] }, { file: 'x.yaml' })).message).toBe(
      'x.yaml: expected a mapping with a config_list list, got no config_list key.',
    );
    const e = errorOf(() => toLegacyMultiDoc({ version: 2, config_list: [{}] }, { file: 'x.yaml' }));
    expect(e.code).toBe('legacy-extra-keys');
    expect(e.file).toBe('x.yaml');
  });

  test('stringifyV2 matches JSON.stringify for every fixture', () => {
    for (const name of legacyFixtures) {
      const { value, text } = fromLegacyMultiDoc(readFileSync(join(LEGACY, name)), { file: name });
      expect(text).toBe(JSON.stringify(value, null, 2) + '\n');
      expect(stringifyV2(value)).toBe(text);
    }
  });
});
