/**
 * sync-s3 run the way the runner runs it (`node dist/sync-s3/index.js` with INPUT_* and AWS credentials in the
 * environment), and `itemstore sync-s3` (dist/cli/itemstore.js), against s3rver on 127.0.0.1. Needs `npm run build`.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedManifest } from '@itemstore/core';
import { bundleNode, repoRoot, runBundle } from '../helpers/run-bundle.js';
import { startS3Server, type S3TestServer } from '../helpers/s3-server.js';
import {
  BASE_KEYS,
  ConfigRepo,
  DQ_LEGACY,
  baseFiles,
  entryOf,
  manifestOf,
} from '../../packages/s3/test/fixtures.js';

let s3: S3TestServer;
let bucketNo = 0;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => s3?.close());

/** A workspace whose config repo is the folder `configs/` (annotations must carry that prefix). */
async function workspace(bucket: string, extra: Record<string, string> = {}) {
  await s3.createBucket(bucket);
  const dir = mkdtempSync(join(tmpdir(), 'sync-s3-ws-'));
  const repo = new ConfigRepo(join(dir, 'configs'));
  repo.write({ ...baseFiles(bucket), ...extra });
  return { dir, repo };
}

async function writeManifest(
  ws: { dir: string; repo: ConfigRepo },
  options: { branch?: string } = {},
): Promise<string> {
  const entries = (await ws.repo.resolve()).map((c) => entryOf(c, 'upsert'));
  const manifest: ResolvedManifest = {
    ...manifestOf(ws.repo, entries, options),
    repoRoot: ws.dir,
    workingDirectory: 'configs',
  };
  const file = join(mkdtempSync(join(tmpdir(), 'sync-s3-manifest-')), 'resolved.json');
  writeFileSync(file, JSON.stringify(manifest));
  return file;
}

function run(dir: string, inputs: Record<string, string>) {
  return runBundle('sync-s3', {
    workspace: dir,
    inputs: { endpoint: s3.endpoint, ...inputs },
    env: s3.env,
  });
}

describe('sync-s3 bundle', () => {
  test('first sync, then a no-op re-sync with zero PUTs; outputs, summary table and JSON report', async () => {
    const bucket = `bundle-${++bucketNo}`;
    const ws = await workspace(bucket);
    const manifest = await writeManifest(ws);

    const first = await run(ws.dir, { manifest });
    expect(first.stderr).not.toContain('S3RVER');
    expect(first.exitCode).toBe(0);
    expect(first.outputs).toMatchObject({
      uploaded: '5',
      unchanged: '0',
      deleted: '0',
      failed: '0',
      ran: 'true',
    });
    expect(await s3.listKeys(bucket)).toEqual(BASE_KEYS.map((k) => `item-store/${k}`));
    expect((await s3.getObject(bucket, 'item-store/data-quality/orders_checks.yaml'))?.toString()).toBe(
      DQ_LEGACY,
    );
    expect(first.summary).toContain('| key | action | bytes | reason |');
    expect(first.summary).toContain('| `item-store/ffi2/vendor_feed.json` | uploaded | 47 | new |');
    const report = JSON.parse(readFileSync(first.outputs.report as string, 'utf8'));
    expect(report).toMatchObject({ version: 1, ran: true, environment: 'dev', counts: { uploaded: 5 } });
    expect(report.objects).toHaveLength(5);
    // The secret is masked, and appears nowhere else in the log.
    const lines = first.stdout.split('\n');
    expect(lines).toContain('::add-mask::S3RVER');
    expect(lines.filter((l) => l.includes('S3RVER'))).toEqual(['::add-mask::S3RVER']);

    await s3.resetCounts();
    const again = await run(ws.dir, { manifest });
    expect(again.exitCode).toBe(0);
    expect(again.outputs).toMatchObject({ uploaded: '0', unchanged: '5', deleted: '0', failed: '0' });
    expect(await s3.counts()).toMatchObject({ put: 0, delete: 0, list: 1 });
    expect(again.summary).toContain('All 5 object(s) already match.');
  });

  test('a bad config fails the step with a located annotation and writes nothing', async () => {
    const bucket = `bundle-${++bucketNo}`;
    const ws = await workspace(bucket, { 'ffi2/default/broken.json': '{\n  "a": 1,\n  "a": 2\n}\n' });
    const manifest = await writeManifest(ws);
    await s3.resetCounts();
    const res = await run(ws.dir, { manifest });
    expect(res.exitCode).toBe(1);
    const errors = res.commands.filter((c) => c.command === 'error');
    expect(errors[0]?.properties).toMatchObject({ file: 'configs/ffi2/default/broken.json', line: '3' });
    expect(errors.some((e) => /sync-s3: 1 problem found/.test(e.message))).toBe(true);
    expect(await s3.counts()).toMatchObject({ put: 0, delete: 0, post: 0 });
  });

  test('a feature-branch manifest does not write S3 and the summary says why', async () => {
    const bucket = `bundle-${++bucketNo}`;
    const ws = await workspace(bucket);
    const manifest = await writeManifest(ws, { branch: 'feature/x' });
    const res = await run(ws.dir, { manifest });
    expect(res.exitCode).toBe(0);
    expect(res.outputs).toMatchObject({ ran: 'false', uploaded: '0' });
    expect(res.summary).toMatch(/S3 sync did not run: branch "feature\/x" is not the main branch/);
    expect(await s3.listKeys(bucket)).toEqual([]);
  });

  test('full: true with dry-run plans without writing; bad inputs fail with one sentence', async () => {
    const bucket = `bundle-${++bucketNo}`;
    const ws = await workspace(bucket);
    await s3.resetCounts();
    const res = await run(ws.dir, { full: 'true', 'working-directory': 'configs', 'dry-run': 'true' });
    expect(res.exitCode).toBe(0);
    expect(res.outputs).toMatchObject({ uploaded: '5', ran: 'true' });
    expect(res.summary).toContain('would upload');
    expect(await s3.counts()).toMatchObject({ put: 0, list: 1 });

    const both = await run(ws.dir, { full: 'true', manifest: 'x.json' });
    expect(both.exitCode).toBe(1);
    expect(both.stdout).toContain('::error::sync-s3: Give either the "manifest" input or "full: true"');
    const badDeletions = await run(ws.dir, {
      full: 'true',
      'working-directory': 'configs',
      deletions: 'all',
    });
    expect(badDeletions.stdout).toContain('Input "deletions" must be one of apply, skip');
  });
});

function cli(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(bundleNode, [join(repoRoot, 'dist', 'cli', 'itemstore.js'), ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('itemstore sync-s3', () => {
  test('--full --dry-run plans, then --full writes, then a re-run changes nothing', async () => {
    const bucket = `cli-${++bucketNo}`;
    const ws = await workspace(bucket);
    const args = ['sync-s3', '--repo', ws.repo.root, '--environment', 'dev', '--endpoint', s3.endpoint];
    const plan = await cli([...args, '--full', '--dry-run'], s3.env);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(
      `would upload  s3://${bucket}/item-store/ffi2/vendor_feed.json  47 B  (new)`,
    );
    expect(plan.stderr).toContain(
      'plan s3 dev (dry run, nothing written): 5 would be uploaded, 0 unchanged, 0 would be deleted, 0 kept, 0 failed',
    );
    expect(await s3.listKeys(bucket)).toEqual([]);

    const sync = await cli([...args, '--full', '--concurrency', '4'], s3.env);
    expect(sync.code).toBe(0);
    expect(await s3.listKeys(bucket)).toHaveLength(5);
    const again = await cli([...args, '--json'], s3.env);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).counts).toMatchObject({ uploaded: 0, unchanged: 5 });
  });

  test('usage mistakes exit 2 with one sentence', async () => {
    const res = await cli(['sync-s3', '--deletions', 'maybe'], s3.env);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe('itemstore: --deletions must be apply or skip, got "maybe".\n');
  });
});
