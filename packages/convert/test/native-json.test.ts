/**
 * The JSON fast path (native-json.ts) answers only when the strict parser would give the same value: for each of
 * these inputs, toV2Json gives exactly what the strict parser and stringifyV2 give, value, bytes, or error code
 * and position.
 */
import { describe, expect, test } from '@jest/globals';
import { ConfigError } from '@itemstore/core';
import { toV2Json } from '@itemstore/convert';
import { nativeV2Json } from '../src/native-json.js';
import { SourceText } from '../src/source.js';
import { parseStrictJson } from '../src/strict-json.js';
import { stringifyV2 } from '../src/serialize.js';
import { checkFormat, type ConfigFormat } from '../src/parse-config.js';

function outcome(run: () => string): string {
  try {
    return run();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return `${err.code} ${err.line}:${err.column} ${err.message}`;
  }
}

function strict(text: string, format: ConfigFormat = 'plain', maxBytes?: number): string {
  return outcome(() => {
    const value = parseStrictJson(new SourceText(text, 'c.json'));
    checkFormat(value, format, 'c.json');
    return stringifyV2(value, { maxBytes: maxBytes ?? 2 ** 40, file: 'c.json' });
  });
}

const CASES: [string, string][] = [
  ['plain object', '{"a": 1, "b": [true, null, "x:y"], "c": {"d": -0, "e": 1.5e3}}'],
  ['duplicate key', '{"a": 1, "a": 2}'],
  ['duplicate key, nested, later', '{"x": {"k": 1, "j": {"q": 1}, "k": 2}}'],
  ['duplicate whose dropped value holds members', '{"a": {"p": 1, "q": 2}, "a": 3}'],
  ['duplicate key with colons in strings', '{"a:b": "c:d", "a:b": "e"}'],
  ['escaped colon and a duplicate', '{"a\\u003ab": 1, "a:b": 2, "z": 1, "z": 2}'],
  ['escaped colon, no duplicate', '{"a\\u003Ab": 1}'],
  ['integer-like keys keep source order', '{"b": 1, "200": 2, "a": 3, "10": 4}'],
  ['integer-like key nested', '{"a": {"z": 1, "0": 2}}'],
  ['key 4294967295 is not an index', '{"b": 1, "4294967295": 2}'],
  ['integer past 2^53', '{"n": 9007199254740993}'],
  ['float past 2^53 is fine', '{"n": 9007199254740993.0, "m": 1e20}'],
  ['overflow', '{"n": 1e400}'],
  ['underflow', '[1e-400, -0]'],
  ['lone surrogate escape', '{"s": "\\ud800"}'],
  ['lone surrogate escape in a key', '{"\\udc00": 1}'],
  ['surrogate pair escape', '{"s": "\\ud83d\\ude00"}'],
  ['syntax error', '{"a": 1,}'],
  ['trailing garbage', '{} x'],
  ['__proto__ key', '{"__proto__": {"polluted": true}, "a": 1}'],
  ['root scalar', '"just a string"'],
  ['deep', '['.repeat(256) + ']'.repeat(256)],
  ['too deep', '['.repeat(257) + ']'.repeat(257)],
  ['very deep', '['.repeat(100000) + ']'.repeat(100000)],
  ['escapes', '{"s": "a\\"b\\\\c\\/d\\n\\t\\u00e9"}'],
  ['escapes and a duplicate', '{"a\\n": 1, "a\\n": 2, "\\u00e9": 1}'],
  ['a digit run in a string and a duplicate', '{"id": "12345678901234567", "a": 1, "a": 2}'],
  ['an integer-like key elsewhere and a duplicate', '{"x": {"7": 1}, "a": 1, "a": 2}'],
  ['large exponents that fit', '[1e100, 1E-300, 2.5e+300]'],
  ['a colon-rich value', '{"url": "http://a:b@c:1/d?e=f:g", "t": "12:30:45"}'],
  ['empty keys', '{"": 1, "": 2}'],
  ['empty containers deep', '{"a": [[], {}], "b": [{"c": []}]}'],
  ['strings with quotes and digits', '{"k": "\\"1\\": 2", "j": 3}'],
];

describe('the JSON fast path gives exactly what the strict parser gives', () => {
  test.each(CASES)('%s', (_name, text) => {
    expect(outcome(() => toV2Json(text, { file: 'c.json' }).text)).toBe(strict(text));
  });

  test('a lone surrogate in a string argument (not an escape)', () => {
    const text = '{"s": "\ud800"}';
    expect(outcome(() => toV2Json(text, { file: 'c.json' }).text)).toBe(strict(text));
  });

  test('format errors keep their position', () => {
    for (const text of ['{"config_list": {}}', '[1]', '{"config_list": [], "extra": 1}']) {
      expect(outcome(() => toV2Json(text, { file: 'c.json', format: 'dq' }).text)).toBe(strict(text, 'dq'));
    }
  });

  test('content-too-large keeps its position', () => {
    const text = JSON.stringify({ a: 'x', b: ['y'.repeat(50)] });
    const limited = outcome(() => toV2Json(text, { file: 'c.json', maxContentBytes: 40 }).text);
    expect(limited).toMatch(/^content-too-large \d+:\d+ /);
    expect(limited).toBe(strict(text, 'plain', 40));
  });

  test('what goes the strict way, and what does not', () => {
    expect(nativeV2Json('{"a": 1, "b": {"c": "d:e"}}')?.value).toEqual({ a: 1, b: { c: 'd:e' } });
    expect(nativeV2Json('{"a": 1, "a": 1}')).toBeUndefined();
    expect(nativeV2Json('{"\\u00e9": 1, "\\u00e9": 1}')).toBeUndefined();
    expect(nativeV2Json('{"1": 1}')).toBeUndefined();
    expect(nativeV2Json('{"a": 12345678901234567890}')).toBeUndefined();
  });
});
