#!/usr/bin/env node
// detect-changed-paths, and detect + resolve-tags, as the runner runs them: whole `node dist/<action>/index.js`
// processes (Node start included) with the runner's environment, on the synthetic config repo (bench/generate.mjs;
// 10,000 configs, 2,000 with --quick). Medians after a warm-up (bench/lib/measure.mjs).
//
// Bounds (no peer action runs here): `git diff-tree -r -z --name-status base head` as a whole process, the floor of
// any changed-files step; for detect + resolve, that plus two bare Node starts (`node -e 0`), the floor of two
// Node steps that read a diff. For the full listing, `git ls-tree -r -z --name-only head`.
//
//   node bench/cases/detect.mjs [--quick] [--runs N]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { generateRepo } from '../lib/synthetic-repo.mjs';
import { distBundle, repoRoot, requireBundle } from '../lib/paths.mjs';
import { measureCommand, runMeasured } from '../lib/measure.mjs';
import { resources, row, runCase } from '../lib/case.mjs';

const PARSE_FLOOR = `
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
const [list, dir] = process.argv.slice(-2);
for (const path of JSON.parse(readFileSync(list, 'utf8'))) {
  const text = readFileSync(join(dir, path), 'utf8');
  const value = path.endsWith('.json') ? JSON.parse(text) : parse(text, { merge: true, maxAliasCount: -1 });
  JSON.stringify(value, null, 2);
}
`;

// resolve-tags' content-check workers on this machine (packages/resolve/src/content-check.ts: one less than the CPUs,
// at most 3, with 64 or more changed configs).
const contentWorkers = Math.max(0, Math.min(3, availableParallelism() - 1));

await runCase('detect', async ({ quick, runs, warmup, log }) => {
  const detect = requireBundle(distBundle('detect-changed-paths'));
  const resolveTags = requireBundle(distBundle('resolve-tags'));
  const configs = quick ? 2_000 : 10_000;
  const dir = mkdtempSync(join(tmpdir(), 'bench-detect-repo-'));
  const scratch = mkdtempSync(join(tmpdir(), 'bench-detect-run-'));
  try {
    log(`detect: generating a ${configs}-config repo`);
    const repo = await generateRepo({ dir, configs });
    const git = (args) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 30 });

    /** The runner's environment for one action step (files under `scratch`, reused across runs). */
    const runnerEnv = (name, extra) => {
      const files = {
        GITHUB_OUTPUT: join(scratch, `${name}.output`),
        GITHUB_STEP_SUMMARY: join(scratch, `${name}.summary`),
        GITHUB_EVENT_PATH: join(scratch, `${name}.event.json`),
      };
      for (const f of Object.values(files)) writeFileSync(f, '');
      return {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: scratch,
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKSPACE: dir,
        RUNNER_TEMP: scratch,
        GITHUB_REF: 'refs/heads/main',
        ...files,
        ...extra,
      };
    };
    const pushEnv = (name, before, after) => {
      const env = runnerEnv(name, { GITHUB_EVENT_NAME: 'push', GITHUB_SHA: after });
      writeFileSync(
        env.GITHUB_EVENT_PATH,
        JSON.stringify({ ref: 'refs/heads/main', before, after, repository: { default_branch: 'main' } }),
      );
      return env;
    };
    const outputOf = (env, name) => {
      const text = readFileSync(env.GITHUB_OUTPUT, 'utf8');
      const m = new RegExp(`^${name}<<(.+)\\n([\\s\\S]*?)\\n\\1$`, 'm').exec(text);
      return m?.[2];
    };
    const measure = (label, cmd, args, options) => {
      log(`detect: ${label} (${runs} runs)`);
      return measureCommand(cmd, args, { runs, warmup, cwd: dir, ...options });
    };

    const nodeStart = await measure('node -e 0', process.execPath, ['-e', '0'], {
      env: runnerEnv('floor', {}),
    });
    const rows = [];
    for (const [label, before, after, expected] of [
      ['1-file push', repo.base, repo.oneFile, 1],
      [
        `${repo.thousandFilePaths.length.toLocaleString('en')}-file push`,
        repo.oneFile,
        repo.thousandFiles,
        repo.thousandFilePaths.length,
      ],
    ]) {
      git(['checkout', '-q', '--detach', after]);
      const diffFloor = await measure(
        `git diff-tree (${label})`,
        'git',
        ['diff-tree', '-r', '-z', '--name-status', before, after],
        {},
      );
      const env = pushEnv('detect', before, after);
      const d = await measure(`detect (${label})`, process.execPath, [detect], { env });
      const count = Number(outputOf(env, 'count'));
      if (count !== expected)
        throw new Error(`detect (${label}) listed ${count} paths, expected ${expected}`);
      const manifest = outputOf(env, 'manifest');
      // resolve-tags reads detect's real manifest (from the last detect run; every run writes the same one).
      const renv = runnerEnv('resolve', {
        GITHUB_EVENT_NAME: 'push',
        GITHUB_SHA: after,
        INPUT_MANIFEST: manifest,
      });
      const check = await runMeasured(process.execPath, [resolveTags], { env: renv, cwd: dir });
      if (check.code !== 0) throw new Error(`resolve-tags (${label}) failed: ${check.stdout}${check.stderr}`);
      const r = await measure(`resolve-tags (${label})`, process.execPath, [resolveTags], { env: renv });
      const configsInRepo = `${configs.toLocaleString('en')}-config repo`;
      // The floor of checking the changed configs' contents: a process that only reads them and parses them with
      // the yaml package (JSON.parse for .json) and JSON.stringify, what any converter must at least do.
      const changedList = join(scratch, 'changed.json');
      writeFileSync(
        changedList,
        JSON.stringify(expected === 1 ? [repo.oneFilePath] : repo.thousandFilePaths),
      );
      const parseFloor = await measure(
        `yaml parse of the changed configs (${label})`,
        process.execPath,
        ['--input-type=module', '-e', PARSE_FLOOR, changedList, dir],
        { cwd: repoRoot },
      );
      rows.push(
        row({
          case: `detect: ${label}, ${configsInRepo}`,
          ours: { value: d.wallMs, unit: 'ms', ...resources(d) },
          bound: { name: 'git diff-tree process', value: diffFloor.wallMs, unit: 'ms' },
          notes: `whole process incl. Node start; ${count} entries`,
        }),
        row({
          case: `detect + resolve-tags: ${label}, ${configsInRepo}`,
          ours: {
            value: d.wallMs + r.wallMs,
            unit: 'ms',
            cpuMs: d.cpuMs + r.cpuMs,
            maxRssMb: Math.max(d.maxRssMb, r.maxRssMb),
          },
          bound: {
            name: 'git diff-tree + 2 × node -e 0',
            value: diffFloor.wallMs + 2 * nodeStart.wallMs,
            unit: 'ms',
          },
          notes:
            `detect ${Math.round(d.wallMs)} ms + resolve ${Math.round(r.wallMs)} ms (identities before and after, ` +
            `contents converted); CPU is the sum, peak RSS the larger of the two processes; floor of the content ` +
            `check alone: a process parsing the ${expected} changed config${expected === 1 ? '' : 's'} with the yaml ` +
            `package + JSON.stringify takes ${Math.round(parseFloor.wallMs)} ms` +
            (expected >= 64
              ? `; resolve-tags checks the contents in ${contentWorkers} worker thread${contentWorkers === 1 ? '' : 's'} ` +
                `besides its main thread (${availableParallelism()} CPUs)`
              : ''),
        }),
        // resolve-tags alone against the content check's floor: how much of it is parsing the changed configs.
        row({
          case: `resolve-tags: ${label}, ${configsInRepo}, vs parsing the changed configs`,
          ours: { value: r.wallMs, unit: 'ms', ...resources(r) },
          bound: {
            name: `a process parsing the ${expected} changed config${expected === 1 ? '' : 's'} (yaml + JSON.stringify)`,
            value: parseFloor.wallMs,
            unit: 'ms',
          },
          notes:
            'resolve-tags converts every changed config before anything may be written (the content check); the ' +
            'bound is that parsing alone in one Node process (start included), without tags, identities or git',
        }),
      );
    }
    const listFloor = await measure(
      'git ls-tree',
      'git',
      ['ls-tree', '-r', '-z', '--name-only', repo.thousandFiles],
      {},
    );
    const env = runnerEnv('all', { GITHUB_EVENT_NAME: 'workflow_dispatch', GITHUB_SHA: repo.thousandFiles });
    writeFileSync(env.GITHUB_EVENT_PATH, JSON.stringify({ inputs: {} }));
    const all = await measure('detect (every config)', process.execPath, [detect], { env });
    rows.push(
      row({
        case: `detect: every config (manual run), ${configs.toLocaleString('en')} configs`,
        ours: { value: all.wallMs, unit: 'ms', ...resources(all) },
        bound: { name: 'git ls-tree process', value: listFloor.wallMs, unit: 'ms' },
        notes: `${outputOf(env, 'count')} entries`,
      }),
    );
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
});
