/** Tag names, their order and the release notes of a version (scripts/release/lib.mjs). */
import { describe, expect, it } from '@jest/globals';
// @ts-expect-error -- a plain ESM script without type declarations
import { compareTags, parseTag, releaseNotes } from '../../scripts/release/lib.mjs';

type Parsed = { tag: string; version: string; major: number; prerelease: boolean; majorTag: string };
const parse = parseTag as (t: string) => Parsed;
const notes = releaseNotes as (c: string, p: Parsed) => string;

describe('release tags', () => {
  it('reads vX.Y.Z and vX.Y.Z-rc.N, and refuses anything else', () => {
    expect(parse('v1.2.3')).toMatchObject({ version: '1.2.3', major: 1, prerelease: false, majorTag: 'v1' });
    expect(parse('v2.0.0-rc.4')).toMatchObject({ version: '2.0.0-rc.4', major: 2, prerelease: true });
    for (const bad of ['1.2.3', 'v1.2', 'v01.2.3', 'v1.2.3-beta.1', 'v1.2.3-rc', 'v1', 'v1.2.3+build']) {
      expect(() => parse(bad)).toThrow(/is not a release tag/);
    }
  });

  it('orders pre-releases before their release', () => {
    const order = ['v1.0.0-rc.1', 'v1.0.0-rc.2', 'v1.0.0-rc.10', 'v1.0.0', 'v1.0.1', 'v1.10.0', 'v2.0.0'];
    const shuffled = [...order].reverse().map(parse);
    expect(shuffled.sort(compareTags).map((t: Parsed) => t.tag)).toEqual(order);
  });

  it('notes: the version section; a pre-release falls back to Unreleased; a release without notes is refused', () => {
    const log =
      '# Changelog\n\n## [Unreleased]\n\n- next\n\n## [1.0.0] - 2026-11-27\n\n- first\n\n## 0.9.0\n\n- old\n';
    expect(notes(log, parse('v1.0.0'))).toBe('- first');
    expect(notes(log, parse('v0.9.0'))).toBe('- old');
    expect(notes(log, parse('v1.0.0-rc.3'))).toBe('- first');
    expect(notes(log, parse('v1.1.0-rc.1'))).toBe('- next');
    expect(() => notes(log, parse('v1.1.0'))).toThrow(/no "## \[1\.1\.0\]" section/);
  });
});
