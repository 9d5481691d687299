/** `itemstore convert`, driven through its command function with real files in a temp dir. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertCommand } from '../../cli/src/commands/convert.js';

const FIXTURES = join(import.meta.dirname, '../../../test/fixtures/convert');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'itemstore-convert-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await convertCommand(argv, { stdout: (t) => out.push(t), stderr: (l) => err.push(l) });
  return { code, stdout: out.join(''), stderr: err.join('\n') };
}

function file(name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('directions', () => {
  test('to-v2 prints the V2 JSON', async () => {
    const r = await run('to-v2', file('c.yaml', 'name: orders\nretries: 3\n'));
    expect(r).toEqual({ code: 0, stdout: '{\n  "name": "orders",\n  "retries": 3\n}\n', stderr: '' });
  });

  test('to-v2 --format dq applies the config_list rule', async () => {
    const r = await run('to-v2', file('d.yaml', 'rules: []\n'), '--format', 'dq');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `${dir}/d.yaml:1:1: team format dq needs a root mapping with a config_list list, but there is no config_list key.`,
    );
    expect(r.stdout).toBe('');
  });

  test('to-config-list turns a legacy file into the YAML authors commit, and -o writes it', async () => {
    const legacy = join(FIXTURES, 'legacy', 'inventory_dq.yaml');
    const out = join(dir, 'inventory_dq.yaml');
    const r = await run('to-config-list', legacy, '-o', out);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readFileSync(out, 'utf8')).toBe(
      [
        'config_list:',
        '  - rule_id: inventory_freshness',
        '    dataset: wh.inventory_snapshot',
        '    check:',
        '      type: freshness',
        '      column: loaded_at',
        '      max_age_minutes: 90',
        '    severity: critical',
        '    enabled: true',
        '',
      ].join('\n'),
    );
    // ...and to-legacy takes it back to the original bytes.
    const back = await run('to-legacy', out);
    expect(back.stdout).toBe(readFileSync(legacy, 'utf8'));
  });

  test('from-legacy prints the V2 JSON of {config_list}', async () => {
    const r = await run('from-legacy', file('l.yaml', '---\na: 1\n---\nb: [x]\n'));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ config_list: [{ a: 1 }, { b: ['x'] }] });
  });

  test('to-legacy takes JSON configs too', async () => {
    const r = await run('to-legacy', join(FIXTURES, 'config-list', 'customers_dq.json'));
    expect(r.stdout).toBe(readFileSync(join(FIXTURES, 'legacy', 'customers_dq.yaml'), 'utf8'));
  });
});

describe('problems', () => {
  test('a located problem prints file:line:col: message and exits 1, writing nothing', async () => {
    const out = join(dir, 'never.json');
    const r = await run('to-v2', file('bad.yaml', 'a: 1\nb: .nan\n'), '-o', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `${dir}/bad.yaml:2:4: .nan is not a finite number, which JSON cannot hold (quote it to keep it as a string)`,
    );
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  test('a legacy file given to to-v2 gets the to-config-list hint', async () => {
    const path = file('multi.yaml', 'a: 1\n---\nb: 2\n');
    const r = await run('to-v2', path);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `${path}:2:1: ${path} holds 2 YAML documents; a config is one document. ` +
        `Run \`itemstore convert to-config-list ${path}\` to turn it into one document with a config_list.`,
    );
  });

  test('-o keeps an existing file untouched when the input is bad', async () => {
    const out = file('keep.json', 'old\n');
    const r = await run('from-legacy', file('bad-legacy.yaml', '---\na: 1\n---\n'), '-o', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad-legacy\.yaml:3:1: document 2 of 2 is empty/);
    expect(readFileSync(out, 'utf8')).toBe('old\n');
  });

  test('--max-bytes lowers the size limit', async () => {
    const r = await run('to-v2', file('s.yaml', 'a: 12345\n'), '--max-bytes', '4');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('s.yaml is 9 bytes, over the 4 bytes limit for a config.');
  });
});

describe('usage', () => {
  test.each([
    [[], 'say which direction'],
    [['sideways', 'x.yaml'], 'unknown direction "sideways"'],
    [['to-v2'], 'convert to-v2 needs the file to convert.'],
    [['to-v2', 'a.yaml', 'b.yaml'], 'convert takes one file; got also b.yaml.'],
    [['to-v2', 'a.yaml', '--format', 'xml'], '--format must be plain, config-list or dq, not "xml".'],
    [['to-v2', 'a.yaml', '--frobnicate'], "Unknown option '--frobnicate'"],
    [['to-v2', 'a.yaml', '--max-bytes', 'lots'], '--max-bytes must be a positive whole number'],
  ])('%j exits 2: %s', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('Usage: itemstore convert');
  });

  test('a missing file exits 2', async () => {
    const r = await run('to-v2', join(dir, 'nope.yaml'));
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: `itemstore convert: cannot read ${dir}/nope.yaml: no such file.`,
    });
  });

  test('--help prints the usage and exits 0', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('to-config-list  a legacy multi-document YAML');
  });
});
