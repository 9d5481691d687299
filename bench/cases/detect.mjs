#!/usr/bin/env node
// Benchmark: detect-changed-paths as the runner runs it (a whole `node dist/detect-changed-paths/index.js` process,
// Node start included), on the synthetic 10,000-config repo (bench/generate.mjs).
//
//   npm run build && node bench/cases/detect.mjs [--configs 10000] [--runs 5] [--keep DIR]
//
// Cases (median of --runs after one warm-up run, milliseconds):
//   bare-start            no event: the bundle's fast failure (load + validate + exit)
//   push-1-file           push of one edited config, full clone (nothing to fetch)
//   push-1-file-shallow   the same in a fresh depth-1 clone of a file:// remote (fetches `before` at depth 1)
//   push-1000-files       push of 1,000 edited configs, full clone
//   all-configs           workflow_dispatch without base: every config listed
// Prints one JSON object. Never run by the test suite.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { generateRepo } from '../generate.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bundle = join(root, 'dist/detect-changed-paths/index.js');
const node = process.env.ITEMSTORE_BENCH_NODE || process.execPath;

function gitSync(cwd, args) {
  const r = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** One bundle run; resolves with wall-clock milliseconds and the outputs it wrote. */
function runOnce({ workspace, eventName, event, env = {} }) {
  const temp = mkdtempSync(join(tmpdir(), 'bench-detect-'));
  const files = {
    GITHUB_OUTPUT: join(temp, 'output'),
    GITHUB_STEP_SUMMARY: join(temp, 'summary'),
    GITHUB_EVENT_PATH: join(temp, 'event.json'),
  };
  for (const f of Object.values(files)) writeFileSync(f, '');
  writeFileSync(files.GITHUB_EVENT_PATH, JSON.stringify(event ?? {}));
  const childEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME ?? temp,
    GITHUB_ACTIONS: 'true',
    ...files,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: temp,
    ...(eventName ? { GITHUB_EVENT_NAME: eventName } : {}),
    ...env,
  };
  return new Promise((res, rej) => {
    const start = process.hrtime.bigint();
    const child = spawn(node, [bundle], { cwd: workspace, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', rej);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const outputs = readFileSync(files.GITHUB_OUTPUT, 'utf8');
      rmSync(temp, { recursive: true, force: true });
      res({ ms, code, out, outputs });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

async function measure(name, runs, makeRun, check) {
  const times = [];
  for (let i = 0; i <= runs; i++) {
    const options = await makeRun();
    const r = await runOnce(options);
    check(r, name);
    if (i > 0) times.push(r.ms); // the first run warms the file cache and is not counted
  }
  return { median: Math.round(median(times) * 10) / 10, min: Math.round(Math.min(...times) * 10) / 10, runs };
}

function expectOutput(count, exitCode = 0) {
  return (r, name) => {
    if (r.code !== exitCode) throw new Error(`${name}: exit ${r.code}: ${r.out}`);
    // @actions/core writes `name<<DELIMITER`, the value, then the delimiter.
    const lines = r.outputs.split('\n');
    const at = lines.findIndex((l) => l.startsWith('count<<'));
    if (count !== undefined && lines[at + 1] !== String(count)) {
      throw new Error(`${name}: expected count ${count}, outputs:\n${r.outputs}\n${r.out}`);
    }
  };
}

export async function run({ configs = 10_000, runs = 5, keep } = {}) {
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build first`);
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'bench-detect-repo-'));
  const made = keep ? [] : [dir];
  try {
    const repo = await generateRepo({ dir, configs });
    const push = (before, after) => ({
      workspace: dir,
      eventName: 'push',
      event: { ref: 'refs/heads/main', before, after, repository: { default_branch: 'main' } },
      env: { GITHUB_REF: 'refs/heads/main', GITHUB_SHA: after },
    });
    // A bare remote that serves any SHA (as GitHub does), for the depth-1 clone case.
    const remote = mkdtempSync(join(tmpdir(), 'bench-detect-remote-'));
    made.push(remote);
    gitSync(tmpdir(), ['clone', '-q', '--bare', dir, remote]);
    gitSync(remote, ['config', 'uploadpack.allowAnySHA1InWant', 'true']);
    gitSync(remote, ['update-ref', 'refs/heads/one-file', repo.oneFile]);

    const results = {};
    results['bare-start'] = await measure(
      'bare-start',
      runs,
      () => ({ workspace: dir }),
      expectOutput(undefined, 1),
    );
    results['push-1-file'] = await measure(
      'push-1-file',
      runs,
      () => push(repo.base, repo.oneFile),
      expectOutput(1),
    );
    results['push-1-file-shallow'] = await measure(
      'push-1-file-shallow',
      runs,
      () => {
        const clone = mkdtempSync(join(tmpdir(), 'bench-detect-clone-'));
        made.push(clone);
        gitSync(tmpdir(), ['clone', '-q', '--depth=1', '--branch', 'one-file', `file://${remote}`, clone]);
        return { ...push(repo.base, repo.oneFile), workspace: clone };
      },
      expectOutput(1),
    );
    results['push-1000-files'] = await measure(
      'push-1000-files',
      runs,
      () => push(repo.oneFile, repo.thousandFiles),
      expectOutput(repo.thousandFilePaths.length),
    );
    results['all-configs'] = await measure(
      'all-configs',
      runs,
      () => ({
        workspace: dir,
        eventName: 'workflow_dispatch',
        event: { inputs: {} },
        env: { GITHUB_REF: 'refs/heads/main', GITHUB_SHA: repo.thousandFiles },
      }),
      expectOutput(configs),
    );
    return {
      case: 'detect',
      node: spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim(),
      git: gitSync(dir, ['--version']),
      configs,
      unit: 'ms (whole process, median after a warm-up)',
      results,
    };
  } finally {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      configs: { type: 'string', default: '10000' },
      runs: { type: 'string', default: '5' },
      keep: { type: 'string' },
    },
  });
  run({
    configs: Number(values.configs),
    runs: Number(values.runs),
    keep: values.keep && resolve(values.keep),
  }).then(
    (r) => process.stdout.write(JSON.stringify(r) + '\n'),
    (e) => {
      process.stderr.write(`${e.stack ?? e}\n`);
      process.exitCode = 1;
    },
  );
}
