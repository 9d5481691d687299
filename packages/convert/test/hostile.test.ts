/**
 * Hostile input: each must end in one clear, located ConfigError, never a crash, a hang or a stack overflow.
 * (How fast is measured by the bench script, not asserted here: see packages/convert/README.md.)
 */
import { describe, expect, test } from '@jest/globals';
import { ConfigError } from '@itemstore/core';
import { fromLegacyMultiDoc, parseConfig, toV2Json } from '@itemstore/convert';

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError, but the call succeeded');
}

const BILLION_LAUGHS = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
  'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
  'h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]',
  'i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]',
  '',
].join('\n');

describe('alias bombs', () => {
  test('billion laughs stops at the alias budget, at an alias', () => {
    const e = errorOf(() => parseConfig(BILLION_LAUGHS, { file: 'team/bomb.yaml' }));
    expect(e.code).toBe('alias-limit');
    expect(e.file).toBe('team/bomb.yaml');
    expect(e.line).toBeGreaterThanOrEqual(6);
    expect(e.message).toContain('more than 100000 nodes');
  });

  test('merge keys count against the same budget', () => {
    const lines = ['l0: &l0 {k0: v, k1: v, k2: v, k3: v, k4: v, k5: v, k6: v, k7: v}'];
    for (let i = 1; i < 12; i++) lines.push(`l${i}: &l${i} {a: *l${i - 1}, b: *l${i - 1}, <<: *l${i - 1}}`);
    // Without the size budget (which stops it first), the node budget still does.
    const options = { file: 'm.yaml', maxContentBytes: Number.MAX_SAFE_INTEGER };
    expect(errorOf(() => parseConfig(lines.join('\n'), options)).code).toBe('alias-limit');
  });

  test('in a legacy file the bomb is found in its own document', () => {
    const e = errorOf(() =>
      fromLegacyMultiDoc(`---\nok: 1\n---\n${BILLION_LAUGHS}`, { file: 'legacy.yaml' }),
    );
    expect(e.code).toBe('alias-limit');
    expect(e.line).toBeGreaterThanOrEqual(8);
  });

  test('ordinary reuse of anchors is well inside the budget', () => {
    const lines = ['defaults: &d {retries: 3, timeout: 30, owner: team, tier: gold}', 'rules:'];
    for (let i = 0; i < 500; i++) lines.push(`  - {name: r${i}, <<: *d, extra: *d}`);
    const value = parseConfig(lines.join('\n'), { file: 'ok.yaml' }) as { rules: unknown[] };
    expect(value.rules).toHaveLength(500);
  });

  test('the budget is configurable', () => {
    const text = 'a: &a [1, 2, 3]\nb: [*a, *a]\n';
    expect(parseConfig(text, { file: 'x.yaml' })).toEqual({
      a: [1, 2, 3],
      b: [
        [1, 2, 3],
        [1, 2, 3],
      ],
    });
    expect(errorOf(() => parseConfig(text, { file: 'x.yaml', maxAliasNodes: 5 })).code).toBe('alias-limit');
  });
});

describe('10,000-deep nesting', () => {
  const N = 10_000;
  test.each([
    ['flow sequences', '['.repeat(N) + ']'.repeat(N), 'deep.yaml'],
    ['unclosed flow sequences', '['.repeat(N), 'deep.yaml'],
    ['flow mappings', '{a: '.repeat(N) + '1' + '}'.repeat(N), 'deep.yaml'],
    ['block sequences', '- '.repeat(N) + 'x\n', 'deep.yaml'],
    ['explicit keys', '? '.repeat(N) + 'x\n', 'deep.yaml'],
    ['JSON arrays', '['.repeat(N) + ']'.repeat(N), 'deep.json'],
    ['JSON objects', '{"a":'.repeat(N) + '1' + '}'.repeat(N), 'deep.json'],
  ])('%s: nesting-too-deep at level 257', (_name, text, file) => {
    const e = errorOf(() => parseConfig(text, { file }));
    expect({ code: e.code, file: e.file, line: e.line }).toEqual({ code: 'nesting-too-deep', file, line: 1 });
    expect(e.message).toBe('nesting deeper than 256 levels');
  });

  test('block mappings nested by indentation stop too', () => {
    const text = Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n';
    const e = errorOf(() => parseConfig(text, { file: 'deep.yaml' }));
    expect(e.code).toBe('nesting-too-deep');
    expect(e.line).toBe(257);
  });

  test('aliases cannot nest past the limit either', () => {
    const text = `a: &a ${'['.repeat(200)}${']'.repeat(200)}\nb: ${'['.repeat(100)}*a${']'.repeat(100)}\n`;
    expect(errorOf(() => parseConfig(text, { file: 'x.yaml' })).code).toBe('nesting-too-deep');
  });

  test('256 levels are fine', () => {
    expect(() => parseConfig('['.repeat(256) + ']'.repeat(256), { file: 'ok.yaml' })).not.toThrow();
    expect(() => parseConfig('['.repeat(256) + ']'.repeat(256), { file: 'ok.json' })).not.toThrow();
  });
});

describe('size, encoding', () => {
  test('a 5 MiB file is refused before it is parsed', () => {
    const big = Buffer.alloc(5 * 1024 * 1024, 'a: 1\n');
    const e = errorOf(() => parseConfig(big, { file: 'team/big.yaml' }));
    expect(e.code).toBe('file-too-large');
    expect(e.toString()).toBe('team/big.yaml: team/big.yaml is 5 MiB, over the 1 MiB limit for a config.');
    expect(errorOf(() => fromLegacyMultiDoc(big, { file: 'big.yaml' })).code).toBe('file-too-large');
  });

  test('invalid UTF-8 (overlong, surrogate, truncated, stray continuation) is located', () => {
    const cases: [number[], number][] = [
      [[0xc0, 0xaf], 3],
      [[0xed, 0xa0, 0x80], 3],
      [[0xe2, 0x82], 3],
      [[0x80], 3],
      [[0xf5, 0x80, 0x80, 0x80], 3],
    ];
    for (const [bad, column] of cases) {
      const bytes = Buffer.concat([Buffer.from('ok: 1\nx: '), Buffer.from(bad), Buffer.from('\n')]);
      const e = errorOf(() => parseConfig(bytes, { file: 'u.yaml' }));
      expect({ code: e.code, line: e.line, column: e.column }).toEqual({
        code: 'invalid-utf8',
        line: 2,
        column: column + 1,
      });
    }
  });

  test('a BOM is dropped without error, in YAML, JSON and legacy files', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    expect(parseConfig(Buffer.concat([bom, Buffer.from('a: 1\n')]), { file: 'b.yaml' })).toEqual({ a: 1 });
    expect(parseConfig(Buffer.concat([bom, Buffer.from('{"a": 1}')]), { file: 'b.json' })).toEqual({ a: 1 });
    expect(
      fromLegacyMultiDoc(Buffer.concat([bom, Buffer.from('---\na: 1\n')]), { file: 'l.yaml' }).value,
    ).toEqual({
      config_list: [{ a: 1 }],
    });
  });
});

describe('conversion bounded by bytes (LIMITS.contentBytes, 2 MiB)', () => {
  test('990 aliases to a 1 MB scalar (a 1 MB file) stop at the alias that passes 2 MiB, not at 1.1 GB', () => {
    const big = 'x'.repeat(1_040_000);
    const aliases = Array.from({ length: 990 }, () => '*a').join(', ');
    const text = `a: &a "${big}"\nb: [${aliases}]\n`;
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1024 * 1024);
    const e = errorOf(() => toV2Json(text, { file: 'team/fan.yaml' }));
    expect(e.code).toBe('content-too-large');
    // a is charged once, *a twice more: the second alias passes 2 MiB.
    expect([e.file, e.line, e.column]).toEqual(['team/fan.yaml', 2, 9]);
    expect(e.message).toContain('2 MiB');
  });

  test('the same file with two aliases converts', () => {
    const text = `a: &a "${'x'.repeat(500_000)}"\nb: [*a, *a]\n`;
    expect(toV2Json(text, { file: 'ok.yaml' }).text.length).toBeGreaterThan(1_500_000);
  });

  test('deep indentation of JSON input is counted while the text is written', () => {
    // 1 MiB of minified JSON whose pretty-printed form is ~100 times larger.
    let open = '';
    let close = '';
    for (let i = 0; i < 100; i++) {
      open += '[';
      close += ']';
    }
    const text = open + Array.from({ length: 500_000 }, () => '1').join(',') + close;
    const e = errorOf(() => toV2Json(text, { file: 'deep.json', maxBytes: 2 * 1024 * 1024 }));
    expect(e.code).toBe('content-too-large');
    expect([e.file, e.line, e.column]).toEqual(['deep.json', 1, 100]);
  });

  test('a lower maxContentBytes is honoured', () => {
    const e = errorOf(() => toV2Json('a: "0123456789"\n', { file: 'small.yaml', maxContentBytes: 10 }));
    expect([e.code, e.line, e.column]).toEqual(['content-too-large', 1, 4]);
  });
});

describe('NUL bytes', () => {
  test('refused at their line and column, in YAML and JSON', () => {
    const y = errorOf(() => parseConfig('a: 1\nb: x\0y\n', { file: 'n.yaml' }));
    expect([y.code, y.line, y.column]).toEqual(['nul-byte', 2, 5]);
    const j = errorOf(() => parseConfig('{"a":\0 1}', { file: 'n.json' }));
    expect([j.code, j.line, j.column]).toEqual(['nul-byte', 1, 6]);
  });
});
