/**
 * Token scopes from outside (SPEC §5): the reference server with the tokens CUTOVER.md sets up (a branch token, a main
 * token, a promotion token, a read token) and the built CLI and action bundles using the wrong one. Each refusal is
 * one sentence naming the missing scope and which token to use, and the server saw no write (its version counts are
 * unchanged). Needs `npm run build`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsTree, loadSettings } from '@itemstore/config';
import { toV2Json } from '@itemstore/convert';
import { HttpItemStore, deployToV2, manifestAll, startServer, type RunningServer } from '@itemstore/v2';
import { bundleNode, repoRoot, runBundle } from '../helpers/run-bundle.js';
import { cleanupAll, repoFiles, repoManifest, writeRepo } from '../../packages/ops/test/helpers.js';

jest.setTimeout(120_000);

const ADMIN = 'admin-token-0f9e';
const BRANCH = 'branch-token-8d7c';
const MAIN = 'main-token-6b5a';
const PROMOTE_QA = 'promote-qa-token-4938';
const READ = 'read-token-2716';

let server: RunningServer;
let admin: HttpItemStore;
let repo: string;
let manifest: string;

async function versions(): Promise<unknown> {
  const res = await fetch(`${server.url}/v2/_stats`, { headers: { Authorization: `Bearer ${ADMIN}` } });
  return ((await res.json()) as { versions: unknown }).versions;
}
let before: unknown;
beforeEach(async () => {
  before = await versions();
});
const noWrite = async (): Promise<void> => expect(await versions()).toEqual(before);

function git(args: string[]): void {
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo });
}

beforeAll(async () => {
  server = await startServer({
    port: 0,
    dataDir: mkdtempSync(join(tmpdir(), 'scopes-v2-')),
    token: ADMIN,
    tokens: [
      { name: 'branch', token: BRANCH, scopes: ['write:dev:branch'] },
      { name: 'main', token: MAIN, scopes: ['write:dev:main'] },
      { name: 'promote-qa', token: PROMOTE_QA, scopes: ['promote:qa'] },
      { name: 'read', token: READ, scopes: ['read'] },
    ],
  });
  admin = new HttpItemStore({ url: server.url, token: ADMIN });
  repo = writeRepo(repoFiles());
  git(['init', '-q', '-b', 'main']);
  git(['add', '-A']);
  git(['commit', '-qm', 'configs']);
  const tree = new FsTree(repo);
  const deploy = async () =>
    deployToV2(await repoManifest(tree, await loadSettings(tree)), {
      store: admin,
      environment: 'dev',
      dryRun: false,
      deletions: 'skip',
      concurrency: 4,
      isAncestor: async () => false,
      convert: toV2Json,
      tree,
    });
  expect((await deploy()).report.counts.created).toBe(5);
  // A change on main, so a deploy has something to write.
  writeFileSync(join(repo, 'ffi2/default/vendor_feed.json'), '{"vendor": "acme", "fields": ["a"]}\n');
  git(['commit', '-qam', 'vendor feed: one field']);
  const m = await repoManifest(tree, await loadSettings(tree));
  manifest = join(mkdtempSync(join(tmpdir(), 'scopes-manifest-')), 'resolved.json');
  writeFileSync(manifest, JSON.stringify(m));
  // A feature branch's items, for the cleanup refusals.
  const branchTree = await repoManifest(tree, await loadSettings(tree));
  branchTree.entries = branchTree.entries.map((e) => ({ ...e, tags: { ...e.tags, branch: 'feature/x' } }));
  branchTree.isMainBranch = false;
  branchTree.branch = 'feature/x';
  await deployToV2(branchTree, {
    store: admin,
    environment: 'dev',
    dryRun: false,
    deletions: 'skip',
    concurrency: 4,
    isAncestor: async () => false,
    convert: toV2Json,
    tree,
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await cleanupAll();
});

function cli(args: string[], token: string) {
  const child = spawn(bundleNode, [join(repoRoot, 'dist', 'cli', 'itemstore.js'), ...args], {
    cwd: repo,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      ITEMSTORE_URL: server.url,
      ITEMSTORE_TOKEN: token,
      ITEMSTORE_S3_SYNC: 'off',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((res) =>
    child.on('close', (code) => res({ code, stdout, stderr })),
  );
}

const errors = (r: { commands: { command: string; message: string }[] }): string[] =>
  r.commands.filter((c) => c.command === 'error').map((c) => c.message);

/** The sentence of a refusal: the cause (token, scope) and the fix (which token). */
const REFUSED = (scope: string, fix: RegExp) =>
  new RegExp(
    `Item Store V2 at ${server.url.replace(/[.]/g, '\\.')} refused (PUT|POST|DELETE) \\S+ \\(403 missing_scope, request id req_\\S+\\): The token "\\S+" may not .*: that needs the scope ${scope}, and it has \\S+; ${fix.source}`,
  );

describe('refusals: one sentence naming the scope and the token to use; the server saw no write', () => {
  test("deploy of main's change with the branch token (CLI and action bundle)", async () => {
    const c = await cli(['deploy', '--repo', repo], BRANCH);
    expect(c.code).toBe(1);
    const lines = c.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^itemstore: /);
    expect(lines.at(-1)).toMatch(
      REFUSED(
        'write:dev:main',
        /use the main token \(the dev environment's ITEMSTORE_TOKEN, scope write:dev:main\), which only runs on main get\.$/,
      ),
    );
    expect(c.stderr).not.toContain('a bug');
    await noWrite();

    const r = await runBundle('deploy-item-store-v2', {
      workspace: repo,
      inputs: { manifest, 'item-store-url': server.url, 'item-store-token': BRANCH },
    });
    expect(r.exitCode).toBe(1);
    const e = errors(r);
    expect(e.at(-1)).toMatch(/^deploy-item-store-v2: Item Store V2 at /);
    expect(e.at(-1)).toMatch(REFUSED('write:dev:main', /use the main token/));
    expect(e.join('\n')).not.toContain('this is a bug');
    // The token is masked (::add-mask::) and never in a message.
    expect(e.join('\n')).not.toContain(BRANCH);
    await noWrite();
  });

  test("a feature branch's deploy with the main token (CLI)", async () => {
    const c = await cli(['deploy', '--repo', repo, '--branch', 'feature/y'], MAIN);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(REFUSED('write:<env>:branch', /use a branch token \(ITEMSTORE_BRANCH_TOKEN/));
    await noWrite();
  });

  test('promote dev → qa with the main token, and qa → prod with the qa token (CLI and action bundle)', async () => {
    const c = await cli(['promote', '--repo', repo, '--from', 'dev', '--to', 'qa'], MAIN);
    expect(c.code).toBe(1);
    expect(c.stdout + c.stderr).toMatch(
      REFUSED('promote:qa', /use the qa environment's ITEMSTORE_TOKEN \(scope promote:qa\)/),
    );
    await noWrite();
    // The qa token promotes into qa (a write), but not into prod.
    expect((await cli(['promote', '--repo', repo, '--from', 'dev', '--to', 'qa'], PROMOTE_QA)).code).toBe(0);
    before = await versions();
    const r = await runBundle('promote', {
      workspace: repo,
      inputs: { 'item-store-url': server.url, 'item-store-token': PROMOTE_QA, from: 'qa', to: 'prod' },
      env: { ITEMSTORE_S3_SYNC: 'off' },
    });
    expect(r.exitCode).toBe(1);
    expect(r.summary).toMatch(REFUSED('promote:prod', /use the prod environment's ITEMSTORE_TOKEN/));
    await noWrite();
  });

  test('cleanup-branch with the main token (CLI and action bundle)', async () => {
    const c = await cli(['cleanup-branch', 'feature/x', '--repo', repo], MAIN);
    expect(c.code).toBe(1);
    expect(c.stderr.trim().split('\n').at(-1)).toMatch(
      REFUSED('write:dev:branch', /use a branch token \(ITEMSTORE_BRANCH_TOKEN, scope write:dev:branch\)/),
    );
    await noWrite();
    const r = await runBundle('cleanup-branch', {
      workspace: repo,
      eventName: 'delete',
      inputs: { branch: 'feature/x', 'item-store-url': server.url, 'item-store-token': MAIN },
    });
    expect(r.exitCode).toBe(1);
    expect(errors(r).at(-1)).toMatch(/^cleanup-branch: Item Store V2 at .* needs the scope write:dev:branch/);
    expect(r.outputs).toEqual({});
    await noWrite();
  });

  test('validate --fix with the read token (CLI)', async () => {
    // Drift to fix: main's item edited outside the pipeline.
    const feed = (await manifestAll(admin, 'dev', 'ffi2')).find(
      (e) => e.tags.name === 'store_feed' && !e.tags.branch,
    );
    await admin.putContents(feed!.itemId, 'dev', '{"edited": "by hand"}\n');
    before = await versions();
    const c = await cli(['validate', '--repo', repo, '--fix', '--source', 'repo', '--yes'], READ);
    expect(c.code).toBe(1);
    expect(c.stdout + c.stderr).toMatch(REFUSED('write:dev:main', /use the main token/));
    await noWrite();
  });
});

describe('the right token does the job', () => {
  test('main token deploys main; branch token cleans up the branch; an unscoped token as before', async () => {
    expect((await cli(['deploy', '--repo', repo], MAIN)).code).toBe(0);
    const c = await cli(['cleanup-branch', 'feature/x', '--repo', repo], BRANCH);
    expect(c.code).toBe(0);
    expect(c.stderr).toContain('5 tombstoned, 0 failed');
    expect((await cli(['promote', '--repo', repo, '--from', 'dev', '--to', 'qa'], PROMOTE_QA)).code).toBe(0);
    expect((await cli(['promote', '--repo', repo, '--from', 'qa', '--to', 'prod'], ADMIN)).code).toBe(0);
  });
});
