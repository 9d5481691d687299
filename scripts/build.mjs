// Bundles every action entry (actions/<name>/main.ts) and the CLI into one self-contained ESM file each, so the
// runner needs no node_modules. `--outdir DIR` builds elsewhere (check-dist compares that with dist/).
import { build } from 'esbuild';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argOut = process.argv.indexOf('--outdir');
const finalDir = argOut > 0 ? resolve(process.argv[argOut + 1]) : join(root, 'dist');
// Build beside the target, then move each file into place: a bundle is never missing or half-written while tests
// (or another build) run against dist/.
mkdirSync(dirname(finalDir), { recursive: true });
const outdir = mkdtempSync(`${finalDir}.tmp-`);

const entries = [];
for (const name of readdirSync(join(root, 'actions')).sort()) {
  const main = join(root, 'actions', name, 'main.ts');
  if (existsSync(main)) entries.push({ in: main, out: join(name, 'index') });
}
entries.push({ in: join(root, 'packages/cli/src/bin.ts'), out: join('cli', 'itemstore') });
// The demo and its workflow runner are not product code: their own bundle, which `itemstore demo` imports at run time.
entries.push({ in: join(root, 'packages/demo/src/entry.ts'), out: join('demo', 'index') });

// Bundles are ESM; some bundled dependencies still call require() for Node built-ins.
const banner = [
  "import { createRequire as __itemstoreCreateRequire } from 'node:module';",
  'const require = __itemstoreCreateRequire(import.meta.url);',
].join('\n');

for (const entry of entries) {
  const isCli = entry.out.startsWith('cli');
  await build({
    entryPoints: [entry.in],
    outfile: join(outdir, `${entry.out}.js`),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    banner: { js: (isCli ? '#!/usr/bin/env node\n' : '') + banner },
    absWorkingDir: root,
  });
}
chmodSync(join(outdir, 'cli', 'itemstore.js'), 0o755);
writeFileSync(join(outdir, 'package.json'), JSON.stringify({ type: 'module' }, null, 2) + '\n');

function files(dir, base = dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, base, out);
    else out.push(p.slice(base.length + 1));
  }
  return out;
}
const built = new Set(files(outdir));
for (const f of built) {
  mkdirSync(dirname(join(finalDir, f)), { recursive: true });
  renameSync(join(outdir, f), join(finalDir, f));
}
for (const f of files(finalDir)) if (!built.has(f)) rmSync(join(finalDir, f));
for (const d of readdirSync(finalDir)) {
  const p = join(finalDir, d);
  if (statSync(p).isDirectory() && readdirSync(p).length === 0) rmSync(p, { recursive: true });
}
rmSync(outdir, { recursive: true, force: true });
console.log(`built ${entries.length} bundles into ${finalDir}`);
