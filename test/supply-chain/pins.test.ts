/**
 * Every third-party `uses:` in .github/ and action-templates/ is pinned to a full commit SHA with its version in a
 * comment, at a major release that runs on Node 24 (scripts/check-pins.mjs; also part of `npm run lint:workflows`).
 */
import { describe, expect, it } from '@jest/globals';
import { join, resolve } from 'node:path';
// @ts-expect-error -- a plain ESM script without type declarations
import { checkPins, checkPinsInText } from '../../scripts/check-pins.mjs';

const repoRoot = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../..');
const check = checkPinsInText as (text: string, path: string) => string[];
const sha = '3d3c42e5aac5ba805825da76410c181273ba90b1';

const step = (uses: string) => `jobs:\n  a:\n    steps:\n      - uses: ${uses}\n`;

describe('action pins', () => {
  it('every uses: of this repository (workflows and templates) is a full SHA at a Node 24 major', () => {
    const { files, problems } = checkPins(repoRoot) as { files: string[]; problems: string[] };
    expect(problems).toEqual([]);
    expect(files).toEqual(expect.arrayContaining([join('.github', 'workflows', 'ci.yml')]));
    expect(files.filter((f) => f.startsWith('action-templates')).length).toBeGreaterThanOrEqual(6);
  });

  it('accepts a full SHA with its version, local actions and reusable workflows', () => {
    expect(check(step(`actions/checkout@${sha} # v7.0.1`), 'w.yml')).toEqual([]);
    expect(check(step(`"actions/checkout@${sha}" # v7`), 'w.yml')).toEqual([]);
    expect(check(step('./actions/detect-changed-paths'), 'w.yml')).toEqual([]);
    expect(
      check(`jobs:\n  a:\n    uses: org/repo/.github/workflows/x.yml@${sha} # v1.2.0\n`, 'w.yml'),
    ).toEqual([]);
    expect(check(step(`some/other-action@${sha} # v2.0.0-rc.1`), 'w.yml')).toEqual([]);
  });

  it('refuses a tag, a branch or a short SHA, naming the file and line', () => {
    expect(check(step('actions/checkout@v7'), 'a.yml')).toEqual([
      expect.stringMatching(/^a\.yml:4: actions\/checkout@v7 is pinned to "v7", not a full commit SHA/),
    ]);
    expect(check(step('tj-actions/changed-files@main'), 'a.yml')[0]).toMatch(/not a full commit SHA/);
    expect(check(step('actions/checkout@3d3c42e # v7.0.1'), 'a.yml')[0]).toMatch(/not a full commit SHA/);
    expect(check(step('actions/checkout'), 'a.yml')[0]).toMatch(/has no ref/);
    expect(check(step('docker://alpine:3.20'), 'a.yml')[0]).toMatch(/not pinned by digest/);
  });

  it('refuses a SHA without its version comment (Dependabot and readers need it)', () => {
    expect(check(step(`actions/checkout@${sha}`), 'a.yml')[0]).toMatch(/has no version comment/);
    expect(check(step(`actions/checkout@${sha} # latest`), 'a.yml')[0]).toMatch(/has no version comment/);
  });

  it('refuses majors known to run on Node 20', () => {
    const node20 = [
      'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2',
      'actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020 # v4.4.0',
      'aws-actions/configure-aws-credentials@ececac1a45f3b08a01d2dd070d28d111c5fe6722 # v4.1.0',
      'aws-actions/configure-aws-credentials@61815dcd50bd041e203e49132bacad1fd04d2708 # v5.1.1',
      'actions/upload-artifact@330a01c490aca151604b8cf639adc76d48f6c5d4 # v5.0.0',
      'actions/download-artifact@018cc2cf5baa6db3ef3c5f8a56943fffe632ef53 # v6.0.0',
      'actions/github-script@60a0d83039c74a4aee543508d2ffcb1c3799cdea # v7.0.1',
    ];
    for (const uses of node20) {
      expect(check(step(uses), 'a.yml')).toEqual([
        expect.stringMatching(/runs on Node 20 or older; use v\d+ or later/),
      ]);
    }
  });

  it('ignores commented-out lines', () => {
    expect(check(`jobs:\n  a:\n    steps:\n      # - uses: actions/checkout@v4\n`, 'a.yml')).toEqual([]);
  });
});
