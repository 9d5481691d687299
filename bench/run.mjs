#!/usr/bin/env node
// The benchmark runner (`npm run bench [-- --quick] [-- --only a,b] [-- --timeout S] [-- --no-build]`):
// builds the bundles, makes sure the tools the cases measure against are installed, runs every bench/cases/*.mjs one
// after another as a child process with a timeout (never two at once: they would disturb each other's timings),
// reads each case's last stdout line (the protocol in bench/README.md) and writes bench/RESULTS.md and
// bench/results.json. A failed case is recorded in the table and the run carries on; the exit code is 1 if any failed.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureAwsCli, ensureGnuTime } from './lib/apt.mjs';
import { machineInfo } from './lib/machine.mjs';
import { benchDir, casesDir, repoRoot } from './lib/paths.mjs';
import { writeResults } from './lib/results.mjs';

/** Cases the issue asks for; the runner runs whatever is in bench/cases/ and names these when absent. */
const EXPECTED_CASES = ['bundle-start', 'convert', 'deploy-v2', 'detect', 'sync-s3', 'validate'];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    timeout: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    'out-dir': { type: 'string' },
    merge: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(
    'usage: npm run bench -- [--quick] [--only case1,case2] [--merge] [--timeout SECONDS] [--no-build] [--out-dir DIR]\n',
  );
  process.exit(0);
}
const quick = values.quick;
const timeoutMs = (values.timeout ? Number(values.timeout) : quick ? 300 : 2400) * 1000;
const outDir = values['out-dir'] ?? benchDir;
const say = (line) => process.stderr.write(`[bench] ${line}\n`);

const started = Date.now();
const date = new Date().toISOString();

await ensureGnuTime({ log: say }).catch((err) =>
  say(`GNU time unavailable (CPU and memory not measured): ${err.message}`),
);
await ensureAwsCli({ log: say }).catch((err) =>
  say(`awscli unavailable (the sync-s3 peer will fail): ${err.message}`),
);

if (!values['no-build']) {
  // Build into a private folder that the cases measure (ITEMSTORE_BENCH_DIST, read by bench/lib/paths.mjs): another
  // engineer's `npm run build` empties dist/ for a moment, which must not fail a case. A failed build (someone's
  // half-done code) leaves the dist/ already there to measure. A good build is also copied over dist/.
  say('building the bundles (scripts/build.mjs)');
  const tmp = mkdtempSync(join(tmpdir(), 'bench-dist-'));
  process.once('exit', () => rmSync(tmp, { recursive: true, force: true }));
  const build = await runChild(
    process.execPath,
    [join(repoRoot, 'scripts', 'build.mjs'), '--outdir', tmp],
    300_000,
    false,
  );
  if (build.code === 0) {
    process.env.ITEMSTORE_BENCH_DIST = tmp;
    cpSync(tmp, join(repoRoot, 'dist'), { recursive: true });
  } else {
    say(`build failed (exit ${build.code}); measuring the dist/ already there:\n${tail(build.stderr)}`);
  }
}

let files = readdirSync(casesDir)
  .filter((f) => f.endsWith('.mjs'))
  .sort();
if (values.only) {
  const wanted = new Set(values.only.split(',').map((s) => s.trim()));
  files = files.filter((f) => wanted.has(basename(f, '.mjs')));
}
const present = new Set(files.map((f) => basename(f, '.mjs')));
const missing = values.only ? [] : EXPECTED_CASES.filter((c) => !present.has(c));

const cases = [];
for (const file of files) {
  const name = basename(file, '.mjs');
  say(`case ${name}${quick ? ' (quick)' : ''}: running`);
  const t0 = Date.now();
  // Other work on the machine skews timings: keep the 1-minute load average next to each case's figures.
  const loadAtStart = Math.round(loadavg()[0] * 100) / 100;
  const result = await runChild(
    process.execPath,
    [join(casesDir, file), ...(quick ? ['--quick'] : [])],
    timeoutMs,
    true,
  );
  const seconds = Math.round((Date.now() - t0) / 100) / 10;
  const entry = {
    case: name,
    file: `bench/cases/${file}`,
    date: new Date(t0).toISOString(),
    seconds,
    loadAtStart,
    ok: false,
    rows: [],
    error: null,
  };
  const parsed = lastJsonLine(result.stdout);
  if (result.timedOut) entry.error = `timed out after ${timeoutMs / 1000} s`;
  else if (result.code !== 0) entry.error = `exited with ${result.code}: ${lastLines(result.stderr, 3)}`;
  else if (!parsed) entry.error = 'its last stdout line is not the JSON result';
  else if (protocolProblem(parsed)) entry.error = protocolProblem(parsed);
  else {
    entry.ok = true;
    entry.rows = parsed.rows;
  }
  say(
    `case ${name}: ${entry.ok ? `${entry.rows.length} row(s)` : `FAILED (${entry.error})`} in ${seconds} s`,
  );
  cases.push(entry);
}

const run = {
  date,
  quick,
  seconds: Math.round((Date.now() - started) / 1000),
  machine: machineInfo(),
  cases: values.merge ? mergeWithPrevious(cases) : cases,
  missing: values.merge ? EXPECTED_CASES.filter((c) => !existsSync(join(casesDir, `${c}.mjs`))) : missing,
};
writeResults({ markdownPath: join(outDir, 'RESULTS.md'), jsonPath: join(outDir, 'results.json') }, run);
for (const c of cases) {
  for (const r of c.rows) {
    const against = r.peer ?? r.bound;
    say(
      `  ${r.case}: ${r.ours.value} ${r.ours.unit}${against ? ` vs ${against.name} ${against.value} ${against.unit}, ratio ${r.ratio}` : ''}`,
    );
  }
}
if (missing.length) say(`no case file yet for: ${missing.join(', ')}`);
say(`wrote ${join(outDir, 'RESULTS.md')} and results.json in ${run.seconds} s`);
process.exit(cases.some((c) => !c.ok) ? 1 : 0);

/**
 * --merge: the cases of the previous results.json that this run did not re-run, kept with their own dates (a row's
 * ratio still comes from one run of its case), then this run's cases; sorted by name. Refused across quick/full.
 */
function mergeWithPrevious(fresh) {
  const file = join(outDir, 'results.json');
  if (!existsSync(file)) return fresh;
  const previous = JSON.parse(readFileSync(file, 'utf8'));
  if (previous.quick !== quick) {
    say(
      '--merge: the previous results are from a ' + (previous.quick ? 'quick' : 'full') + ' run; not merged',
    );
    return fresh;
  }
  const rerun = new Set(fresh.map((c) => c.case));
  const kept = (previous.cases ?? [])
    .filter((c) => !rerun.has(c.case) && existsSync(join(repoRoot, c.file)))
    .map((c) => ({ date: previous.date, ...c }));
  return [...kept, ...fresh].sort((a, b) => (a.case < b.case ? -1 : 1));
}

/** Runs a child with a timeout; `stream` copies its stderr to ours (progress) as it comes. */
function runChild(cmd, args, timeout, stream) {
  return new Promise((resolve) => {
    // Its own process group: a timeout stops the case and whatever it started (servers, measured commands).
    const child = spawn(cmd, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const signalGroup = (sig) => {
      try {
        process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    const onExit = () => signalGroup('SIGKILL');
    process.once('exit', onExit);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (stream) process.stderr.write(d);
    });
    // SIGTERM first: the case stops its servers and measured processes; SIGKILL if it does not go.
    const timer = setTimeout(() => {
      timedOut = true;
      signalGroup('SIGTERM');
      setTimeout(() => signalGroup('SIGKILL'), 10_000).unref();
    }, timeout);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: stderr + String(err), timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      process.off('exit', onExit);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

function lastJsonLine(stdout) {
  const line = stdout.trimEnd().split('\n').at(-1);
  try {
    const value = JSON.parse(line ?? '');
    return value && typeof value === 'object' ? value : null;
  } catch {
    return null;
  }
}

/** The lines of a failed case's stderr that say why: error lines first, else the last few. */
function lastLines(text, n) {
  const lines = String(text)
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const telling = lines.filter((l) => /\b(?:failed|Error|ERR_|error:)/.test(l) && !/^at /.test(l));
  const picked = [...new Set(telling.length ? telling : lines.slice(-n))].slice(0, n);
  return picked.join(' / ').slice(0, 500);
}

/** Why a parsed result does not follow the protocol (bench/README.md), or null when it does. */
function protocolProblem(result) {
  if (!Array.isArray(result.rows) || result.rows.length === 0) return 'its result has no rows';
  for (const r of result.rows) {
    if (typeof r?.case !== 'string') return 'a row has no "case" name';
    if (!Number.isFinite(r.ours?.value) || typeof r.ours?.unit !== 'string') {
      return `row "${r.case}": "ours" needs a numeric value and a unit`;
    }
  }
  return null;
}

function tail(text) {
  return String(text).trim().split('\n').slice(-10).join('\n');
}
