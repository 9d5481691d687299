/**
 * The promote action run the way the runner runs it (`node dist/promote/index.js` with INPUT_*), against the
 * reference V2 server over HTTP and s3rver on 127.0.0.1. Needs `npm run build`.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { runBundle } from '../helpers/run-bundle.js';
import {
  BUCKETS,
  PREFIX,
  TOKEN,
  cleanupAll,
  deployAll,
  repoFiles,
  startStores,
  writeRepo,
  type Stores,
} from '../../packages/ops/test/helpers.js';

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

function run(inputs: Record<string, string>, env: Record<string, string> = {}) {
  return runBundle('promote', {
    workspace: repo,
    inputs: {
      'item-store-url': stores.v2.url,
      'item-store-token': TOKEN,
      endpoint: stores.s3.endpoint,
      ...inputs,
    },
    env: { ...stores.s3.env, ...env },
  });
}

describe('promote action (bundle)', () => {
  test('a skip is refused with one clear sentence and nothing is written', async () => {
    const r = await run({ from: 'dev', to: 'prod' });
    expect(r.exitCode).toBe(1);
    expect(r.commands.filter((c) => c.command === 'error').map((c) => c.message)).toEqual([
      "promote: Promotion goes one step at a time in item-store.yaml's order (dev → qa → prod): from dev the next environment is qa, not prod.",
    ]);
    expect(r.outputs).toEqual({});
    expect(await stores.s3.listKeys(BUCKETS.prod)).toEqual([]);
  });

  test('dry-run, then ITEMSTORE_S3_SYNC=off (V2 only), then s3-sync: on copies the S3 objects, _SC included', async () => {
    const dry = await run({ from: 'dev', to: 'qa', 'dry-run': 'true' });
    expect(dry.exitCode).toBe(0);
    expect(dry.outputs).toMatchObject({ promoted: '10', failed: '0' });
    expect(dry.summary).toContain('## Promote dev → qa (dry run: nothing written)');

    const off = await run({ from: 'dev', to: 'qa' }, { ITEMSTORE_S3_SYNC: 'off' });
    expect(off.exitCode).toBe(0);
    expect(off.outputs).toMatchObject({ promoted: '5', skipped: '1', failed: '0', unverified: '0' });
    expect(off.summary).toContain(
      'S3: off (ITEMSTORE_S3_SYNC=off), nothing written to S3 (5 S3 copies skipped).',
    );
    expect(off.summary).toMatch(
      /\| `ffi2\/default\/vendor_feed.json` \| v2 \| promoted \| v1 \(to: none → v1\) \| yes \|/,
    );
    expect(await stores.s3.listKeys(BUCKETS.qa)).toEqual([]);

    // An input cannot turn S3 back on while the repository switch is off: nothing more is written.
    const still = await run({ from: 'dev', to: 'qa', 's3-sync': 'on' }, { ITEMSTORE_S3_SYNC: 'off' });
    expect(still.exitCode).toBe(0);
    expect(await stores.s3.listKeys(BUCKETS.qa)).toEqual([]);

    const on = await run({ from: 'dev', to: 'qa' }, { ITEMSTORE_S3_SYNC: 'on' });
    expect(on.exitCode).toBe(0);
    expect(on.outputs).toMatchObject({ promoted: '5', unchanged: '5', failed: '0', unverified: '0' });
    expect(await stores.s3.listKeys(BUCKETS.qa)).toEqual([
      `${PREFIX}data-quality/orders_checks.yaml`,
      `${PREFIX}data-router/orders.yaml`,
      `${PREFIX}data-router/refunds_SC.yaml`,
      `${PREFIX}ffi2/eu/store_feed.yaml`,
      `${PREFIX}ffi2/vendor_feed.json`,
    ]);
    const report = JSON.parse(readFileSync(on.outputs.report!, 'utf8'));
    expect(report.entries.filter((e: { verified?: boolean }) => e.verified === true)).toHaveLength(5);
    expect(on.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain(TOKEN);
  });
});
