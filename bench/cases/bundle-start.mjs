// Bare start of every action: `node dist/<action>/index.js` with no inputs, in an empty folder, until it exits (it
// fails fast: a required input is missing). That is the floor of every step's cost on a runner: loading and
// evaluating the entry and the shared chunks it imports (dist/lib/). Bound: `node -e 0`, Node's own start (goal:
// at most 2x). Also `itemstore --help` for the CLI, and the size of dist/ as a whole (goal: at most 5 MB).
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { cliBundle, distBundle, distDir } from '../lib/paths.mjs';
import { measureCommand } from '../lib/measure.mjs';
import { resources, row, runCase } from '../lib/case.mjs';

/** Bytes of a file and of every file it imports statically (relative imports), each counted once. */
function loadedAtStart(file, seen = new Set()) {
  if (seen.has(file) || !existsSync(file)) return 0;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  let bytes = statSync(file).size;
  // Static imports only (`import … from"./x.js"`, `import"./x.js"`); `import("./x.js")` loads when it runs.
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*)(["'])(\.{1,2}\/[^"']+)\1/g)) {
    bytes += loadedAtStart(resolve(dirname(file), m[2]), seen);
  }
  return bytes;
}

function totalBytes(dir) {
  let n = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    n += statSync(p).isDirectory() ? totalBytes(p) : statSync(p).size;
  }
  return n;
}

await runCase('bundle-start', async ({ quick, log }) => {
  // Starts are short: more runs for a steady median.
  const runs = quick ? 5 : 15;
  const warmup = 2;
  const actions = readdirSync(distDir)
    .filter((name) => name !== 'cli' && name !== 'lib' && name !== 'demo' && existsSync(distBundle(name)))
    .sort();
  if (actions.length === 0) throw new Error('no dist/<action>/index.js: run `npm run build` first');

  const cwd = mkdtempSync(join(tmpdir(), 'bench-start-'));
  // No INPUT_*, no GITHUB_* from the caller's environment: a bare start.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd };
  try {
    log(`bundle-start: node -e 0 (${runs} runs)`);
    const floor = await measureCommand(process.execPath, ['-e', '0'], { runs, warmup, env, cwd });
    const bound = { name: 'node -e 0', value: floor.wallMs, unit: 'ms', ...resources(floor) };
    const rows = [];
    const targets = [
      ...actions.map((a) => ({ label: a, file: distBundle(a), args: [] })),
      ...(existsSync(cliBundle)
        ? [{ label: 'itemstore --help (CLI)', file: cliBundle, args: ['--help'] }]
        : []),
    ];
    for (const t of targets) {
      log(`bundle-start: ${t.label} (${runs} runs)`);
      const m = await measureCommand(process.execPath, [t.file, ...t.args], {
        runs,
        warmup,
        env,
        cwd,
        expectCode: 'any',
      });
      const entry = statSync(t.file).size;
      const loaded = loadedAtStart(t.file);
      rows.push(
        row({
          case: `start: ${t.label}`,
          ours: { value: m.wallMs, unit: 'ms', ...resources(m) },
          bound,
          notes: `entry ${(entry / 1024).toFixed(1)} KiB, ${(loaded / 1024).toFixed(0)} KiB loaded at start; exit code ${m.last.code}; median of ${runs} runs`,
        }),
      );
    }
    const total = totalBytes(distDir);
    const files = (function count(dir) {
      return readdirSync(dir).reduce(
        (n, f) => n + (statSync(join(dir, f)).isDirectory() ? count(join(dir, f)) : 1),
        0,
      );
    })(distDir);
    rows.push(
      row({
        case: 'dist/ total size',
        ours: { value: total / 1e6, unit: 'MB' },
        bound: { name: 'goal', value: 5, unit: 'MB' },
        notes: `${files} files: ${actions.length} action entries, the CLI and the demo over shared minified chunks in dist/lib/`,
      }),
    );
    return rows;
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
