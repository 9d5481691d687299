/**
 * The environment gate (SPEC §3) from outside, the way users meet it: the built CLI (`node dist/cli/itemstore.js`)
 * and the action bundles (`node dist/<action>/index.js` with INPUT_*), against the reference V2 server over HTTP
 * and s3rver on 127.0.0.1. Each refusal is one sentence, and the servers saw no write (V2: the server's own request
 * counts; S3: s3rver's request log). Then each writer runs with the S3 switch off and s3rver counts its requests: 0.
 * Needs `npm run build`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FsTree, loadSettings } from '@itemstore/config';
import { findExact } from '@itemstore/v2';
import { runBundle, runCli, type CliRun } from '../helpers/run-bundle.js';
import {
  SETTINGS,
  TOKEN,
  cleanupAll,
  deployAll,
  repoManifest,
  repoFiles,
  startStores,
  tagsOf,
  writeRepo,
  type Stores,
  v2WriteCounter,
} from '../../packages/ops/test/helpers.js';

// Each test starts a few Node processes (bundles, the CLI); on a busy machine that takes seconds.
jest.setTimeout(120_000);

let stores: Stores;
let repo: string;
let manifest: string;

beforeAll(async () => {
  stores = await startStores();
  repo = writeRepo(repoFiles());
  // The CLI deploys from a git checkout (it records the commit and refuses a dirty one).
  for (const args of [
    ['init', '-q', '-b', 'main'],
    ['add', '-A'],
    ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'configs'],
  ]) {
    execFileSync('git', args, { cwd: repo });
  }
  await deployAll(stores, repo, 'dev');
  const tree = new FsTree(repo);
  const m = await repoManifest(tree, await loadSettings(tree));
  manifest = join(mkdtempSync(join(tmpdir(), 'gate-manifest-')), 'resolved.json');
  writeFileSync(manifest, JSON.stringify(m));
}, 60_000);

afterAll(async () => {
  await stores?.close();
  await cleanupAll();
});

const v2Writes = (): Promise<number> => counter.writes();
let counter: ReturnType<typeof v2WriteCounter>;
beforeEach(async () => {
  counter ??= v2WriteCounter(stores);
  await counter.reset();
  await stores.s3.resetCounts();
});

/** The built CLI in a child process, with only the environment given (no AWS credentials unless passed). */
function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runCli(args, { cwd: repo, env: { ITEMSTORE_URL: stores.v2.url, ITEMSTORE_TOKEN: TOKEN, ...env } });
}

function errors(r: { commands: { command: string; message: string }[] }): string[] {
  return r.commands.filter((c) => c.command === 'error').map((c) => c.message);
}

const DEPLOY_ONLY_DEV =
  'deploy writes only dev, the first environment of item-store.yaml; qa and prod change only by promotion: run promote (from qa to prod).';
const UNKNOWN_STAGE =
  'The environment "stage" is not one of the environments in item-store.yaml (dev, qa, prod); an unknown environment is never written.';
const ONE_STEP =
  "Promotion goes one step at a time in item-store.yaml's order (dev → qa → prod): from dev the next environment is qa, not prod.";

describe('refusals: one sentence, and the servers saw no write', () => {
  test('deploy to prod or to an unknown environment (CLI)', async () => {
    const prod = await cli(['deploy', '--repo', repo, '--environment', 'prod']);
    expect(prod.code).toBe(2);
    expect(prod.stderr.trim()).toBe(`itemstore: ${DEPLOY_ONLY_DEV}`);
    const stage = await cli(['deploy', '--manifest', manifest, '--environment', 'stage']);
    expect(stage.code).toBe(2);
    expect(stage.stderr.trim()).toBe(`itemstore: ${UNKNOWN_STAGE}`);
    expect(await v2Writes()).toBe(0);
    expect((await stores.v2Stats()).requests['GET /v2/environments/{env}/manifest']).toBeUndefined();
    expect((await stores.s3.counts()).total).toBe(0);
  });

  test('deploy to prod or to an unknown environment (action bundle)', async () => {
    for (const [environment, message] of [
      ['prod', DEPLOY_ONLY_DEV],
      ['stage', UNKNOWN_STAGE],
    ] as const) {
      const r = await runBundle('deploy-item-store-v2', {
        workspace: repo,
        inputs: { manifest, 'item-store-url': stores.v2.url, 'item-store-token': TOKEN, environment },
      });
      expect(r.exitCode).toBe(1);
      expect(errors(r)).toEqual([`deploy-item-store-v2: ${message}`]);
      expect(r.outputs).toEqual({});
    }
    expect(await v2Writes()).toBe(0);
  });

  test('sync-s3 to qa or to an unknown environment (CLI and action bundle)', async () => {
    const qa = await cli(
      ['sync-s3', '--repo', repo, '--environment', 'qa', '--endpoint', stores.s3.endpoint],
      {
        ...stores.s3.env,
      },
    );
    expect(qa.code).toBe(2);
    expect(qa.stderr.trim()).toBe(
      'itemstore: sync-s3 writes only dev, the first environment of item-store.yaml; qa and prod change only by promotion: run promote (from dev to qa).',
    );
    const r = await runBundle('sync-s3', {
      workspace: repo,
      inputs: { manifest, environment: 'stage', endpoint: stores.s3.endpoint },
      env: stores.s3.env,
    });
    expect(r.exitCode).toBe(1);
    expect(errors(r)).toEqual([`sync-s3: ${UNKNOWN_STAGE}`]);
    expect((await stores.s3.counts()).total).toBe(0);
  });

  test('promote skipping an environment or to an unknown one (CLI and action bundle)', async () => {
    const skip = await cli(['promote', '--repo', repo, '--from', 'dev', '--to', 'prod']);
    expect(skip.code).toBe(2);
    expect(skip.stderr.trim()).toBe(`itemstore: ${ONE_STEP}`);
    const r = await runBundle('promote', {
      workspace: repo,
      inputs: { 'item-store-url': stores.v2.url, 'item-store-token': TOKEN, from: 'qa', to: 'stage' },
    });
    expect(r.exitCode).toBe(1);
    expect(errors(r)).toEqual([
      'promote: The "to" environment "stage" is not one of the environments in item-store.yaml (dev, qa, prod); an unknown environment is never written.',
    ]);
    expect(await v2Writes()).toBe(0);
    expect((await stores.s3.counts()).total).toBe(0);
  });

  test('validate (and so validate --fix) of an unknown environment (CLI and action bundle)', async () => {
    const c = await cli([
      'validate',
      '--repo',
      repo,
      '--environment',
      'stage',
      '--fix',
      '--source',
      'repo',
      '--yes',
    ]);
    expect(c.code).toBe(2);
    expect(c.stderr.trim()).toBe(`itemstore: ${UNKNOWN_STAGE}`);
    const r = await runBundle('validate', {
      workspace: repo,
      inputs: {
        'item-store-url': stores.v2.url,
        'item-store-token': TOKEN,
        environment: 'stage',
        fix: 'true',
        source: 'repo',
      },
    });
    expect(r.exitCode).toBe(1);
    expect(errors(r)).toEqual([`validate: ${UNKNOWN_STAGE}`]);
    expect(await v2Writes()).toBe(0);
    expect((await stores.s3.counts()).total).toBe(0);
  });
});

describe('the S3 switch off: no writer sends S3 a single request', () => {
  const OFF = { ITEMSTORE_S3_SYNC: 'off' };

  test('deploy (CLI and action bundle)', async () => {
    expect((await cli(['deploy', '--manifest', manifest], { ...OFF, ...stores.s3.env })).code).toBe(0);
    const r = await runBundle('deploy-item-store-v2', {
      workspace: repo,
      inputs: { manifest, 'item-store-url': stores.v2.url, 'item-store-token': TOKEN },
      env: { ...OFF, ...stores.s3.env },
    });
    expect(r.exitCode).toBe(0);
    expect((await stores.s3.counts()).total).toBe(0);
  });

  test('sync-s3 (CLI and action bundle) says what it skipped', async () => {
    const c = await cli(['sync-s3', '--repo', repo, '--endpoint', stores.s3.endpoint], {
      ...OFF,
      ...stores.s3.env,
    });
    expect(c.code).toBe(0);
    expect(c.stderr).toContain(
      'sync-s3: did not run: S3 sync is off (ITEMSTORE_S3_SYNC=off): every default/ config of the checkout skipped, nothing written to S3.',
    );
    const r = await runBundle('sync-s3', {
      workspace: repo,
      inputs: { manifest, endpoint: stores.s3.endpoint },
      env: { ...OFF, ...stores.s3.env },
    });
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ ran: 'false', uploaded: '0' });
    expect(r.summary).toContain(
      "S3 sync did not run: S3 sync is off (ITEMSTORE_S3_SYNC=off): 5 upload(s) and 0 deletion(s) of this push's default/ configs skipped, nothing written to S3.",
    );
    // An input cannot turn S3 back on while the repository switch is off.
    const on = await runBundle('sync-s3', {
      workspace: repo,
      inputs: { manifest, endpoint: stores.s3.endpoint, 's3-sync': 'on' },
      env: { ...OFF, ...stores.s3.env },
    });
    expect(on.outputs).toMatchObject({ ran: 'false' });
    expect((await stores.s3.counts()).total).toBe(0);
  });

  test('promote (CLI and action bundle) lists the S3-only configs it skipped', async () => {
    const c = await cli(['promote', '--repo', repo, '--from', 'dev', '--to', 'qa', '--summary'], {
      ...OFF,
      ...stores.s3.env,
    });
    expect(c.code).toBe(0);
    expect(c.stdout).toContain(
      'S3: off (ITEMSTORE_S3_SYNC=off), nothing written to S3 (5 S3 copies skipped).',
    );
    expect(c.stdout).toMatch(/`data-router\/default\/refunds_SC.yaml` \| s3 \| skipped/);
    const r = await runBundle('promote', {
      workspace: repo,
      inputs: {
        'item-store-url': stores.v2.url,
        'item-store-token': TOKEN,
        from: 'qa',
        to: 'prod',
        endpoint: stores.s3.endpoint,
      },
      env: { ...OFF, ...stores.s3.env, GITHUB_ACTOR: 'carol' },
    });
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ promoted: '5', failed: '0' });
    expect((await stores.s3.counts()).total).toBe(0);
  });

  test('validate runs on V2 alone without AWS credentials, and validate --fix writes V2 only', async () => {
    const vendor = await findExact(stores.store, 'ffi2', tagsOf('vendor_feed', 'ffi2'));
    await stores.store.putContents(vendor!.itemId, 'dev', '{"vendor": "by hand"}\n');
    // No AWS variables at all: a request to S3 would fail for want of credentials.
    const c = await cli(['validate', '--repo', repo], OFF);
    expect(c.code).toBe(1);
    expect(c.stdout).toContain('edited-outside     v2   ffi2/default/vendor_feed.json');
    expect(c.stderr).toContain('0 S3 request(s) (S3 sync off: ITEMSTORE_S3_SYNC=off)');
    const s3 = await cli(['validate', '--repo', repo, '--fix', '--source', 's3', '--yes'], OFF);
    expect(s3.code).toBe(2);
    expect(s3.stderr).toContain(
      'itemstore: S3 sync is off (ITEMSTORE_S3_SYNC=off), so S3 is no longer a source of truth: fix with --source repo.',
    );
    expect(await v2Writes()).toBe(1); // the hand edit above, nothing else
    const fix = await cli(['validate', '--repo', repo, '--fix', '--source', 'repo', '--yes'], OFF);
    expect(fix.code).toBe(0);
    expect(fix.stderr).toContain('fix: 1 done, 0 failed');

    await stores.store.putContents(vendor!.itemId, 'dev', '{"vendor": "by hand, again"}\n');
    const r = await runBundle('validate', {
      workspace: repo,
      inputs: { 'item-store-url': stores.v2.url, 'item-store-token': TOKEN, fix: 'true', source: 'repo' },
      env: OFF,
    });
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ drifted: '0', fixed: '1' });
    expect(r.summary).toContain(
      'S3 side: not looked at, S3 sync is off (ITEMSTORE_S3_SYNC=off); V2 validated alone.',
    );
    expect((await stores.s3.counts()).total).toBe(0);
  });

  test('migrate from a local mirror', async () => {
    const target = writeRepo({ 'item-store.yaml': SETTINGS });
    const mirror = mkdtempSync(join(tmpdir(), 'gate-mirror-'));
    for (const [path, body] of Object.entries({ 'ffi2/eu/gate_feed.yaml': 'a: 1\n' })) {
      mkdirSync(dirname(join(mirror, path)), { recursive: true });
      writeFileSync(join(mirror, path), body);
    }
    const c = await cli(['migrate', '--repo', target, '--from-dir', mirror, '--environments', 'dev'], {
      ...OFF,
      ...stores.s3.env,
    });
    expect(c.code).toBe(0);
    expect(c.stdout).toContain('load V2 dev: 1 created');
    expect((await stores.s3.counts()).total).toBe(0);
  });
});

describe('the audit trail', () => {
  test('itemstore history shows who promoted, from which run, environment and version, newest first', async () => {
    const c = await cli(['history', 'ffi2/default/vendor_feed.json', '--repo', repo, '--json']);
    expect(c.code).toBe(0);
    const h = JSON.parse(c.stdout) as {
      path: string;
      environments: Record<string, { version: number; metadata: Record<string, string> }[]>;
    };
    expect(h.path).toBe('ffi2/default/vendor_feed.json');
    // prod was written once, by the promote bundle above (qa → prod), as carol in run 1001.
    expect(h.environments.prod).toHaveLength(1);
    expect(h.environments.prod![0]).toMatchObject({
      version: 1,
      metadata: {
        actor: 'carol',
        promotedFrom: 'qa@1',
        runUrl: 'https://github.com/example/dmd-item-storage-v2/actions/runs/1001/attempts/1',
        path: 'ffi2/default/vendor_feed.json',
        commit: 'migration',
      },
    });
    // dev: the fixes of the validate test above are newest, the deploy oldest.
    const dev = h.environments.dev!;
    expect(dev.map((v) => v.version)).toEqual([...dev.map((v) => v.version)].sort((a, b) => b - a));
    expect(dev[0]!.metadata).toMatchObject({ fixedBy: 'itemstore validate --fix' });
    expect(dev.at(-1)!.metadata).toMatchObject({
      commit: 'migration',
      path: 'ffi2/default/vendor_feed.json',
    });

    const text = await cli([
      'history',
      'ffi2/default/vendor_feed.json',
      '--repo',
      repo,
      '--environment',
      'prod',
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^prod: 1 version\(s\)\n {2}v1 {2}\S+ {2}promoted from qa@1 {2}by carol {2}commit migration/m,
    );
    const stage = await cli([
      'history',
      'ffi2/default/vendor_feed.json',
      '--repo',
      repo,
      '--environment',
      'stage',
    ]);
    expect(stage.code).toBe(2);
  });
});
