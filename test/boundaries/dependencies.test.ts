/**
 * Package boundaries: each workspace package declares exactly the packages its src/ imports (npm packages and
 * @itemstore/*), and no product package imports the private test harness (workflow-runner, demo).
 */
import { expect, test } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from '../helpers/run-bundle.js';

const packagesDir = join(repoRoot, 'packages');
const HARNESS = new Set(['@itemstore/workflow-runner', '@itemstore/demo']);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : /\.ts$/.test(n) ? [p] : [];
  });
}

/** The packages a file imports: `from '…'` and `import('…')` specifiers that are not relative or built in. */
function importsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(
    /(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/g,
  )) {
    const spec = (m[1] ?? m[2]) as string;
    if (spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec)) continue;
    out.push(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string));
  }
  return out;
}

const packages = readdirSync(packagesDir).filter((p) => {
  try {
    return statSync(join(packagesDir, p, 'src')).isDirectory();
  } catch {
    return false;
  }
});

test.each(packages)('%s declares exactly what its src/ imports', (pkg) => {
  const manifest = JSON.parse(readFileSync(join(packagesDir, pkg, 'package.json'), 'utf8')) as {
    name: string;
    private?: boolean;
    dependencies?: Record<string, string>;
  };
  const used = new Set(
    sources(join(packagesDir, pkg, 'src')).flatMap((f) => importsOf(readFileSync(f, 'utf8'))),
  );
  used.delete(manifest.name);
  const declared = new Set(Object.keys(manifest.dependencies ?? {}));
  expect({ undeclared: [...used].filter((d) => !declared.has(d)).sort() }).toEqual({ undeclared: [] });
  expect({ unused: [...declared].filter((d) => !used.has(d)).sort() }).toEqual({ unused: [] });
  if (!HARNESS.has(manifest.name)) {
    expect([...used].filter((d) => HARNESS.has(d))).toEqual([]);
  }
});
