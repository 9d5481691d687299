/**
 * The hostile-input corpus: every case of test/hostile/cases/ ends in the located problems it expects, never in a
 * crash. (Time and peak RSS per case, each in a process of its own: scripts/hostile-figures.mjs, written into
 * docs/hostile-inputs.md.)
 */
import { describe, expect, test } from '@jest/globals';
import { loadCases, runCase } from './corpus.js';

const cases = loadCases();

test('the corpus holds at least 100 cases, each expecting at least one located problem', () => {
  expect(cases.length).toBeGreaterThanOrEqual(100);
  for (const c of cases) {
    expect([c.id, c.expect.length > 0]).toEqual([c.id, true]);
    expect(c.what).toBeTruthy();
  }
});

describe('hostile inputs', () => {
  test.each(cases.map((c) => [c.id, c] as const))(
    '%s',
    async (_id, c) => {
      const problems = await runCase(c);
      // The errors are exactly those expected (file:line:column severity code); expected warnings are present.
      const errors = (list: string[]) => list.filter((p) => / error /.test(p)).sort();
      expect(errors(problems)).toEqual(errors(c.expect));
      for (const w of c.expect.filter((p) => / warning /.test(p))) expect(problems).toContain(w);
    },
    120_000,
  );
});
