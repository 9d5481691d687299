// Fails when dist/ differs from a fresh build: the published actions would run old code.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fresh = mkdtempSync(join(tmpdir(), 'itemstore-dist-'));
execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), '--outdir', fresh], { stdio: 'inherit' });

function walk(dir, base = dir, out = new Map()) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, base, out);
    else out.set(relative(base, p), readFileSync(p));
  }
  return out;
}
const want = walk(fresh);
const have = walk(join(root, 'dist'));
const problems = [];
for (const [f, bytes] of want) {
  if (!have.has(f)) problems.push(`missing: dist/${f}`);
  else if (!have.get(f).equals(bytes)) problems.push(`stale:   dist/${f}`);
}
for (const f of have.keys()) if (!want.has(f)) problems.push(`extra:   dist/${f}`);
rmSync(fresh, { recursive: true, force: true });
if (problems.length) {
  console.error(
    `dist/ is not what \`npm run build\` produces:\n${problems.join('\n')}\nRun \`npm run build\` and commit dist/.`,
  );
  process.exit(1);
}
console.log('dist/ is fresh');
