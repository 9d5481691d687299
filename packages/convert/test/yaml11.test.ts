/**
 * The YAML 1.1 table: every kind of plain scalar that YAML 1.1 readers of S3 (the 1.1 type definitions as the `yaml`
 * library implements them, and PyYAML) and YAML 1.2 core (this suite, V2) read differently. Each row: the scalar,
 * its 1.1 value, its 1.2 value, the error it raises in a repo config that reaches S3 byte for byte, and the value
 * migration stores in V2 when a legacy object holds it.
 */
import { describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import {
  emitYaml,
  fromLegacyMultiDoc,
  parseConfig,
  readPlain11,
  readPlain12,
  rewriteYaml11,
  toLegacyMultiDoc,
  yaml11Difference,
  yaml11Findings,
  yaml11Problems,
} from '@itemstore/convert';
import { computeDifference } from '../src/yaml11';

const D = (iso: string) => new Date(iso);

/** [scalar, YAML 1.1 value, YAML 1.2 value, error in an S3-bound repo config, value migration stores] */
// prettier-ignore
const TABLE: [string, unknown, unknown, string, unknown][] = [
  // bool: y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF (true/True/TRUE, false/... read the same in both)
  [
    'y',
    true,
    'y',
    '"y" is true to YAML 1.1 readers of S3 (the string "y" to PyYAML) and the string "y" to V2: write true or quote it',
    true,
  ],
  [
    'Y',
    true,
    'Y',
    '"Y" is true to YAML 1.1 readers of S3 (the string "Y" to PyYAML) and the string "Y" to V2: write true or quote it',
    true,
  ],
  [
    'yes',
    true,
    'yes',
    '"yes" is true to YAML 1.1 readers of S3 and the string "yes" to V2: write true or quote it',
    true,
  ],
  [
    'Yes',
    true,
    'Yes',
    '"Yes" is true to YAML 1.1 readers of S3 and the string "Yes" to V2: write true or quote it',
    true,
  ],
  [
    'YES',
    true,
    'YES',
    '"YES" is true to YAML 1.1 readers of S3 and the string "YES" to V2: write true or quote it',
    true,
  ],
  [
    'n',
    false,
    'n',
    '"n" is false to YAML 1.1 readers of S3 (the string "n" to PyYAML) and the string "n" to V2: write false or quote it',
    false,
  ],
  [
    'N',
    false,
    'N',
    '"N" is false to YAML 1.1 readers of S3 (the string "N" to PyYAML) and the string "N" to V2: write false or quote it',
    false,
  ],
  [
    'no',
    false,
    'no',
    '"no" is false to YAML 1.1 readers of S3 and the string "no" to V2: write false or quote it',
    false,
  ],
  [
    'No',
    false,
    'No',
    '"No" is false to YAML 1.1 readers of S3 and the string "No" to V2: write false or quote it',
    false,
  ],
  [
    'NO',
    false,
    'NO',
    '"NO" is false to YAML 1.1 readers of S3 and the string "NO" to V2: write false or quote it',
    false,
  ],
  [
    'on',
    true,
    'on',
    '"on" is true to YAML 1.1 readers of S3 and the string "on" to V2: write true or quote it',
    true,
  ],
  [
    'On',
    true,
    'On',
    '"On" is true to YAML 1.1 readers of S3 and the string "On" to V2: write true or quote it',
    true,
  ],
  [
    'ON',
    true,
    'ON',
    '"ON" is true to YAML 1.1 readers of S3 and the string "ON" to V2: write true or quote it',
    true,
  ],
  [
    'off',
    false,
    'off',
    '"off" is false to YAML 1.1 readers of S3 and the string "off" to V2: write false or quote it',
    false,
  ],
  [
    'Off',
    false,
    'Off',
    '"Off" is false to YAML 1.1 readers of S3 and the string "Off" to V2: write false or quote it',
    false,
  ],
  [
    'OFF',
    false,
    'OFF',
    '"OFF" is false to YAML 1.1 readers of S3 and the string "OFF" to V2: write false or quote it',
    false,
  ],
  // int: binary
  [
    '0b1010',
    10,
    '0b1010',
    '"0b1010" is the number 10 to YAML 1.1 readers of S3 and the string "0b1010" to V2: write 10 or quote it',
    10,
  ],
  [
    '-0b1010',
    -10,
    '-0b1010',
    '"-0b1010" is the number -10 to YAML 1.1 readers of S3 and the string "-0b1010" to V2: write -10 or quote it',
    -10,
  ],
  [
    '+0b1_0',
    2,
    '+0b1_0',
    '"+0b1_0" is the number 2 to YAML 1.1 readers of S3 and the string "+0b1_0" to V2: write 2 or quote it',
    2,
  ],
  // int: octal with a leading 0 (1.1) against decimal (1.2); 0o is octal only in 1.2
  [
    '0755',
    493,
    755,
    '"0755" is the number 493 to YAML 1.1 readers of S3 and the number 755 to V2: write 493 or 755, or quote it',
    493,
  ],
  [
    '-0755',
    -493,
    -755,
    '"-0755" is the number -493 to YAML 1.1 readers of S3 and the number -755 to V2: write -493 or -755, or quote it',
    -493,
  ],
  [
    '010',
    8,
    10,
    '"010" is the number 8 to YAML 1.1 readers of S3 and the number 10 to V2: write 8 or 10, or quote it',
    8,
  ],
  [
    '0o755',
    '0o755',
    493,
    '"0o755" is the string "0o755" to YAML 1.1 readers of S3 and the number 493 to V2: write 493 or quote it',
    '0o755',
  ],
  // int: decimal with a leading zero that is not octal: a number to the library, a string to PyYAML
  [
    '08',
    8,
    8,
    '"08" is the number 8 to YAML 1.1 readers of S3 (the string "08" to PyYAML) and the number 8 to V2: write 8 or quote it',
    8,
  ],
  [
    '09',
    9,
    9,
    '"09" is the number 9 to YAML 1.1 readers of S3 (the string "09" to PyYAML) and the number 9 to V2: write 9 or quote it',
    9,
  ],
  // int: hex with a sign or underscores (plain 0x1F is 31 in both)
  [
    '-0x1F',
    -31,
    '-0x1F',
    '"-0x1F" is the number -31 to YAML 1.1 readers of S3 and the string "-0x1F" to V2: write -31 or quote it',
    -31,
  ],
  [
    '0x_1F',
    31,
    '0x_1F',
    '"0x_1F" is the number 31 to YAML 1.1 readers of S3 and the string "0x_1F" to V2: write 31 or quote it',
    31,
  ],
  // int: underscores
  [
    '1_000',
    1000,
    '1_000',
    '"1_000" is the number 1000 to YAML 1.1 readers of S3 and the string "1_000" to V2: write 1000 or quote it',
    1000,
  ],
  [
    '1_',
    1,
    '1_',
    '"1_" is the number 1 to YAML 1.1 readers of S3 and the string "1_" to V2: write 1 or quote it',
    1,
  ],
  // int: sexagesimal (base 60)
  [
    '1:30',
    90,
    '1:30',
    '"1:30" is the number 90 to YAML 1.1 readers of S3 and the string "1:30" to V2: write 90 or quote it',
    90,
  ],
  [
    '-1:30',
    -90,
    '-1:30',
    '"-1:30" is the number -90 to YAML 1.1 readers of S3 and the string "-1:30" to V2: write -90 or quote it',
    -90,
  ],
  [
    '190:20:30',
    685230,
    '190:20:30',
    '"190:20:30" is the number 685230 to YAML 1.1 readers of S3 and the string "190:20:30" to V2: write 685230 or quote it',
    685230,
  ],
  [
    '0:30',
    30,
    '0:30',
    '"0:30" is the number 30 to YAML 1.1 readers of S3 (the string "0:30" to PyYAML) and the string "0:30" to V2: write 30 or quote it',
    30,
  ],
  // float: sexagesimal, underscores, exponents PyYAML does not take
  [
    '1:30.5',
    90.5,
    '1:30.5',
    '"1:30.5" is the number 90.5 to YAML 1.1 readers of S3 and the string "1:30.5" to V2: write 90.5 or quote it',
    90.5,
  ],
  [
    '1_000.5',
    1000.5,
    '1_000.5',
    '"1_000.5" is the number 1000.5 to YAML 1.1 readers of S3 and the string "1_000.5" to V2: write 1000.5 or quote it',
    1000.5,
  ],
  [
    '0.1_0',
    0.1,
    '0.1_0',
    '"0.1_0" is the number 0.1 to YAML 1.1 readers of S3 and the string "0.1_0" to V2: write 0.1 or quote it',
    0.1,
  ],
  [
    '685.230_15e+03',
    685230.15,
    '685.230_15e+03',
    '"685.230_15e+03" is the number 685230.15 to YAML 1.1 readers of S3 and the string "685.230_15e+03" to V2: write 685230.15 or quote it',
    685230.15,
  ],
  [
    '1e3',
    1000,
    1000,
    '"1e3" is the number 1000 to YAML 1.1 readers of S3 (the string "1e3" to PyYAML) and the number 1000 to V2: write 1000 or quote it',
    1000,
  ],
  [
    '1.0e3',
    1000,
    1000,
    '"1.0e3" is the number 1000 to YAML 1.1 readers of S3 (the string "1.0e3" to PyYAML) and the number 1000 to V2: write 1000 or quote it',
    1000,
  ],
  [
    '1E+3',
    1000,
    1000,
    '"1E+3" is the number 1000 to YAML 1.1 readers of S3 (the string "1E+3" to PyYAML) and the number 1000 to V2: write 1000 or quote it',
    1000,
  ],
  // timestamp: a date to 1.1 readers; JSON has no dates, so V2 keeps the text
  [
    '2001-12-14',
    D('2001-12-14T00:00:00Z'),
    '2001-12-14',
    '"2001-12-14" is the date 2001-12-14 to YAML 1.1 readers of S3 and the string "2001-12-14" to V2: quote it',
    '2001-12-14',
  ],
  [
    '2001-12-14t21:59:43.10-05:00',
    D('2001-12-15T02:59:43.100Z'),
    '2001-12-14t21:59:43.10-05:00',
    '"2001-12-14t21:59:43.10-05:00" is the timestamp 2001-12-14t21:59:43.10-05:00 to YAML 1.1 readers of S3 and the string "2001-12-14t21:59:43.10-05:00" to V2: quote it',
    '2001-12-14t21:59:43.10-05:00',
  ],
  [
    '2001-12-14 21:59:43.10 -5',
    D('2001-12-15T02:59:43.100Z'),
    '2001-12-14 21:59:43.10 -5',
    '"2001-12-14 21:59:43.10 -5" is the timestamp 2001-12-14 21:59:43.10 -5 to YAML 1.1 readers of S3 and the string "2001-12-14 21:59:43.10 -5" to V2: quote it',
    '2001-12-14 21:59:43.10 -5',
  ],
  [
    '2001-12-15T02:59:43.1Z',
    D('2001-12-15T02:59:43.100Z'),
    '2001-12-15T02:59:43.1Z',
    '"2001-12-15T02:59:43.1Z" is the timestamp 2001-12-15T02:59:43.1Z to YAML 1.1 readers of S3 and the string "2001-12-15T02:59:43.1Z" to V2: quote it',
    '2001-12-15T02:59:43.1Z',
  ],
];

/** Read the same by both (checked so the table's edges are known): null forms, true/false forms, plain numbers. */
const SAME = [
  'true',
  'True',
  'TRUE',
  'false',
  'False',
  'FALSE',
  '~',
  'null',
  'Null',
  'NULL',
  '0x1F',
  '12',
  '+12',
  '-0',
  '1.5',
  '.5',
  '1.',
  '1.0e+3',
  '.inf',
  '-.Inf',
  '.NaN',
  '0',
  '00',
  '.',
  '-.',
  'yesterday',
  'nope',
  'only',
  '1.2.3',
  '1:60',
  '12:30:61',
  'v1:30',
  '2001-13',
  '0b',
  '0x',
  '_1',
  '0o',
];

/** What the `yaml` library's own parser gives for a plain scalar under a version (the table's 1.1 and 1.2 columns). */
function libRead(text: string, version: '1.1' | '1.2'): unknown {
  return parse(`v: ${text}\n`, version === '1.1' ? { version: '1.1' } : { version: '1.2', schema: 'core' }).v;
}

function plainJs(r: { value: unknown }): unknown {
  return typeof r.value === 'bigint' ? Number(r.value) : r.value;
}

describe('plain decimal numbers', () => {
  test('are answered without the library only where every reader agrees (integers, short fractions)', () => {
    const texts = [
      '0',
      '-0',
      '7',
      '-7',
      '10',
      '999999999999999',
      '-999999999999999',
      '0.5',
      '-0.25',
      '12345678.12345678',
    ];
    for (let i = 0; i < 2000; i++) {
      const int = String(Math.floor(Math.random() * 10 ** (1 + (i % 15))));
      texts.push(int, `-${int}`, `${int}.${String(i).padStart(1 + (i % 8), '0')}`);
    }
    for (const t of texts) {
      if (!/^-?(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,8})?$/.test(t)) continue;
      expect([t, computeDifference(t)]).toEqual([t, undefined]);
    }
    // Just outside the shortcut, the library still decides.
    for (const t of ['01', '1_000', '1:20', '1e3', '0x1F', '+1', '1.', '.5']) {
      expect([t, yaml11Difference(t)]).toEqual([t, computeDifference(t)]);
    }
  });
});

describe('the YAML 1.1 table', () => {
  test.each(TABLE)('%s', (text, v11, v12, error, stored) => {
    // 1. Both readings, from the module and from the parser itself.
    const d = yaml11Difference(text);
    expect(d).toBeDefined();
    expect(plainJs(d!.yaml11)).toEqual(v11);
    expect(plainJs(d!.yaml12)).toEqual(v12);
    expect(libRead(text, '1.1')).toEqual(v11);
    expect(libRead(text, '1.2')).toEqual(v12);

    // 2. The error in a repo config that S3 gets byte for byte, and a warning in a V2-only one.
    const file = 'ffi2/default/feed.yaml';
    const src = `enabled: ${text}\n`;
    const [problem] = yaml11Problems(yaml11Findings(src, { file }), file, true);
    expect(problem?.toString()).toBe(`${file}:1:10: ${error}`);
    expect(problem?.severity).toBe('error');
    const [warning] = yaml11Problems(
      yaml11Findings(src, { file: 'ffi2/feed.yaml' }),
      'ffi2/feed.yaml',
      false,
    );
    expect(warning?.severity).toBe('warning');

    // 3. What migration stores: the legacy object read as its readers did, and a repo rewrite that means the same.
    expect(d!.stored).toEqual(stored);
    expect(parseConfig(src, { file: 'legacy.yaml', yaml11: { read: true } })).toEqual({ enabled: stored });
    const { text: rewritten, rewrites } = rewriteYaml11(src, { file: 'legacy.yaml' });
    expect(rewrites.map((r) => r.text)).toEqual([text]);
    expect(parseConfig(rewritten, { file: 'repo.yaml' })).toEqual({ enabled: stored });
    expect(libRead(rewritten.slice('enabled: '.length).trim(), '1.1')).toEqual(stored);
    expect(yaml11Findings(rewritten, { file: 'repo.yaml' })).toEqual([]);

    // 4. The legacy writer quotes such strings, so a 1.1 reader gets the string V2 holds.
    const legacy = toLegacyMultiDoc({ config_list: [{ enabled: text }] });
    expect(parse(legacy.replace(/^---\n/, ''), { version: '1.1' })).toEqual({ enabled: text });
    expect(emitYaml({ enabled: text })).toBe(`enabled: ${JSON.stringify(text)}\n`);
  });

  test.each(SAME)('%s reads the same in both', (text) => {
    expect(yaml11Difference(text)).toBeUndefined();
  });

  test('keys too: a 1.1 reader gets a boolean or number key, which JSON writes as its string', () => {
    const src = 'yes: 1\n0755: 2\nname: NO\n';
    const findings = yaml11Findings(src, { file: 'a.yaml' });
    expect(findings.map((f) => [f.text, f.key, f.line, f.column])).toEqual([
      ['yes', true, 1, 1],
      ['0755', true, 2, 1],
      ['NO', false, 3, 7],
    ]);
    expect(parseConfig(src, { file: 'a.yaml', yaml11: { read: true } })).toEqual({
      true: 1,
      493: 2,
      name: false,
    });
    const { text } = rewriteYaml11(src, { file: 'a.yaml' });
    expect(text).toBe('true: 1\n493: 2\nname: false\n');
  });

  test('aliases and legacy multi-document objects are read as 1.1 readers do; each scalar is reported once', () => {
    const src = '---\nmode: &m on\ncopy: *m\n---\nmode: 0755\n';
    expect(fromLegacyMultiDoc(src, { file: 'x.yaml', yaml11: { read: true } }).value).toEqual({
      config_list: [{ mode: true, copy: true }, { mode: 493 }],
    });
    expect(yaml11Findings(src, { file: 'x.yaml' }).map((f) => [f.text, f.line])).toEqual([
      ['on', 2],
      ['0755', 5],
    ]);
    expect(rewriteYaml11(src, { file: 'x.yaml' }).text).toBe(
      '---\nmode: &m true\ncopy: *m\n---\nmode: 493\n',
    );
  });

  test('quoted, tagged, block and JSON scalars are never ambiguous', () => {
    const src = 'a: "yes"\nb: \'no\'\nc: !!str on\nd: |\n  yes\n';
    expect(yaml11Findings(src, { file: 'a.yaml' })).toEqual([]);
    expect(yaml11Findings('{"a": "yes"}', { file: 'a.json' })).toEqual([]);
  });

  test('the readings agree with the parser on a generated corpus of number-like and word-like scalars', () => {
    const parts = [
      '0',
      '1',
      '7',
      '8',
      '9',
      '_',
      '.',
      ':',
      'e',
      'E',
      '+',
      '-',
      'x',
      'b',
      'o',
      'a',
      'F',
      '5',
      '-1',
    ];
    const corpus = new Set<string>(['Y', 'n', 'yes', 'On', 'OFF', '2024-01-31', '2024-1-1 1:02:03']);
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 4000; i++) {
      const len = 1 + (next() % 6);
      let s = '';
      for (let j = 0; j < len; j++) s += parts[next() % parts.length];
      if (/^[-+.0-9]/.test(s) && !/^[-+]?[:_]|:$|^-$/.test(s)) corpus.add(s);
    }
    const bad: string[] = [];
    for (const s of corpus) {
      let lib11: unknown;
      let lib12: unknown;
      try {
        lib11 = libRead(s, '1.1');
        lib12 = libRead(s, '1.2');
      } catch {
        continue; // not a plain scalar on its own (e.g. `-` starts a list)
      }
      const m11 = plainJs(readPlain11(s));
      const m12 = plainJs(readPlain12(s));
      const eq = (a: unknown, b: unknown) =>
        a === b ||
        (Number.isNaN(a) && Number.isNaN(b)) ||
        (a instanceof Date && b instanceof Date && a.getTime() === b.getTime());
      // The one place the module departs from the library: `.`-like floats it reads as NaN are strings.
      const libNaN = readPlain11(s).type === 'str' && Number.isNaN(lib11);
      if (!eq(m11, libNaN ? s : lib11) || !eq(m12, lib12))
        bad.push(`${s}: ${String(m11)}/${String(lib11)} ${String(m12)}/${String(lib12)}`);
    }
    expect(bad).toEqual([]);
    expect(corpus.size).toBeGreaterThan(500);
  });
});
