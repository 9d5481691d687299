// Measures whole processes: wall time (from the parent, high resolution), CPU user+sys and peak RSS (from the kernel's
// rusage of the child, through GNU time's `-f '%U %S %M'`, written to a file so the command's stderr stays its own).
// Every measurement is a warm-up run or more, then `runs` timed runs; the reported figures are medians.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GNU_TIME } from './apt.mjs';
import { max, median } from './stats.mjs';

// Measured commands run in their own process groups; make sure none outlives the case that started it.
const activeGroups = new Set();
process.once('exit', () => {
  for (const pid of activeGroups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Default number of timed runs: 5 (3 with --quick); one warm-up run before them. */
export function defaultRuns(quick) {
  return { runs: quick ? 3 : 5, warmup: 1 };
}

/**
 * Runs `command args` once and measures it. Options: env, cwd, timeoutMs (default 10 min), input (stdin text).
 * Resolves { wallMs, cpuMs, userMs, sysMs, maxRssMb, code, signal, stdout, stderr }; cpu/rss are null when GNU
 * time is not installed (see ensureGnuTime).
 */
export async function runMeasured(command, args = [], { env, cwd, timeoutMs = 600_000, input } = {}) {
  const useTime = existsSync(GNU_TIME);
  const scratch = mkdtempSync(join(tmpdir(), 'bench-time-'));
  const timeFile = join(scratch, 'rusage');
  const [cmd, argv] = useTime
    ? [GNU_TIME, ['-q', '-f', '%U %S %M', '-o', timeFile, command, ...args]]
    : [command, args];
  const started = process.hrtime.bigint();
  try {
    const { code, signal, stdout, stderr, timedOut } = await new Promise((resolve, reject) => {
      // Its own process group, so a timeout kills the command and not only GNU time in front of it.
      const child = spawn(cmd, argv, {
        env: env ?? process.env,
        cwd,
        detached: true,
        stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
      let killed = false;
      activeGroups.add(child.pid);
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      if (input !== undefined) child.stdin.end(input);
      const timer = setTimeout(() => {
        killed = true;
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }, timeoutMs);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('close', (c, s) => {
        clearTimeout(timer);
        activeGroups.delete(child.pid);
        resolve({ code: c, signal: s, stdout: out, stderr: err, timedOut: killed });
      });
    });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    let userMs = null;
    let sysMs = null;
    let maxRssMb = null;
    if (useTime && existsSync(timeFile)) {
      // GNU time prints "Command exited with non-zero status N" first when the command fails; the figures are last.
      const last = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1) ?? '';
      const [u, s, m] = last.split(/\s+/).map(Number);
      if ([u, s, m].every(Number.isFinite)) {
        userMs = u * 1000;
        sysMs = s * 1000;
        maxRssMb = m / 1024;
      }
    }
    return {
      wallMs,
      userMs,
      sysMs,
      cpuMs: userMs === null ? null : userMs + sysMs,
      maxRssMb,
      code,
      signal: signal ?? null,
      timedOut,
      stdout,
      stderr,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Measures a command `warmup + runs` times and returns the medians.
 * Options (besides runMeasured's): runs, warmup, before(i) / after(i, result) hooks run untimed around every run
 * (reset a server, restore mtimes, ...), and expectCode: the exit code a good run has (a number, 'any', or a
 * predicate; default 0). A run with another code throws, with the command's stderr in the message.
 * Resolves { wallMs, cpuMs, maxRssMb, maxRssMbMax, runs: [per-run results without stdout/stderr], last }.
 */
export async function measureCommand(command, args = [], options = {}) {
  const { runs = 5, warmup = 1, before, after, expectCode = 0, ...runOptions } = options;
  const samples = [];
  let last;
  for (let i = 0; i < warmup + runs; i++) {
    if (before) await before(i);
    const result = await runMeasured(command, args, runOptions);
    if (!codeOk(expectCode, result.code)) {
      const why = result.timedOut
        ? 'timed out'
        : `exited with ${result.code}${result.signal ? ` (${result.signal})` : ''}`;
      throw new Error(`${[command, ...args].join(' ')} ${why}:\n${tail(result.stderr || result.stdout)}`);
    }
    if (after) await after(i, result);
    last = result;
    if (i >= warmup) {
      const { stdout: _o, stderr: _e, ...figures } = result;
      samples.push(figures);
    }
  }
  return summarize(samples, last);
}

/** Medians of a list of runMeasured-like figures (also for cases that time several processes per run). */
export function summarize(samples, last) {
  return {
    wallMs: median(samples.map((s) => s.wallMs)),
    cpuMs: median(samples.map((s) => s.cpuMs)),
    maxRssMb: median(samples.map((s) => s.maxRssMb)),
    maxRssMbMax: max(samples.map((s) => s.maxRssMb)),
    runs: samples,
    last,
  };
}

function codeOk(expect, code) {
  if (expect === 'any') return true;
  if (typeof expect === 'function') return expect(code);
  return code === expect;
}

function tail(text, lines = 15) {
  return String(text ?? '')
    .trim()
    .split('\n')
    .slice(-lines)
    .join('\n');
}
