/**
 * The one progress display, through the built CLI (dist/cli/itemstore.js) as CI and a terminal see it: a long
 * deploy against the reference V2 server (slowed down by its `latencyMs`) prints periodic plain lines on stderr when
 * stderr is not a terminal, none on stdout (so `--json` stays parseable), and its first line well within the first
 * seconds; on a pseudo-terminal (`script`) the same deploy draws one bar redrawn in place. A small deploy prints no
 * progress at all. Needs `npm run build`.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '@itemstore/v2';
import { GitRepo } from '../helpers/git-repo.js';
import { bundleNode, repoRoot } from '../helpers/run-bundle.js';
import { bucketsNamed, settingsYaml } from '../helpers/settings.js';

jest.setTimeout(120_000);

const SETTINGS = settingsYaml({ buckets: bucketsNamed('retail'), teams: ['emr'] });
const TOKEN = 'progress-test-token-7c2d';
const CONFIGS = 120;
const made: string[] = [];
const servers: RunningServer[] = [];
let repo: GitRepo;

function configs(revision: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < CONFIGS; i++) {
    files[`emr/jobs/job${String(i).padStart(3, '0')}.yaml`] = `job: ${i}\nrevision: ${revision}\n`;
  }
  return files;
}

/** A reference server of its own, each request slowed down, so a deploy of CONFIGS items takes seconds. */
async function slowServer(latencyMs: number): Promise<RunningServer> {
  const data = mkdtempSync(join(tmpdir(), 'progress-v2-'));
  made.push(data);
  const s = await startServer({ port: 0, dataDir: data, token: TOKEN, latencyMs });
  servers.push(s);
  return s;
}

beforeAll(async () => {
  repo = await GitRepo.init();
  made.push(repo.dir);
  await repo.commit('configs', { 'item-store.yaml': SETTINGS, ...configs(1) });
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** When each stderr line arrived, in ms after the spawn. */
  stderrLines: { ms: number; line: string }[];
}

const CLI = join(repoRoot, 'dist', 'cli', 'itemstore.js');
const ENV = { PATH: process.env.PATH ?? '', HOME: tmpdir(), GIT_CONFIG_NOSYSTEM: '1', CI: 'true' };

function cli(args: string[]): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(bundleNode, [CLI, ...args], { cwd: repo.dir, env: ENV });
    let stdout = '';
    let stderr = '';
    let partial = '';
    const stderrLines: Run['stderrLines'] = [];
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      partial += d.toString();
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) stderrLines.push({ ms: Date.now() - started, line });
    });
    child.on('close', (code) => resolve({ code, stdout, stderr, stderrLines }));
  });
}

const deployArgs = (url: string, ...extra: string[]): string[] => [
  'deploy',
  '--url',
  url,
  '--token',
  TOKEN,
  '--environment',
  'dev',
  '--concurrency',
  '2',
  ...extra,
];

const PROGRESS_LINE = /^deploy dev: \d+\/120 items \(\d+%\)$/;

describe('progress of the built CLI', () => {
  test('not a terminal (CI): periodic plain lines on stderr, none on stdout, --json intact', async () => {
    const v2 = await slowServer(40);
    const r = await cli(deployArgs(v2.url, '--json'));
    expect(r.stderr).not.toContain('\r');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { counts: { created: number } };
    expect(report.counts.created).toBe(CONFIGS);
    expect(r.stdout).not.toMatch(/items \(\d+%\)/);

    const progress = r.stderrLines.filter((l) => PROGRESS_LINE.test(l.line));
    // The first line comes after the delay, then one per 10 % step (or per interval), and the last at 100 %.
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.length).toBeLessThanOrEqual(13);
    expect(progress.at(-1)?.line).toBe('deploy dev: 120/120 items (100%)');
    const percents = progress.map((l) => Number(/\((\d+)%\)/.exec(l.line)?.[1]));
    expect([...percents].sort((a, b) => a - b)).toEqual(percents);
    // The counts line still ends stderr.
    expect(r.stderrLines.at(-1)?.line).toMatch(/^deploy dev: 120 created, 0 updated, 0 unchanged/);
    // When the first progress line came (the first line of any kind on stderr), for the closing note.
    const first = r.stderrLines[0];
    process.stdout.write(
      `progress: first stderr line after ${first?.ms} ms ("${first?.line}"); ${progress.length} progress lines\n`,
    );
  });

  test('a small or quick deploy prints no progress', async () => {
    const v2 = await slowServer(0);
    const small = await GitRepo.init();
    made.push(small.dir);
    await small.commit('three', {
      'item-store.yaml': SETTINGS,
      'emr/a.yaml': 'a: 1\n',
      'emr/b.yaml': 'b: 1\n',
      'emr/c.yaml': 'c: 1\n',
    });
    const r = await cli([...deployArgs(v2.url), '--repo', small.dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/\d+\/\d+ (items|configs)/);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(
      /^deploy dev: 3 created, 0 updated, 0 unchanged, 0 deleted, 0 stale, 0 failed/,
    );
  });

  test('a terminal (pseudo-TTY through script): one bar redrawn in place', async () => {
    const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
    if (!hasScript) return; // util-linux's script is not installed here: the renderer test covers the bar
    const v2 = await slowServer(40);
    const command = [bundleNode, CLI, ...deployArgs(v2.url)].map((a) => `'${a}'`).join(' ');
    const out = await new Promise<string>((resolve) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], {
        cwd: repo.dir,
        env: { ...ENV, TERM: 'xterm', CI: '' },
      });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.on('close', () => resolve(text));
    });
    const bars = out.split('\r').filter((s) => /^deploy dev \[[#.]+\] \d+\/120 items \d+%/.test(s));
    expect(bars.length).toBeGreaterThanOrEqual(2);
    // Redrawn in place: no progress line of the non-TTY kind, and the bar's line is cleared before the counts.
    expect(out).not.toMatch(/deploy dev: \d+\/120 items \(\d+%\)/);
    const cleared = out.lastIndexOf('\r\x1b[K');
    expect(cleared).toBeGreaterThan(-1);
    expect(out.indexOf('deploy dev: 120 created, 0 updated')).toBeGreaterThan(cleared);
  });
});
