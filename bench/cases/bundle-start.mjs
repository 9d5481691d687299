// Bare start of every action: `node dist/<action>/index.js` with no inputs, in an empty folder, until it exits (it
// fails fast: a required input is missing). That is the floor of every step's cost on a runner: loading and
// evaluating the entry and the shared chunks it imports (dist/lib/). Bound: `node -e 0`, Node's own start (goal:
// at most 2x). Also `itemstore --help` for the CLI, and the size of dist/ as a whole (goal: at most 5 MB).
// An action loads its packages (config reader, YAML, V2 client, S3, ...) with import() once its inputs are read, so
// the bare start is not the whole story: two successful runs on the sample repo (test/fixtures/sample-repo) show
// what a step that does its work costs, against the same `node -e 0` (no goal; for comparison with the starts).
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  existsSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { cliBundle, distBundle, distDir, repoRoot } from '../lib/paths.mjs';
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

/**
 * A workspace for successful runs: the sample repo as a git repository with a 1-file push (its second commit edits
 * one config), the push event, and the runner's output files. Returns the environment of a push step.
 */
function successWorkspace(dir, base) {
  const repo = join(dir, 'repo');
  cpSync(join(repoRoot, 'test', 'fixtures', 'sample-repo'), repo, { recursive: true });
  const git = (...args) =>
    execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', ...args], {
      cwd: repo,
      encoding: 'utf8',
    }).trim();
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'configs');
  const before = git('rev-parse', 'HEAD');
  const config = join(repo, 'data-router', 'default', 'orders.yaml');
  writeFileSync(config, readFileSync(config, 'utf8') + '# edited\n');
  git('commit', '-q', '-a', '-m', 'edit one config');
  const after = git('rev-parse', 'HEAD');
  const event = join(dir, 'event.json');
  writeFileSync(
    event,
    JSON.stringify({ before, after, ref: 'refs/heads/main', repository: { default_branch: 'main' } }),
  );
  for (const f of ['output', 'summary']) writeFileSync(join(dir, f), '');
  return {
    ...base,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: event,
    GITHUB_WORKSPACE: repo,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_REF_TYPE: 'branch',
    GITHUB_SHA: after,
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    RUNNER_TEMP: dir,
  };
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
    // Successful runs: the work of a small step after the start (git, reading and converting configs).
    const work = mkdtempSync(join(tmpdir(), 'bench-start-work-'));
    try {
      const pushEnv = successWorkspace(work, env);
      const successes = [
        {
          label: 'detect-changed-paths, 1-file push on the sample repo',
          action: 'detect-changed-paths',
          inputs: {},
        },
        {
          label: 'convert-dq-legacy, 1 DQ config to legacy',
          action: 'convert-dq-legacy',
          inputs: {
            INPUT_FILES: 'data-quality/default/orders_checks.yaml',
            'INPUT_OUTPUT-DIR': join(work, 'legacy'),
          },
        },
      ].filter((t) => existsSync(distBundle(t.action)));
      for (const t of successes) {
        log(`bundle-start: successful run of ${t.label} (${runs} runs)`);
        const m = await measureCommand(process.execPath, [distBundle(t.action)], {
          runs,
          warmup,
          env: { ...pushEnv, ...t.inputs },
          cwd: work,
          before: () => {
            for (const f of ['output', 'summary']) writeFileSync(join(work, f), '');
          },
        });
        rows.push(
          row({
            case: `run: ${t.label}`,
            ours: { value: m.wallMs, unit: 'ms', ...resources(m) },
            notes: `a successful run (exit code 0), start included: ${(m.wallMs / floor.wallMs).toFixed(2)}x node -e 0 (${floor.wallMs.toFixed(1)} ms) in this run; no goal, for comparison with the bare start above; median of ${runs} runs`,
          }),
        );
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
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
