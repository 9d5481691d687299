import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './run-bundle.js';

/**
 * A clean checkout of this clone's HEAD in `dir` (git archive: committed files only), with the installed
 * dependencies linked in rather than copied: node_modules and each packages/<pkg>/node_modules.
 */
export function cleanCheckout(dir: string, rev = 'HEAD'): void {
  mkdirSync(dir, { recursive: true });
  const tar = execFileSync('git', ['-C', repoRoot, 'archive', '--format=tar', rev], { maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  for (const pkg of readdirSync(join(repoRoot, 'packages'))) {
    const nm = join(repoRoot, 'packages', pkg, 'node_modules');
    if (existsSync(nm) && existsSync(join(dir, 'packages', pkg)))
      symlinkSync(nm, join(dir, 'packages', pkg, 'node_modules'));
  }
}

/** sha256 of every file under `dir`, by relative path, in path order. */
export function digests(dir: string, base = dir, out = new Map<string, string>()): Map<string, string> {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) digests(p, base, out);
    else out.set(p.slice(base.length + 1), createHash('sha256').update(readFileSync(p)).digest('hex'));
  }
  return out;
}
