/**
 * The content check in worker threads gives exactly what the main thread alone gives: the same located errors and
 * warnings in the same order, the same entries (none for a config that fails), also when a worker dies mid-way
 * or cannot answer. The worker is the real one (packages/resolve/src/content-worker.ts), bundled here as
 * scripts/build.mjs bundles it into dist/lib/content-worker.cjs (one CommonJS file); the faults are wrappers around it.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Plugin } from 'esbuild';
import type { ChangeManifest, ResolvedManifest } from '@itemstore/core';
import { FsTree } from '@itemstore/config';
import { detectChanges, GitTree } from '@itemstore/changes';
import { resolveManifest, type ContentCheckOptions } from '@itemstore/resolve';
import { startContentWorkers, startWorkers } from '@itemstore/resolve/content-workers';
import { GitRepo } from '../../../test/helpers/git-repo.js';
import { bucketsNamed, settingsYaml } from '../../../test/helpers/settings.js';

jest.setTimeout(120_000);

const ROOT = resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'itemstore-content-workers-'));
const repos: GitRepo[] = [];
afterAll(() => {
  repos.forEach((r) => r.remove());
  rmSync(dir, { recursive: true, force: true });
});

/** The workspace's packages from their sources, as scripts/build.mjs bundles them (a subpath is src/<subpath>.ts). */
const workspace: Plugin = {
  name: 'itemstore-sources',
  setup(b) {
    b.onResolve({ filter: /^@itemstore\/[a-z0-9-]+(?:\/[a-z0-9-]+)?$/ }, (args) => {
      const [pkg, sub] = args.path.slice('@itemstore/'.length).split('/');
      return { path: join(ROOT, 'packages', pkg!, 'src', `${sub ?? 'index'}.ts`) };
    });
  },
};

/** A worker file: the real worker, with `before` run first in the same thread (to wrap parentPort.postMessage). */
function wrapper(name: string, before: string): URL {
  const file = join(dir, `${name}.cjs`);
  writeFileSync(
    file,
    [
      "const { parentPort } = require('node:worker_threads');",
      "const { appendFileSync } = require('node:fs');",
      'const post = parentPort.postMessage.bind(parentPort);',
      'let posted = 0;',
      before,
      "require('./content-worker.cjs');",
    ].join('\n'),
  );
  return pathToFileURL(file);
}

let logged: URL;
let dies: URL;
let cannot: URL;
const log = join(dir, 'answers.log');
const diedLog = join(dir, 'died.log');

beforeAll(async () => {
  await build({
    entryPoints: [join(ROOT, 'packages/resolve/src/content-worker.ts')],
    outfile: join(dir, 'content-worker.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    define: { 'import.meta.url': '__filename' },
    plugins: [workspace],
  });
  // Records which jobs the workers answered.
  logged = wrapper(
    'logged',
    `parentPort.postMessage = (m) => { if ('i' in m) appendFileSync(${JSON.stringify(log)}, m.i + '\\n'); post(m); };`,
  );
  // Answers two jobs, then dies (an uncaught error) holding the third it took.
  dies = wrapper(
    'dies',
    `parentPort.postMessage = (m) => { if (++posted > 2) throw new Error('worker died mid-way'); appendFileSync(${JSON.stringify(diedLog)}, m.i + '\\n'); post(m); };`,
  );
  // Says of every job that its check threw something that is not a user's mistake.
  cannot = wrapper(
    'cannot',
    "parentPort.postMessage = (m) => post('i' in m ? { i: m.i, failed: true } : m);",
  );
});

const SETTINGS = settingsYaml({
  buckets: bucketsNamed('retail'),
  teams: ['emr', 'data-router', 'data-quality', 'ffi2'],
});

/** 90 changed configs of every kind of target, good and broken, and configs that do not resolve. */
function changedFiles(): Record<string, string> {
  const files: Record<string, string> = {
    'emr/tags.yaml': 'tags:\n  interface: emr\n',
    'emr/broken-tags/tags.yaml': 'tags:\n  interface: [a, b]\n',
    'emr/broken-tags/below.yaml': 'steps: [\n',
    'emr/jobs/outside_SC.yaml': 'steps: []\n',
  };
  for (let i = 0; i < 30; i++) {
    const n = String(i).padStart(2, '0');
    files[`emr/jobs/job_${n}.yaml`] =
      i % 7 === 3
        ? `steps:\n  - name: a\n    jar: [\n`
        : `steps:\n  - name: job${n}\n    on: ${i % 5 ? 'x' : 'yes'}\n`;
    files[`data-router/default/route_${n}.json`] =
      i % 9 === 4
        ? `{"config_list": [], "config_list": [1]}`
        : `{"config_list": [{"name": "r${n}", "source": {"topic": "t"}}]}`;
    files[`data-quality/default/rules_${n}.yaml`] =
      i % 8 === 5
        ? `config_list:\n- rule_id: r${n}\n  table: t\n bad: indent\n`
        : `config_list:\n- &base\n  rule_id: r${n}\n  table: t${n}\n- <<: *base\n  rule_id: s${n}\n`;
  }
  for (let i = 0; i < 10; i++)
    files[`ffi2/default/feed_${i}_SC.yaml`] = `feed: f${i}\nactive: ${i % 3 ? 'true' : 'on'}\n`;
  return files;
}

let changes: ChangeManifest;
let repo: GitRepo;
beforeAll(async () => {
  repo = await GitRepo.init();
  repos.push(repo);
  const before = await repo.commit('initial', { 'item-store.yaml': SETTINGS, 'emr/old.yaml': 'steps: []\n' });
  const after = await repo.commit('many configs', changedFiles());
  changes = await detectChanges({
    directory: repo.dir,
    event: {
      eventName: 'push',
      payload: { before, after, ref: 'refs/heads/main' },
      ref: 'refs/heads/main',
      sha: after,
    },
    remote: null,
    fetch: false,
  });
});

/**
 * The working tree, read slowly on the main thread (the workers read with their own FsTree): a small repo resolves
 * faster than a worker starts, and then the main thread would check every config itself.
 */
class SlowFsTree extends FsTree {
  override async read(path: string): Promise<Buffer | undefined> {
    await new Promise((r) => setTimeout(r, 15));
    return super.read(path);
  }
}

async function resolveWith(contentCheck: ContentCheckOptions): Promise<ResolvedManifest> {
  const base = new GitTree(repo.dir, changes.baseSha as string);
  try {
    return await resolveManifest(changes, { head: new SlowFsTree(repo.dir), base, contentCheck });
  } finally {
    base.close();
  }
}

describe('content check in worker threads', () => {
  let alone: ResolvedManifest;
  beforeAll(async () => {
    alone = await resolveWith({ worker: false });
  });

  it('the configs on their own: located errors and warnings, no entry for a config that fails', () => {
    const located = alone.errors.filter((e) => e.line !== undefined && e.column !== undefined);
    expect(located.length).toBeGreaterThan(10);
    const codes = new Set(alone.errors.map((e) => e.code));
    expect(codes.size).toBeGreaterThan(3);
    const failed = new Set(alone.errors.filter((e) => e.severity === 'error').map((e) => e.file));
    expect(failed.has('emr/jobs/job_03.yaml')).toBe(true);
    expect(failed.has('data-router/default/route_04.json')).toBe(true);
    expect(failed.has('data-quality/default/rules_05.yaml')).toBe(true);
    expect(alone.entries.some((e) => failed.has(e.path))).toBe(false);
    expect(alone.entries.length).toBeGreaterThan(60);
  });

  it('two real workers and the main thread give the same manifest, byte for byte', async () => {
    rmSync(log, { force: true });
    const m = await resolveWith({ worker: logged, workers: 2, minJobs: 8 });
    expect(JSON.stringify(m)).toBe(JSON.stringify(alone));
    // The workers did check configs (the main thread did not do it all alone).
    expect(existsSync(log)).toBe(true);
    expect(readFileSync(log, 'utf8').trim().split('\n').length).toBeGreaterThan(10);
  });

  it('a worker that dies mid-way: the jobs it held are checked again, with the same located errors', async () => {
    const m = await resolveWith({ worker: dies, workers: 1, minJobs: 8 });
    expect(JSON.stringify(m)).toBe(JSON.stringify(alone));
    // It answered two jobs and died on the third, which it had taken.
    expect(readFileSync(diedLog, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('a worker that cannot answer (its check threw): each such config is checked again on the main thread', async () => {
    const m = await resolveWith({ worker: cannot, workers: 2, minJobs: 8 });
    expect(JSON.stringify(m)).toBe(JSON.stringify(alone));
  });

  it('workers started as soon as the manifest is read (startContentWorkers) are the ones that check', async () => {
    rmSync(log, { force: true });
    const started = startContentWorkers(changes, { worker: logged, workers: 2, minJobs: 8 });
    expect(started?.root).toBe(new SlowFsTree(repo.dir).root);
    // `worker: false`: had the check not taken the started workers, the main thread would have checked everything.
    const m = await resolveWith({ started, worker: false });
    expect(JSON.stringify(m)).toBe(JSON.stringify(alone));
    expect(readFileSync(log, 'utf8').trim().split('\n').length).toBeGreaterThan(10);
  });

  it('started workers that read another folder are stopped and not used: the main thread checks everything', async () => {
    rmSync(log, { force: true });
    const started = startWorkers(join(dir, 'elsewhere'), 90, { worker: logged, workers: 2, minJobs: 8 })!;
    const m = await resolveWith({ started, worker: false });
    expect(JSON.stringify(m)).toBe(JSON.stringify(alone));
    await started.settled();
    expect(existsSync(log)).toBe(false);
  });

  it('started workers that never get their jobs do not keep the process alive', async () => {
    // A program that starts two real workers and then has nothing left to do: it ends at once, exit code 0.
    const program = join(dir, 'unused.mjs');
    await build({
      stdin: {
        contents: [
          "import { startWorkers } from '@itemstore/resolve/content-workers';",
          `const pool = startWorkers(${JSON.stringify(repo.dir)}, 200, { worker: new URL(${JSON.stringify(pathToFileURL(join(dir, 'content-worker.cjs')).href)}), workers: 2 });`,
          "console.log(pool ? 'started' : 'none');",
        ].join('\n'),
        resolveDir: ROOT,
        loader: 'ts',
      },
      outfile: program,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'warning',
      plugins: [workspace],
    });
    const { stdout } = await promisify(execFile)(process.execPath, [program], { timeout: 20_000 });
    expect(stdout.trim()).toBe('started');
  });

  it('a worker script that does not load: the main thread checks everything', async () => {
    const m = await resolveWith({ worker: pathToFileURL(join(dir, 'missing.cjs')), workers: 2, minJobs: 8 });
    expect(JSON.stringify(m)).toBe(JSON.stringify(alone));
  });
});
