/**
 * Dependabot for this repository (.github/dependabot.yml) and the ready-to-copy one for the config repo
 * (action-templates/dependabot/dependabot.yml): the ecosystems, minor/patch grouped, a 7-day cooldown.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../helpers/run-bundle.js';

type Update = {
  'package-ecosystem': string;
  directory: string;
  schedule: { interval: string };
  cooldown?: { 'default-days'?: number };
  groups?: Record<string, { patterns?: string[]; 'update-types'?: string[] }>;
};
const load = (p: string): { version: number; updates: Update[] } =>
  parse(readFileSync(join(repoRoot, p), 'utf8')) as { version: number; updates: Update[] };

function expectGroupedWithCooldown(u: Update): void {
  expect(u.cooldown?.['default-days']).toBe(7);
  const groups = Object.values(u.groups ?? {});
  expect(groups).toContainEqual(expect.objectContaining({ 'update-types': ['minor', 'patch'] }));
}

describe('dependabot', () => {
  it('this repository: npm and github-actions, minor/patch grouped, 7-day cooldown', () => {
    const cfg = load('.github/dependabot.yml');
    expect(cfg.version).toBe(2);
    expect(cfg.updates.map((u) => u['package-ecosystem']).sort()).toEqual(['github-actions', 'npm']);
    for (const u of cfg.updates) {
      expect(u.directory).toBe('/');
      expectGroupedWithCooldown(u);
    }
  });

  it('the config repo: github-actions, the suite in its own group, 7-day cooldown; documented in CUTOVER.md', () => {
    const cfg = load('action-templates/dependabot/dependabot.yml');
    expect(cfg.updates.map((u) => u['package-ecosystem'])).toEqual(['github-actions']);
    expectGroupedWithCooldown(cfg.updates[0] as Update);
    expect(Object.keys(cfg.updates[0]?.groups ?? {})).toContain('itemstore-suite');
    expect(readFileSync(join(repoRoot, 'CUTOVER.md'), 'utf8')).toContain(
      'action-templates/dependabot/dependabot.yml',
    );
  });
});
