/**
 * The differential test of the YAML fast path (src/fast-yaml.ts, README "Why two YAML parsers"): for every input,
 * the fast path either bails (returns undefined, and the exact path decides) or returns a value whose V2 text is
 * byte for byte the exact path's, with the same key order and the same numbers (Object.is: -0 stays -0), and the
 * exact path reports no error and no YAML 1.1 finding for it. Inputs: every case of the YAML test suite (in.yaml,
 * and in.json read as YAML), every JSONTestSuite file read as YAML, the repo's test fixtures, 400 configs of the
 * benchmark's synthetic repo, and a generated set around the edge cases (typed keys, merge keys, aliases and their
 * limits, numbers at the edges of a double, escapes, YAML 1.1 forms, directives, tabs, CRLF); each under the default
 * limits and under small ones (depth, alias nodes, content size) and with YAML 1.1 findings listened for.
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@itemstore/core';
import { decodeConfig, emitYaml, stringifyV2, toV2Json } from '@itemstore/convert';
import { CORE_WORDS, CORE_WORD_VALUES, fastYamlValue } from '../src/fast-yaml';
import { readPlain12 } from '../src/yaml11';
import { parseYamlExact, type ConvertOptions } from '../src/parse-config';
import { orderedKeys } from '../src/json-value';
import { CONFORMANCE_ROOT, JSON_SUITE, yamlCases } from './yaml-suite';
// @ts-expect-error: plain ESM JavaScript of the benchmark harness, no types
import { planRepo, renderConfig } from '../../../bench/lib/synthetic-repo.mjs';

const ROOT = join(import.meta.dirname, '../../..');

type Input = { name: string; bytes: Uint8Array | string };

/** The option sets every input runs under. */
const VARIANTS: { label: string; options: Omit<ConvertOptions, 'file'> }[] = [
  { label: 'default', options: {} },
  { label: 'yaml11 findings', options: { yaml11: { onFinding: () => undefined } } },
  { label: 'yaml11 read', options: { yaml11: { read: true } } },
  { label: 'small limits', options: { maxDepth: 3, maxAliasNodes: 6, maxContentBytes: 400 } },
];

interface Tally {
  fast: number;
  bailed: number;
  failures: string[];
}

/** Leaves compared with Object.is, objects by their keys in order (the exact path's recorded order). */
function sameValue(fast: unknown, exact: unknown, path = '$'): string | undefined {
  if (Array.isArray(exact)) {
    if (!Array.isArray(fast) || fast.length !== exact.length) return `${path}: array differs`;
    for (let i = 0; i < exact.length; i++) {
      const d = sameValue(fast[i], exact[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (typeof exact === 'object' && exact !== null) {
    if (typeof fast !== 'object' || fast === null || Array.isArray(fast)) return `${path}: object differs`;
    const ek = orderedKeys(exact as Record<string, unknown>);
    const fk = Object.keys(fast);
    if (JSON.stringify(ek) !== JSON.stringify(fk))
      return `${path}: keys ${JSON.stringify(fk)} vs ${JSON.stringify(ek)}`;
    for (const k of ek) {
      const d = sameValue(
        (fast as Record<string, unknown>)[k],
        (exact as Record<string, unknown>)[k],
        `${path}.${k}`,
      );
      if (d) return d;
    }
    return undefined;
  }
  return Object.is(fast, exact) ? undefined : `${path}: ${String(fast)} vs ${String(exact)}`;
}

function check(input: Input, tally: Tally, variants = VARIANTS): void {
  for (const { label, options } of variants) {
    const file = 'config.yaml';
    let text: string;
    try {
      text = decodeConfig(input.bytes, file);
    } catch (err) {
      if (err instanceof ConfigError) return; // refused before either parser runs
      throw err;
    }
    const findings: unknown[] = [];
    const opts: ConvertOptions = {
      ...options,
      file,
      ...(options.yaml11
        ? { yaml11: { ...options.yaml11, onFinding: (f: unknown) => void findings.push(f) } }
        : {}),
    };
    const fast = fastYamlValue(text, opts);
    if (fast === undefined) {
      tally.bailed++;
      continue;
    }
    tally.fast++;
    const where = `${input.name} [${label}]`;
    let exact: unknown;
    try {
      exact = parseYamlExact(text, opts);
    } catch (err) {
      const e = err as ConfigError;
      tally.failures.push(`${where}: the fast path answered, the exact path says ${e.code}: ${e.message}`);
      continue;
    }
    if (findings.length > 0) {
      tally.failures.push(`${where}: the fast path answered, the exact path has YAML 1.1 findings`);
      continue;
    }
    const fastText = JSON.stringify(fast, null, 2) + '\n';
    const exactText = stringifyV2(exact);
    if (fastText !== exactText) {
      tally.failures.push(`${where}: V2 text differs:\n${fastText}\nvs exact\n${exactText}`);
      continue;
    }
    const d = sameValue(fast, exact);
    if (d) tally.failures.push(`${where}: ${d}`);
  }
}

function runAll(inputs: Input[]): Tally {
  const tally: Tally = { fast: 0, bailed: 0, failures: [] };
  for (const input of inputs) check(input, tally);
  return tally;
}

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
}

const suitePresent = existsSync(CONFORMANCE_ROOT);

/** Every yaml-test-suite in.yaml and in.json, and every JSONTestSuite file. */
function suiteInputs(): Input[] {
  const inputs: Input[] = [];
  for (const c of yamlCases()) {
    inputs.push({ name: `yaml-suite ${c.id}/in.yaml`, bytes: readFileSync(join(c.dir, 'in.yaml')) });
    if (c.json !== undefined) {
      inputs.push({ name: `yaml-suite ${c.id}/in.json`, bytes: readFileSync(join(c.dir, 'in.json')) });
    }
  }
  for (const f of readdirSync(JSON_SUITE).sort()) {
    inputs.push({ name: `json-suite ${f}`, bytes: readFileSync(join(JSON_SUITE, f)) });
  }
  return inputs;
}

describe('the YAML fast path bails or gives the exact path’s bytes', () => {
  (suitePresent ? test : test.skip)('every yaml-test-suite case and JSONTestSuite file', () => {
    const inputs = suiteInputs();
    const tally = runAll(inputs);
    expect(tally.failures).toEqual([]);
    // The suite is mostly edge cases, but the ordinary ones must take the fast path.
    expect(tally.fast).toBeGreaterThan(300);
  });

  test('every test fixture of the repo', () => {
    const inputs = walk(join(ROOT, 'test/fixtures'))
      .filter((p) => /\.(json|ya?ml)$/i.test(p))
      .map((p) => ({ name: p.slice(ROOT.length + 1), bytes: readFileSync(p) }));
    const tally = runAll(inputs);
    expect(tally.failures).toEqual([]);
    expect(tally.fast).toBeGreaterThan(0);
  });

  test('400 configs of the benchmark repo: all take the fast path', () => {
    const plan = planRepo({ configs: 400, seed: 1, teams: 20 }) as {
      configs: { path: string; ext: string }[];
    };
    const inputs = plan.configs
      .filter((c) => c.ext !== 'json')
      .map((c) => ({ name: c.path, bytes: renderConfig(c, 1) as string }));
    const tally: Tally = { fast: 0, bailed: 0, failures: [] };
    for (const input of inputs) {
      // The default limits only: the exact path is slow, and these configs have no YAML 1.1 forms.
      check(input, tally, VARIANTS.slice(0, 1));
      // Ordinary configs never bail under the default limits.
      const text = decodeConfig(input.bytes, 'config.yaml');
      expect(fastYamlValue(text)).toBeDefined();
    }
    expect(tally.failures).toEqual([]);
    expect(inputs.length).toBeGreaterThan(200);
  });

  test('the legacy documents toLegacyMultiDoc writes (read back by the fast path)', () => {
    const plan = planRepo({ configs: 200, seed: 1, teams: 20 }) as {
      configs: { path: string; ext: string; format: string }[];
    };
    const inputs: Input[] = [];
    for (const c of plan.configs.filter((c) => c.format === 'dq')) {
      const { value } = toV2Json(renderConfig(c, 1) as string, { file: c.path, format: 'dq' });
      for (const entry of (value as { config_list: unknown[] }).config_list) {
        inputs.push({ name: `${c.path} legacy document`, bytes: emitYaml(entry) });
      }
    }
    const tally: Tally = { fast: 0, bailed: 0, failures: [] };
    for (const input of inputs) check(input, tally, VARIANTS.slice(0, 1));
    expect(tally.failures).toEqual([]);
    expect(tally.bailed).toBe(0);
    expect(inputs.length).toBeGreaterThan(50);
  });

  test('a generated set around the edge cases', () => {
    const tally = runAll(generated(4000));
    expect(tally.failures).toEqual([]);
    expect(tally.fast).toBeGreaterThan(500);
    expect(tally.bailed).toBeGreaterThan(500);
  });

  test('mutants of generated and benchmark documents (indentation, indicators, deleted characters)', () => {
    const plan = planRepo({ configs: 60, seed: 3, teams: 20 }) as {
      configs: { path: string; ext: string }[];
    };
    const bases = [
      ...generated(300).map((g) => String(g.bytes)),
      ...plan.configs
        .filter((c) => c.ext !== 'json')
        .map((c) => (renderConfig(c, 1) as string).slice(0, 3000)),
      // The YAML test suite's documents: every syntax there is.
      ...(suitePresent
        ? suiteInputs()
            .filter((i) => i.name.endsWith('.yaml'))
            .map((i) => String(i.bytes))
        : []),
    ];
    // FAST_YAML_FUZZ=200000 runs a longer fuzz (with FAST_YAML_SEED for another sequence).
    const tally = runAll(mutants(bases, Number(process.env.FAST_YAML_FUZZ ?? 6000)));
    expect(tally.failures).toEqual([]);
    expect(tally.fast).toBeGreaterThan(1000);
  });

  test('the core schema’s null and boolean words are CORE_WORDS, in every capitalisation', () => {
    const cases = (w: string): string[] =>
      w.length === 0
        ? ['']
        : cases(w.slice(1)).flatMap((rest) => [w[0]!.toLowerCase() + rest, w[0]!.toUpperCase() + rest]);
    for (const w of ['~', ...cases('null'), ...cases('true'), ...cases('false')]) {
      expect([w, readPlain12(w).type !== 'str']).toEqual([w, CORE_WORDS.includes(w)]);
    }
    for (const w of CORE_WORDS) expect([w, readPlain12(w).value]).toEqual([w, CORE_WORD_VALUES[w]]);
  });

  test('hand-picked edge cases', () => {
    const cases = [
      'a: 1\n',
      '1.10: x\n',
      '~: x\nnull: y\n',
      '1: a\n01: b\n',
      '1: a\n"1": b\n',
      '200: a\nb: c\n',
      'b: c\n200: a\n',
      '__proto__: 1\n',
      'a: -0\nb: -0.0\nc: 1e-400\nd: 1e400\ne: .inf\nf: .nan\n',
      'a: 9007199254740991\nb: 9007199254740992\nc: -9007199254740991\nd: -9007199254740992\n',
      'a: 0x1F\nb: 0o17\nc: +12\nd: 1.\ne: .5\nf: 1e3\n',
      'a: "\\ud800"\n',
      'a: "\\ud83d\\ude00"\nb: "\\U0001F600"\n',
      '"\\ud800": 1\n',
      'a: yes\nb: on\nc: 0777\nd: 1:20\ne: 1_000\nf: 2001-12-14\n',
      'yes: 1\n',
      '%YAML 1.1\n---\na: yes\n',
      '---\na: 1\n',
      'a: 1\n---\nb: 2\n',
      'a: 1\n...\n',
      '---\n',
      '# only a comment\n',
      'null\n',
      '~\n',
      'a: !!str 1\n',
      'a: ! 1\n',
      'a: !local x\n',
      'a: &x [1, 2]\nb: *x\n',
      'a: &x {k: 1}\nb: {<<: *x, k: 2}\n',
      'a: &x {k: 1, j: 2}\nb:\n  k: 0\n  <<: *x\n',
      'a: &x {k: 1}\nb: &y {k: 2, m: 3}\nc:\n  <<: [*x, *y]\n',
      'a: &x [1]\nb:\n  <<: *x\n',
      'a: &x []\nb:\n  <<: *x\n',
      'b:\n  <<: [[]]\n',
      'b:\n  <<: []\n',
      'b:\n  <<: 1\n',
      'b:\n  <<:\n',
      'b: <<\n',
      '"<<": 1\n',
      '- <<: {a: 1}\n',
      '[<<: {a: 1}]\n',
      '&a [*a]\n',
      'a: *nope\n',
      'a: &x 1\nb: *x\n',
      'a: &x 0x1F\nb: *x\n',
      '? a\n: b\n',
      ': a\n',
      '[a]: b\n',
      '{a: 1}: b\n',
      'a:\tb\n',
      'a: b\r\nc: d\r\n',
      'a: "multi\n  line"\n',
      '"multi\n  line": 1\n',
      `${'k'.repeat(1100)}: 1\n`,
      'a: |\n  text\n\n',
      'a: >-\n  folded\n  text\n',
      'a: [1, 2, {b: 3}]\n',
      'a: {b: [c, d]}\n',
      '- a\n- b: c\n  d: e\n',
      'a:\n- 1\n- 2\n',
      'a: b: c\n',
      'a: 1\na: 2\n',
      'a: b #comment\n',
      'a: b#c\n',
      '"a": "b"\n',
      "'a': 'it''s'\n",
      '{"a":1,"b":[true,false,null]}\n',
      'a: True\nb: FALSE\nc: Null\nd: NULL\n',
      'True: 1\n',
      'a:\n',
      '- \n- a\n',
      'null: 1\n',
      '"null": 1\n',
      '{: 1}\n',
      '- : 1\n',
      '[: 1]\n',
      'a:\n  : 1\n',
      '{null: 1, : 2}\n',
      'a: x !\n',
      'a: b != c\n',
      'a: !\n  b\n',
      'a: &x k\n*x : v\n',
      'a: &x k\nb: {*x : v}\n',
      'a: &x [1]\n? *x\n: 1\n',
      'x: &m {a: 1}\ny:\n  <<: *m\n  <<: *m\n',
      'a: [<<]\n',
      'a: |+\n  x\n\n ',
      'a: "x"#c\n',
      'a: [1,\n2]\n',
      'a: [\n  1\n]\n',
      '- a: [\n  1\n  ]\n',
      'a: "x\ny"\n',
      'top: &a\n  &b c\n',
    ];
    const tally = runAll(
      cases.map((c, i) => ({ name: `case ${i}: ${JSON.stringify(c).slice(0, 60)}`, bytes: c })),
    );
    expect(tally.failures).toEqual([]);
  });
});

/** Each mutant is a base document with one to three random edits, most of which make it invalid or odd. */
function mutants(bases: string[], n: number): Input[] {
  let seed = Number(process.env.FAST_YAML_SEED ?? 7);
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  const int = (k: number) => Math.floor(rnd() * k);
  const CHARS = [
    ':',
    '#',
    '-',
    '[',
    ']',
    '{',
    '}',
    ',',
    '&',
    '*',
    '!',
    '|',
    '>',
    "'",
    '"',
    '?',
    ' ',
    '\n',
    '%',
    '@',
  ];
  const out: Input[] = [];
  for (let i = 0; i < n; i++) {
    let text = bases[int(bases.length)] as string;
    for (let e = 1 + int(3); e > 0; e--) {
      const lines = text.split('\n');
      const li = int(lines.length);
      const line = lines[li] as string;
      switch (int(6)) {
        case 0:
          lines[li] = ' ' + line;
          break;
        case 1:
          lines[li] = line.replace(/^ {1,2}/, '');
          break;
        case 2: {
          const at = int(line.length + 1);
          lines[li] = line.slice(0, at) + CHARS[int(CHARS.length)] + line.slice(at);
          break;
        }
        case 3: {
          const at = int(line.length);
          lines[li] = line.slice(0, at) + line.slice(at + 1);
          break;
        }
        case 4:
          lines.splice(li, 0, line);
          break;
        default:
          if (li + 1 < lines.length) [lines[li], lines[li + 1]] = [lines[li + 1] as string, line];
      }
      text = lines.join('\n');
    }
    out.push({ name: `mutant ${i}: ${JSON.stringify(text).slice(0, 300)}`, bytes: text });
  }
  return out;
}

/** A seeded generator of YAML documents mixing the features the fast path must get right or bail on. */
function generated(n: number): Input[] {
  let seed = 42;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const PLAIN = [
    '1',
    '01',
    '007',
    '1.10',
    '1.5',
    '0.25',
    '-3',
    '+1',
    '-0',
    '-0.0',
    '0x1F',
    '0o17',
    '1e3',
    '1.0e3',
    '1e400',
    '1e-400',
    '.5',
    '1.',
    '9007199254740991',
    '9007199254740992',
    '-9007199254740993',
    '.inf',
    '-.Inf',
    '.nan',
    'true',
    'True',
    'TRUE',
    'tRue',
    'false',
    'False',
    'null',
    'Null',
    'NULL',
    '~',
    'yes',
    'No',
    'on',
    'OFF',
    'y',
    'n',
    '0777',
    '08',
    '1:20',
    '190:20:30',
    '1_000',
    '0b1010',
    '2001-12-14',
    'a b',
    'a#b',
    'plain',
    'name',
    'trueish',
    'nullable',
    'x-y',
    '0',
    '4294967295',
    '4294967294',
    '123456789012345678',
    'a.b',
    'é',
    '😀',
  ] as const;
  const QUOTED = [
    '"\\ud800"',
    '"\\udc00x"',
    '"\\ud83d\\ude00"',
    '"\\U0001F600"',
    '"\\x41"',
    '"\\N"',
    '"\\_"',
    '"a\\tb"',
    '"1"',
    '"<<"',
    '""',
    "'it''s'",
    "'1.10'",
    '"\\u0041"',
    '"yes"',
    '"200"',
    '"\\0"',
    '"\\a\\b\\e\\f\\v\\/\\\\\\""',
    '"\\ x"',
    '"\\L\\P"',
    '"\\q"',
    '"\\x7f\\u00e9"',
    '"two\n  lines"',
    '"trailing \\\n  escape"',
    '"blank\n\n  line"',
    "'single\n  folded'",
    "'single\n\n  blank'",
    '"less\nindented"',
  ] as const;
  const KEYS = [
    'a',
    'b',
    'c',
    'name',
    '200',
    '0',
    '1',
    '"1"',
    '1.10',
    '~',
    'null',
    'true',
    'True',
    '__proto__',
    '"a"',
    "'b'",
    '<<',
    'yes',
    '4294967295',
    '-1',
    '01',
    '"\\ud800"',
    'a b',
    'é',
  ] as const;
  const out: Input[] = [];
  for (let i = 0; i < n; i++) {
    const anchors: string[] = [];
    const lines: string[] = [];
    const scalar = (): string => {
      const r = rnd();
      if (r < 0.55) return pick(PLAIN);
      if (r < 0.8) return pick(QUOTED);
      if (r < 0.9 && anchors.length) return `*${pick(anchors)}`;
      if (r < 0.95) {
        const a = `s${i}${anchors.length}`;
        anchors.push(a);
        return `&${a} ${pick(PLAIN)}`;
      }
      return '';
    };
    const flow = (depth: number): string => {
      if (depth > 2 || rnd() < 0.4) return scalar() || 'x';
      if (rnd() < 0.5)
        return `[${Array.from({ length: Math.floor(rnd() * 3) }, () => flow(depth + 1)).join(', ')}]`;
      const keys = Array.from({ length: Math.floor(rnd() * 3) }, () => pick(KEYS));
      return `{${keys.map((k) => `${k}: ${flow(depth + 1)}`).join(', ')}}`;
    };
    const block = (indent: number, depth: number): void => {
      const pad = ' '.repeat(indent);
      const count = 1 + Math.floor(rnd() * 4);
      const seq = depth > 0 && rnd() < 0.25;
      const used = new Set<string>();
      for (let k = 0; k < count; k++) {
        const key = seq ? '-' : `${pick(KEYS)}:`;
        if (!seq) {
          if (used.has(key) && rnd() < 0.8) continue;
          used.add(key);
        }
        const r = rnd();
        if (!seq && key === '<<:') {
          const choices = [
            anchors.length ? `*${pick(anchors)}` : '{m: 1}',
            anchors.length > 1 ? `[*${pick(anchors)}, *${pick(anchors)}]` : '[{m: 1}, {n: 2}]',
            '{m: 1, a: 2}',
            '1',
            '[[]]',
            '[]',
            '',
            '[1]',
          ];
          lines.push(`${pad}${key} ${pick(choices)}`.trimEnd());
        } else if (r < 0.45 || depth > 3) {
          lines.push(`${pad}${key} ${scalar()}`.trimEnd());
        } else if (r < 0.65) {
          lines.push(`${pad}${key} ${flow(0)}`);
        } else if (r < 0.75) {
          lines.push(
            `${pad}${key} ${pick(['|', '|-', '|+', '>', '>-'])}`,
            `${pad}  line one`,
            `${pad}  line two`,
            '',
          );
        } else {
          const anchor = rnd() < 0.4 ? `&m${i}${anchors.length}` : '';
          if (anchor) anchors.push(anchor.slice(1));
          lines.push(`${pad}${key}${anchor ? ' ' + anchor : ''}`);
          block(indent + 2, depth + 1);
        }
        if (rnd() < 0.05) lines.push(`${pad}# a comment`);
      }
    };
    block(0, 0);
    let text = lines.join('\n') + '\n';
    const r = rnd();
    if (r < 0.04) text = '---\n' + text;
    else if (r < 0.06) text = '%YAML 1.1\n---\n' + text;
    else if (r < 0.09) text = text.replace(/\n/g, '\r\n');
    else if (r < 0.1) text = text.replace('  ', '\t');
    else if (r < 0.12) text = text + '---\nb: 1\n';
    out.push({ name: `generated ${i}: ${JSON.stringify(text).slice(0, 200)}`, bytes: text });
  }
  return out;
}
