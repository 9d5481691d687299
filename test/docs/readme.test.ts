import { describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/run-bundle.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

describe('README', () => {
  it("every action's inputs/outputs table matches its action.yml", () => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'scripts/readme-actions.mjs'), '--check'], {
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('quick start gives the two commands: the demo and the tests', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm ci && npm test');
  });

  it('lists every CLI command that `itemstore --help` prints', () => {
    const help = execFileSync(process.execPath, [join(repoRoot, 'dist/cli/itemstore.js'), '--help'], {
      encoding: 'utf8',
    });
    const commands = [...help.matchAll(/^ {2}([a-z0-9-]+) {2}/gm)].map((m) => m[1]);
    expect(commands.length).toBeGreaterThan(3);
    for (const c of commands) expect(readme).toContain(`\`itemstore ${c}`);
  });
});
