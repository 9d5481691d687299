/**
 * The public conformance suites, read from /work/shared/conformance (skipped, saying so, only when that folder is
 * absent). The committed tables in docs/conformance/ record what we reject and why; a test fails when the real
 * behaviour and a table disagree. Regenerate the tables with UPDATE_CONFORMANCE=1 after a deliberate change.
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@itemstore/core';
import { parseConfig } from '@itemstore/convert';
import { prerequisite } from '../../../test/helpers/prerequisites.js';
import { CANNOT_HOLD, CONFORMANCE_ROOT, JSON_SUITE, runYamlCase, sameJson, yamlCases } from './yaml-suite';

const DOCS = join(import.meta.dirname, '../../../docs/conformance');
const YAML_TABLE = join(DOCS, 'yaml-rejected.json');
const YAML_TABLE_MD = join(DOCS, 'yaml-rejected.md');
const JSON_I_TABLE = join(DOCS, 'json-i-cases.md');
const UPDATE = process.env.UPDATE_CONFORMANCE === '1';

const present = prerequisite({
  what: `the conformance suites in ${CONFORMANCE_ROOT} (yaml-test-suite, JSONTestSuite)`,
  present: existsSync(CONFORMANCE_ROOT),
  why: 'the parsers are checked against every public case',
  // Required in CI when CI names the folder (ITEMSTORE_CONFORMANCE_DIR); GitHub's runner has no copy by default.
  requiredInCi: process.env.ITEMSTORE_CONFORMANCE_DIR !== undefined,
});
// Registered only when the data is there (test.each refuses an empty table).
const suite = present ? describe : () => {};

suite('yaml-test-suite (YAML 1.2 cases from yaml/yaml-test-suite)', () => {
  const cases = present ? yamlCases() : [];
  const errorCases = cases.filter((c) => c.error);
  const multiCases = cases.filter((c) => !c.error && c.documents > 1);
  const singleCases = cases.filter((c) => !c.error && c.documents <= 1);

  test('reads every case of the suite', () => {
    expect(cases.length).toBeGreaterThan(350);
    expect(errorCases.length).toBeGreaterThan(50);
    expect(multiCases.length).toBeGreaterThan(15);
  });

  test.each(errorCases.map((c) => [c.id, c] as const))(
    '%s: invalid YAML is rejected with a located error',
    (_id, c) => {
      const outcome = runYamlCase(c);
      expect(outcome.accepted).toBe(false);
      if (outcome.accepted) return;
      expect(outcome.error.file).toBe(`${c.id}/in.yaml`);
      expect(outcome.error.line).toBeGreaterThanOrEqual(1);
      expect(outcome.error.column).toBeGreaterThanOrEqual(1);
    },
  );

  test.each(multiCases.map((c) => [c.id, c] as const))(
    '%s: several documents are rejected with the to-config-list hint',
    (_id, c) => {
      const outcome = runYamlCase(c);
      expect(outcome.accepted).toBe(false);
      if (outcome.accepted) return;
      expect(outcome.error.code).toBe('multi-document');
      expect(outcome.error.message).toContain(`itemstore convert to-config-list ${c.id}/in.yaml`);
      expect(outcome.error.line).toBeGreaterThanOrEqual(1);
    },
  );

  test('single-document cases convert to in.json exactly, or are rejected for a listed reason', () => {
    const rejected: Record<string, { code: string; hasJson: boolean; title: string; line?: number }> = {};
    const mismatched: string[] = [];
    for (const c of singleCases) {
      const outcome = runYamlCase(c);
      if (outcome.accepted) {
        if (c.json !== undefined && !sameJson(outcome.value, c.json)) mismatched.push(c.id);
        continue;
      }
      rejected[c.id] = { code: outcome.error.code, hasJson: (c.json ?? '').trim() !== '', title: c.title };
      // Every rejection of valid YAML must be one of the SPEC's "JSON cannot hold" reasons.
      expect([c.id, CANNOT_HOLD.has(outcome.error.code)]).toEqual([c.id, true]);
    }
    expect(mismatched).toEqual([]);
    if (UPDATE) writeYamlTables(rejected);
    const committed = JSON.parse(readFileSync(YAML_TABLE, 'utf8')) as { cases: typeof rejected };
    expect(rejected).toEqual(committed.cases);
    expect(readFileSync(YAML_TABLE_MD, 'utf8')).toBe(renderYamlMarkdown(committed.cases));
    // "The list stays short": of the cases with a JSON value, only explicit tags and empty documents are refused.
    const withJson = Object.values(committed.cases).filter((r) => r.hasJson);
    expect(withJson.length).toBeLessThanOrEqual(20);
  });
});

suite('JSONTestSuite (nst/JSONTestSuite test_parsing)', () => {
  const files = present ? readdirSync(JSON_SUITE).sort() : [];
  const parse = (f: string) => parseConfig(readFileSync(join(JSON_SUITE, f)), { file: f });
  const DUPLICATE_KEY_CASES = ['y_object_duplicated_key.json', 'y_object_duplicated_key_and_value.json'];

  test.each(files.filter((f) => f.startsWith('y_') && !DUPLICATE_KEY_CASES.includes(f)))(
    '%s is accepted',
    (f) => {
      const value = parse(f);
      expect(sameJson(value, readFileSync(join(JSON_SUITE, f), 'utf8'))).toBe(true);
    },
  );

  test.each(DUPLICATE_KEY_CASES)('%s: valid JSON, but duplicate keys are rejected (SPEC §2)', (f) => {
    expect(() => parse(f)).toThrow(expect.objectContaining({ code: 'duplicate-key', line: 1, column: 10 }));
  });

  test.each(files.filter((f) => f.startsWith('n_')))('%s is rejected with a located error', (f) => {
    let error: unknown;
    try {
      parse(f);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const e = error as ConfigError;
    expect(e.file).toBe(f);
    if (e.code !== 'empty-file') expect(e.line).toBeGreaterThanOrEqual(1);
  });

  test('i_ (implementation-defined) cases behave as docs/conformance/json-i-cases.md records', () => {
    const rows = files
      .filter((f) => f.startsWith('i_'))
      .map((f) => {
        try {
          parse(f);
          return { file: f, outcome: 'accepted', code: '' };
        } catch (err) {
          if (!(err instanceof ConfigError)) throw err;
          return { file: f, outcome: 'rejected', code: err.code };
        }
      });
    if (UPDATE) writeFileSync(JSON_I_TABLE, renderJsonITable(rows));
    expect(readFileSync(JSON_I_TABLE, 'utf8')).toBe(renderJsonITable(rows));
  });
});

function writeYamlTables(cases: Record<string, { code: string; hasJson: boolean; title: string }>): void {
  const note =
    'Valid single-document YAML cases of yaml-test-suite that itemstore rejects, with the SPEC reason ' +
    '(packages/convert/test/conformance.test.ts fails when this list and the real behaviour differ).';
  writeFileSync(YAML_TABLE, JSON.stringify({ note, cases }, null, 2) + '\n');
  writeFileSync(YAML_TABLE_MD, renderYamlMarkdown(cases));
}

const WHY: Record<string, string> = {
  'unsupported-tag': 'explicit tag JSON cannot hold',
  'complex-key': 'mapping or list used as a key',
  'empty-file': 'no document content (empty stream, or `---` with nothing after it)',
  'duplicate-key': 'two equal keys (YAML says so too; in.json absent)',
  'key-collision': 'two keys that become the same string',
};

function renderYamlMarkdown(
  cases: Record<string, { code: string; hasJson: boolean; title: string }>,
): string {
  const ids = Object.keys(cases).sort();
  const lines = [
    '# yaml-test-suite: valid single-document cases we reject',
    '',
    'Generated by `UPDATE_CONFORMANCE=1 npm test -- packages/convert/test/conformance.test.ts` from',
    '`/work/shared/conformance/yaml-test-suite`; `yaml-rejected.json` is the machine-readable twin the test compares.',
    'Every other valid single-document case converts to exactly its `in.json`; every case with an `error` file is',
    'rejected with a located error; every multi-document case is rejected with the `itemstore convert to-config-list` hint.',
    '',
    `${ids.length} cases, ${ids.filter((id) => cases[id]!.hasJson).length} of them with an \`in.json\`.`,
    '',
    '| case | in.json | code | why | title |',
    '|---|---|---|---|---|',
    ...ids.map((id) => {
      const r = cases[id]!;
      return `| ${id} | ${r.hasJson ? 'yes' : 'no'} | \`${r.code}\` | ${WHY[r.code] ?? ''} | ${r.title.replaceAll('|', '\\|')} |`;
    }),
    '',
  ];
  return lines.join('\n');
}

const I_WHY: Record<string, string> = {
  'non-finite-number': 'overflows a double (would become Infinity)',
  'integer-range': 'integer beyond ±(2^53−1)',
  'invalid-unicode': 'lone surrogate escape',
  'invalid-utf8': 'bytes are not UTF-8',
  'nesting-too-deep': 'deeper than 256 levels',
};

function renderJsonITable(rows: { file: string; outcome: string; code: string }[]): string {
  return [
    '# JSONTestSuite `i_` cases (implementation-defined): what itemstore does',
    '',
    'Checked by `packages/convert/test/conformance.test.ts` against `/work/shared/conformance/json-test-suite`',
    '(regenerate with `UPDATE_CONFORMANCE=1`). Every `y_` case is accepted except the two duplicate-key cases,',
    'which SPEC §2 rejects (`duplicate-key`); every `n_` case is rejected.',
    '',
    '| case | outcome | code | why |',
    '|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.file} | ${r.outcome} | ${r.code ? `\`${r.code}\`` : ''} | ${
          r.outcome === 'accepted'
            ? r.file.includes('underflow') || r.file.includes('huge_neg_exp')
              ? 'underflows to 0, like every JSON parser that uses doubles'
              : 'BOM dropped'
            : (I_WHY[r.code] ?? '')
        } |`,
    ),
    '',
  ].join('\n');
}
