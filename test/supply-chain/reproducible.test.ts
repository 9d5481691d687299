/**
 * Reproducible bundles: dist/ built from two clean checkouts of HEAD (git archive, in folders of different names
 * and depths, sharing this clone's installed node_modules) is byte-identical, file by file (sha256). This is what
 * lets the release workflow rebuild dist/ from a tag and refuse a tag whose committed dist/ differs. Tests the
 * committed sources (HEAD), as CI's clean clone does.
 */
import { describe, expect, it, afterAll } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanCheckout, digests } from '../helpers/clean-checkout.js';

const temp = mkdtempSync(join(tmpdir(), 'itemstore-repro-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function buildIn(dir: string): Map<string, string> {
  cleanCheckout(dir);
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  execFileSync(process.execPath, [join(dir, 'scripts', 'build.mjs')], {
    cwd: dir,
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: 'pipe',
  });
  return digests(join(dir, 'dist'));
}

describe('reproducible dist/', () => {
  it('two builds from clean checkouts give byte-identical files', () => {
    const a = buildIn(join(temp, 'a'));
    const b = buildIn(join(temp, 'second', 'checkout-b'));
    expect(a.size).toBeGreaterThan(8);
    expect([...a.keys()]).toContain('cli/itemstore.js');
    expect([...b.entries()]).toEqual([...a.entries()]);
  }, 180_000);
});
