/**
 * The validate action run the way the runner runs it (`node dist/validate/index.js` with INPUT_*), against the
 * reference V2 server over HTTP and s3rver on 127.0.0.1. Needs `npm run build`.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { findExact } from '@itemstore/v2';
import { runBundle } from '../helpers/run-bundle.js';
import {
  BUCKETS,
  PREFIX,
  TOKEN,
  cleanupAll,
  deployAll,
  repoFiles,
  startStores,
  tagsOf,
  writeRepo,
  type Stores,
} from '../../packages/ops/test/helpers.js';

// Real servers and a child process per run: the shared machine can be slow.
jest.setTimeout(60_000);

let stores: Stores;
let repo: string;

beforeAll(async () => {
  stores = await startStores();
  repo = writeRepo(repoFiles());
  await deployAll(stores, repo, 'dev');
}, 60_000);

afterAll(async () => {
  await stores?.close();
  await cleanupAll();
});

function run(inputs: Record<string, string>) {
  return runBundle('validate', {
    workspace: repo,
    inputs: {
      'item-store-url': stores.v2.url,
      'item-store-token': TOKEN,
      endpoint: stores.s3.endpoint,
      ...inputs,
    },
    env: stores.s3.env,
  });
}

describe('validate action (bundle)', () => {
  test('in sync: outputs, JSON report and summary; exit 0', async () => {
    const r = await run({ environment: 'dev' });
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ environment: 'dev', 'in-sync': '10', drifted: '0', fixed: '0' });
    expect(JSON.parse(r.outputs.counts!)).toMatchObject({ 'in-sync': 10, 'edited-outside': 0 });
    const report = JSON.parse(readFileSync(r.outputs.report!, 'utf8'));
    expect(report).toMatchObject({ environment: 'dev', against: 'repo', drifted: 0 });
    expect(r.summary).toContain('## Validate dev: repo ⇄ V2 and S3 (MD5)');
    expect(r.summary).toContain('**No drift**: 10 in sync.');
    expect(r.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain(TOKEN);
    expect(r.stdout).toContain(`::add-mask::${TOKEN}`);
  });

  test('drift fails the step with one sentence naming the statuses; fail-on-drift false only reports', async () => {
    const vendor = await findExact(stores.store, 'ffi2', tagsOf('vendor_feed', 'ffi2'));
    await stores.store.putContents(vendor!.itemId, 'dev', '{"vendor": "by hand"}\n');
    await stores.s3.putObject(BUCKETS.dev, `${PREFIX}ffi2/stray.yaml`, 'a: 1\n');

    const r = await run({ against: 'repo' });
    expect(r.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ drifted: '2', 'in-sync': '9' });
    expect(r.commands.filter((c) => c.command === 'error').map((c) => c.message)).toEqual([
      'validate: 2 item(s) drifted in dev (1 edited-outside, 1 orphan); see the summary.',
    ]);
    expect(r.summary).toContain('| edited-outside | v2 | `ffi2/default/vendor_feed.json` |');
    expect(r.summary).toContain('| orphan | s3 | `s3://ops-dev/item-store/ffi2/stray.yaml` |');

    const quiet = await run({ 'fail-on-drift': 'false' });
    expect(quiet.exitCode).toBe(0);
    expect(quiet.outputs.drifted).toBe('2');

    // fix from the repo with prune: V2 rewritten and promoted, the stray object deleted, then clean.
    const fixed = await run({ fix: 'true', source: 'repo', prune: 'true' });
    expect(fixed.exitCode).toBe(0);
    expect(fixed.outputs).toMatchObject({ drifted: '0', fixed: '2' });
    expect(fixed.summary).toContain('### After the fix');
    expect(await stores.s3.getObject(BUCKETS.dev, `${PREFIX}ffi2/stray.yaml`)).toBeUndefined();
  });

  test('s3-vs-v2 compares JSON values; bad inputs fail before any request', async () => {
    const r = await run({ against: 's3-vs-v2' });
    expect(r.exitCode).toBe(0);
    expect(r.summary).toContain('S3 ⇄ V2 (JSON values)');
    const bad = await run({ against: 'both' });
    expect(bad.exitCode).toBe(1);
    expect(bad.commands.find((c) => c.command === 'error')?.message).toBe(
      'validate: Input "against" must be one of repo, s3-vs-v2, got "both".',
    );
    const noSource = await run({ fix: 'true' });
    expect(noSource.commands.find((c) => c.command === 'error')?.message).toBe(
      'validate: Input "source" (s3 or repo) is required when "fix" is true.',
    );
    const env = await run({ environment: 'staging' });
    expect(env.commands.find((c) => c.command === 'error')?.message).toContain(
      'The environment "staging" is not one of the environments in item-store.yaml (dev, qa, prod); an unknown environment is never written.',
    );
  });
});
