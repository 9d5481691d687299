// The value-first reading of item-store.yaml and tags.yaml (settings.ts, tags.ts): js-yaml's value through
// fast-yaml.ts fastRepoYamlValue when it is certain, else the `yaml` Document. Both must give the same Settings and
// tags, and the same located errors, for every input: the fixtures, the YAML test suite, and mutants of the places
// where the two parsers or the two paths could differ.
import { describe, expect, test } from '@jest/globals';
import { ConfigErrors, type ConfigError } from '@itemstore/core';
import { fastRepoYamlValue } from '@itemstore/convert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { yamlCases } from '../../convert/test/yaml-suite.js';
import { parseSettings, parseSettingsDocument } from '../src/settings.js';
import { parseTagsFile, parseTagsFileDocument } from '../src/tags.js';
import { sampleRepo } from './helpers.js';

type Outcome = { value: unknown } | { errors: Record<string, unknown>[] };

function located(e: ConfigError): Record<string, unknown> {
  return {
    code: e.code,
    message: e.message,
    file: e.file,
    line: e.line,
    column: e.column,
    endLine: e.endLine,
    endColumn: e.endColumn,
    severity: e.severity,
  };
}

function outcome(read: () => unknown): Outcome {
  try {
    return { value: read() };
  } catch (err) {
    if (err instanceof ConfigErrors) return { errors: err.errors.map(located) };
    throw err;
  }
}

const SETTINGS = readFileSync(join(sampleRepo, 'item-store.yaml'), 'utf8');

/** Both paths agree on `text` as item-store.yaml; returns whether the value-first path answered. */
function sameSettings(text: string): boolean {
  expect(outcome(() => parseSettings(text))).toEqual(outcome(() => parseSettingsDocument(text)));
  return fastRepoYamlValue(text.replace(/^\uFEFF/, '')) !== undefined;
}

function tagsOutcome(read: () => ReturnType<typeof parseTagsFile>): unknown {
  const r = read();
  return {
    tags: r.tags,
    files: r.files,
    fileKeyLocations: r.fileKeyLocations,
    errors: r.errors.map(located),
  };
}

/** Both paths agree on `text` as a tags.yaml; returns whether the value-first path answered. */
function sameTags(text: string): boolean {
  const file = 'team/sub/tags.yaml';
  expect(tagsOutcome(() => parseTagsFile(text, file))).toEqual(
    tagsOutcome(() => parseTagsFileDocument(text, file)),
  );
  return fastRepoYamlValue(text.replace(/^\uFEFF/, ''), 'text') !== undefined;
}

function filesNamed(dir: string, name: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) filesNamed(p, name, out);
    else if (entry === name) out.push(p);
  }
  return out;
}

describe('value-first item-store.yaml', () => {
  test('the sample repo settings take the value-first path and equal the Document path', () => {
    expect(sameSettings(SETTINGS)).toBe(true);
    expect(parseSettings(SETTINGS).tenants.wholesale?.s3.prod).toEqual({
      bucket: 'wholesale-configs-prod',
      prefix: 'v0/item-store/',
      region: 'eu-central-1',
    });
  });

  const line = (from: string, to: string): string => {
    expect(SETTINGS).toContain(from);
    return SETTINGS.replace(from, to);
  };
  const mutants: [string, string][] = [
    ['BOM', `\uFEFF${SETTINGS}`],
    ['CRLF line ends', SETTINGS.replace(/\n/g, '\r\n')],
    ['version 1.0 (a typed scalar)', line('version: 1\n', 'version: 1.0\n')],
    ['version 2', line('version: 1\n', 'version: 2\n')],
    ['version as a string', line('version: 1\n', 'version: "1"\n')],
    ['mainBranch a number', line('mainBranch: main', 'mainBranch: 0x1F')],
    ['mainBranch null', line('mainBranch: main', 'mainBranch: ~')],
    [
      'unknown tenant',
      line('tenant: wholesale, namespace: emr-jobs', 'tenant: nowhere, namespace: emr-jobs'),
    ],
    ['dq stored as bytes', line('format: dq }', 'format: dq, s3Format: bytes }')],
    ['plain as legacy-multidoc', line('namespace: ffi2 }', 'namespace: ffi2, s3Format: legacy-multidoc }')],
    ['missing environment', line('      qa: { bucket: retail-configs-qa, prefix: item-store/ }\n', '')],
    [
      'unknown environment',
      line(
        '      qa: { bucket: retail',
        '      staging: { bucket: x, prefix: y }\n      qa: { bucket: retail',
      ),
    ],
    ['reserved team name', line('  ffi2: {', '  constructor: {')],
    ['reserved environment', line('environments: [dev, qa, prod]', 'environments: [dev, qa, toString]')],
    ['__proto__ key', line('  ffi2: {', '  __proto__: {')],
    ['null key', line('  ffi2: {', '  null: {')],
    ['~ key', line('  ffi2: {', '  ~: {')],
    ['empty key', line('  ffi2: {', '  : {')],
    ['true key', line('  ffi2: {', '  true: {')],
    ['number key', line('  ffi2: {', '  1.5: {')],
    ['integer key', line('  ffi2: {', '  200: {')],
    ['duplicate key', line('mainBranch: main\n', 'mainBranch: main\nmainBranch: trunk\n')],
    ['duplicate team', line('  emr: {', '  ffi2: {')],
    ['unknown top-level key', `${SETTINGS}extra: 1\n`],
    [
      'merge key',
      line('  wholesale:\n    region: eu-west-1\n', '  wholesale:\n    <<: { region: eu-west-1 }\n'),
    ],
    [
      'anchor and alias',
      line('    region: us-east-1\n', '    region: &r us-east-1\n').replace(
        'region: eu-west-1',
        'region: *r',
      ),
    ],
    ['a tag', line('mainBranch: main', 'mainBranch: !!str main')],
    ['tab indentation', line('    region: us-east-1', '\tregion: us-east-1')],
    ['YAML 1.1 directive', `%YAML 1.1\n---\n${SETTINGS}`],
    ['a second document', `${SETTINGS}---\nversion: 1\n`],
    ['document start', `---\n${SETTINGS}`],
    ['NUL byte', line('mainBranch: main', 'mainBranch: ma\0in')],
    ['control character', line('mainBranch: main', 'mainBranch: "ma\u0001in"')],
    ['escaped control character', line('mainBranch: main', 'mainBranch: "ma\\u0001in"')],
    ['half a surrogate pair', line('mainBranch: main', 'mainBranch: "\\ud800"')],
    ['maxConfigBytes 1e6', `${SETTINGS}maxConfigBytes: 1e6\n`],
    ['maxConfigBytes 1000000', `${SETTINGS}maxConfigBytes: 1000000\n`],
    ['block scalar', line('mainBranch: main', 'mainBranch: |-\n  main')],
    ['folded over lines', line('mainBranch: main', 'mainBranch: "ma\n  in"')],
    [
      'bad flow indentation',
      line('  ffi2: { tenant: wholesale,', '  ffi2: { tenant: wholesale,\n namespace2: x,'),
    ],
    ['empty', ''],
    ['only comments', '# nothing here\n'],
    ['a list', '- version: 1\n'],
    ['a scalar', 'settings\n'],
    ['deep nesting', `${SETTINGS}extra: ${'['.repeat(3000)}${']'.repeat(3000)}\n`],
    ['syntax error', line('environments: [dev, qa, prod]', 'environments: [dev, qa, prod')],
  ];
  test.each(mutants)('%s: the same Settings or the same located errors', (_name, text) => {
    sameSettings(text);
  });

  test('an invalid file keeps its located errors', () => {
    const text = mutants.find(([n]) => n === 'unknown tenant')?.[1] as string;
    const result = outcome(() => parseSettings(text));
    expect(result).toEqual({
      errors: [
        expect.objectContaining({
          code: 'unknown-tenant',
          file: 'item-store.yaml',
          line: 24,
          column: 18,
          endLine: 24,
          endColumn: 25,
        }),
      ],
    });
  });

  test('every case of the YAML test suite reads the same as item-store.yaml', () => {
    let fast = 0;
    for (const c of yamlCases()) {
      const text = readFileSync(join(c.dir, 'in.yaml'), 'utf8');
      if (sameSettings(text)) fast++;
    }
    // Not a vacuous comparison: the value-first path answers for many of them (and the settings schema refuses).
    expect(fast).toBeGreaterThan(50);
  });
});

describe('value-first tags.yaml', () => {
  test('every tags.yaml of the sample repo takes the value-first path and equals the Document path', () => {
    const files = filesNamed(sampleRepo, 'tags.yaml');
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) expect(sameTags(readFileSync(f, 'utf8'))).toBe(true);
  });

  const keys = [
    'owner',
    'x.y-z_1',
    'name',
    'branch',
    'Upper',
    '1a',
    'true',
    'null',
    '~',
    '"quoted"',
    "''",
    '__proto__',
  ];
  const values = [
    'compute',
    '1',
    '-3',
    '0.25',
    '1.0',
    '010',
    '0x1F',
    '0o17',
    '-0',
    '1e3',
    '.inf',
    '.NaN',
    '12345678901234567890',
    'true',
    'True',
    'FALSE',
    'yes',
    '~',
    'null',
    '',
    '""',
    '"x y"',
    "'single'",
    '"1.0"',
    '2026-01-01',
    '[a, b]',
    '{a: b}',
    '!!str 5',
    '&a x',
    '"\\u0001"',
    '"\\ud800"',
    'a b # comment',
    `${'v'.repeat(300)}`,
    '|\n    block\n',
  ];
  test('every tag key and value spelling reads the same both ways', () => {
    let fast = 0;
    for (const k of keys) {
      for (const v of values) {
        if (sameTags(`tags:\n  ${k}: ${v}\n`)) fast++;
        if (sameTags(`files:\n  a.yaml:\n    tags: { ${k}: ${v.includes('\n') ? 'x' : v} }\n`)) fast++;
      }
    }
    expect(fast).toBeGreaterThan(20);
  });

  test.each([
    ['empty', ''],
    ['comments only', '# none\n'],
    ['tags null', 'tags:\n'],
    ['files null', 'files:\n'],
    ['files entry null', 'files:\n  a.yaml:\n'],
    ['files entry without tags', 'files:\n  a.yaml: {}\n'],
    ['files entry tags null', 'files:\n  a.yaml: { tags: }\n'],
    ['files entry unknown key', 'files:\n  a.yaml: { tag: { a: b } }\n'],
    ['files name with a slash', 'files:\n  sub/a.yaml: { tags: { a: b } }\n'],
    ['files name not a config', 'files:\n  a.txt: { tags: { a: b } }\n'],
    ['files name tags.yaml', 'files:\n  tags.yaml: { tags: { a: b } }\n'],
    ['files name empty', 'files:\n  "": { tags: { a: b } }\n'],
    ['files a list', 'files: [a.yaml]\n'],
    ['unknown key', 'tag:\n  a: b\n'],
    ['root a list', '- a\n'],
    ['root a scalar', 'tags\n'],
    ['duplicate key', 'tags:\n  a: b\n  a: c\n'],
    ['alias', 'tags: &t\n  a: b\nfiles:\n  a.yaml: { tags: *t }\n'],
    ['merge key', 'tags:\n  <<: { a: b }\n'],
    [
      'both and several files',
      'tags:\n  a: b\nfiles:\n  a.yaml:\n    tags: { c: d }\n  b.json:\n    tags:\n      e: "1.0"\n',
    ],
    ['BOM', '\uFEFFtags:\n  a: b\n'],
    ['CRLF', 'tags:\r\n  a: b\r\nfiles:\r\n  x.yml: { tags: { c: 2 } }\r\n'],
  ])('%s: the same tags, file locations and errors', (_name, text) => {
    sameTags(text);
  });

  test('files key locations come from the Document when asked for', () => {
    const text = 'tags:\n  a: b\nfiles:\n  a.yaml:\n    tags: { c: d }\n  b.json: { tags: { e: f } }\n';
    const r = parseTagsFile(text, 'team/tags.yaml');
    expect(r.files).toEqual({ 'a.yaml': { c: 'd' }, 'b.json': { e: 'f' } });
    expect(r.fileKeyLocations).toEqual({
      'a.yaml': { line: 4, column: 3 },
      'b.json': { line: 6, column: 3 },
    });
  });
});
