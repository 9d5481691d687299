// Bare start of every action bundle: `node dist/<action>/index.js` with no inputs, in an empty folder, until it
// exits (it fails fast: a required input is missing). That is the floor of every step's cost on a runner: loading
// and evaluating the bundle. Bound: `node -e 0`, Node's own start. Also `itemstore --help` for the CLI bundle.
import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { cliBundle, distBundle, distDir } from '../lib/paths.mjs';
import { measureCommand } from '../lib/measure.mjs';
import { resources, row, runCase } from '../lib/case.mjs';

await runCase('bundle-start', async ({ quick, log }) => {
  // Starts are short: more runs for a steady median.
  const runs = quick ? 5 : 15;
  const warmup = 2;
  const actions = readdirSync(distDir)
    .filter((name) => name !== 'cli' && existsSync(distBundle(name)))
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
      const size = statSync(t.file).size;
      rows.push(
        row({
          case: `start: ${t.label}`,
          ours: { value: m.wallMs, unit: 'ms', ...resources(m) },
          bound,
          notes: `bundle ${(size / 1024).toFixed(0)} KiB; exit code ${m.last.code}; median of ${runs} runs`,
        }),
      );
    }
    return rows;
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
