/**
 * The fault-injection suite (issue 12's acceptance): a small real run on main — git history with a rename, an
 * edit, an addition and a deletion — goes through deploy (V2 dev), sync-s3 (S3 dev) and promote (dev → qa, V2 and
 * S3), against the reference V2 server over HTTP and s3rver on 127.0.0.1. Each write kind (V2 PUT, V2 DELETE, V2
 * promote, S3 PUT, S3 DELETE, S3 COPY of a promotion) is failed in turn at each position of the run (writes go
 * one at a time, so positions are exact; no client retries, so the n-th request is the n-th write). After every
 * case:
 *   - no config that git still has is missing or tombstoned in any store it was in before the run (by its new
 *     identity/key, or, when that write failed, by its old one, kept on purpose);
 *   - a rerun without the fault converges: every store holds exactly git's configs, and the version counts are
 *     exactly one new version per changed config (no duplicates from the failed or lost answers).
 * V2 faults come both before the work (the write never happened) and after it (the answer was lost).
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { MemoryLogger, type ResolvedManifest } from '@itemstore/core';
import { FsTree } from '@itemstore/config';
import { toV2Json } from '@itemstore/convert';
import { syncToS3 } from '@itemstore/s3';
import { promote, S3Reader } from '@itemstore/ops';
import {
  HttpItemStore,
  deployToV2,
  gitIsAncestor,
  itemIdFor,
  startServer,
  type FaultRule,
  type RouteName,
} from '@itemstore/v2';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitRepo } from '../helpers/git-repo.js';
import { pushManifest } from '../helpers/pipeline.js';
import { startS3Server, type S3FaultRule, type S3TestServer } from '../helpers/s3-server.js';

jest.setTimeout(120_000);

const TOKEN = 'faults-token';
const BUCKETS = { dev: 'faults-dev', qa: 'faults-qa', prod: 'faults-prod' };
const SETTINGS = `version: 1
mainBranch: main
environments: [dev, qa, prod]
tenants:
  retail:
    region: us-east-1
    s3:
      dev: { bucket: ${BUCKETS.dev}, prefix: item-store/ }
      qa: { bucket: ${BUCKETS.qa}, prefix: item-store/ }
      prod: { bucket: ${BUCKETS.prod}, prefix: item-store/ }
teams:
  ffi2: { tenant: retail, namespace: ffi2 }
`;
/** r0: a, b, d, e. r1: b renamed to c, d edited, e deleted, f added (a unchanged). */
const R0 = {
  'item-store.yaml': SETTINGS,
  'ffi2/default/a.yaml': 'key: a\n',
  'ffi2/default/b.yaml': 'key: b\n',
  'ffi2/default/d.yaml': 'key: d\n',
  'ffi2/default/e.yaml': 'key: e\n',
};
const BEFORE = ['a', 'b', 'd', 'e'];
const AFTER = ['a', 'c', 'd', 'f'];
/** Versions per item and environment after a converged run: one new version per changed config. */
const CONVERGED = { a: 1, b: 2, c: 1, d: 2, e: 2, f: 1 };

let s3: S3TestServer;
let repo: GitRepo;
let m0: ResolvedManifest;
let m1: ResolvedManifest;
let r0: string;
let r1: string;
const dirs: string[] = [];

beforeAll(async () => {
  s3 = await startS3Server({ buckets: Object.values(BUCKETS) });
  repo = await GitRepo.init();
  r0 = await repo.commit('r0', R0);
  m0 = await pushManifest(repo, null);
  await repo.git(['mv', 'ffi2/default/b.yaml', 'ffi2/default/c.yaml']);
  r1 = await repo.commit('r1', {
    'ffi2/default/d.yaml': 'key: d2\n',
    'ffi2/default/e.yaml': null,
    'ffi2/default/f.yaml': 'key: f\n',
  });
  m1 = await pushManifest(repo, r0);
  expect(m1.errors).toEqual([]);
}, 60_000);

afterAll(async () => {
  await s3?.close();
  repo?.remove();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const tags = (name: string) => ({ name, team: 'ffi2' });
const id = (name: string) => itemIdFor('ffi2', tags(name));
const key = (name: string) => `item-store/ffi2/${name}.yaml`;

interface Fault {
  kind: string;
  v2?: FaultRule;
  s3?: S3FaultRule;
}

/** Every write kind at every position of the r1 run (writes are sequential: concurrency 1, no retries). */
function cases(): Fault[] {
  const out: Fault[] = [];
  const v2 = (route: RouteName, n: number, label: string) => {
    out.push({ kind: `${label} #${n} fails before the work`, v2: { route, nth: n, times: 1, status: 500 } });
    // A lost answer of a promote is the same request again on the rerun: covered by PUT and DELETE.
    if (route !== 'promote')
      out.push({
        kind: `${label} #${n}: answer lost after the work`,
        v2: { route, nth: n, times: 1, status: 503, when: 'after' },
      });
  };
  // deploy r1: PUT c, d, f; DELETE e (plain) and b (after c).
  for (let n = 1; n <= 3; n++) v2('putContents', n, 'V2 PUT');
  for (let n = 1; n <= 2; n++) v2('deleteItem', n, 'V2 DELETE');
  // promote dev → qa: c, d, f, then the tombstones of b and e.
  for (let n = 1; n <= 5; n++) v2('promote', n, 'V2 promote');
  // sync-s3 r1: PUT c, d, f; DELETE e and b (after c).
  for (let n = 1; n <= 3; n++)
    out.push({ kind: `S3 PUT #${n}`, s3: { method: 'PUT', bucket: BUCKETS.dev, nth: n, times: 1 } });
  for (let n = 1; n <= 2; n++)
    out.push({ kind: `S3 DELETE #${n}`, s3: { method: 'DELETE', bucket: BUCKETS.dev, nth: n, times: 1 } });
  // promote's S3 side copies dev's objects to qa (GET dev, PUT qa): c, d, f.
  for (let n = 1; n <= 3; n++)
    out.push({ kind: `S3 COPY #${n}`, s3: { method: 'PUT', bucket: BUCKETS.qa, nth: n, times: 1 } });
  return out;
}

async function clearBuckets(): Promise<void> {
  for (const bucket of Object.values(BUCKETS)) {
    for (const k of await s3.listKeys(bucket)) {
      await s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: k }));
    }
  }
}

describe('fault injection: every write kind at every position', () => {
  test.each(cases().map((c) => [c.kind, c] as const))('%s', async (_kind, fault) => {
    await s3.setFaults([]);
    await clearBuckets();
    const dataDir = mkdtempSync(join(tmpdir(), 'faults-v2-'));
    dirs.push(dataDir);
    const server = await startServer({ port: 0, dataDir, token: TOKEN });
    const store = new HttpItemStore({ url: server.url, token: TOKEN, concurrency: 1, retry: { retries: 0 } });
    const reader = new S3Reader({ endpoint: s3.endpoint, credentials: s3.credentials, maxAttempts: 1 });
    const logger = new MemoryLogger();
    const run = async (m: ResolvedManifest) => {
      const tree = new FsTree(repo.dir);
      await deployToV2(m, {
        store,
        environment: 'dev',
        dryRun: false,
        deletions: 'apply',
        concurrency: 1,
        isAncestor: gitIsAncestor(repo.dir, { fetch: false }),
        convert: toV2Json,
        tree,
      });
      await syncToS3({
        manifest: m,
        endpoint: s3.endpoint,
        credentials: s3.credentials,
        maxAttempts: 1,
        concurrency: 1,
        logger,
      });
      await promote({
        tree,
        from: 'dev',
        to: 'qa',
        s3Sync: true,
        store,
        reader,
        clientFor: reader.clientFor,
        concurrency: 1,
        logger,
      });
    };
    const v2State = async (env: string, name: string) => {
      const s = (await store.getItem(id(name)))?.environments[env];
      return s === undefined ? 'absent' : s.deleted ? 'tombstone' : 'live';
    };
    const s3Keys = async (env: 'dev' | 'qa') => new Set(await s3.listKeys(BUCKETS[env]));
    try {
      // The state before: r0 everywhere.
      await repo.checkout(r0);
      await run(m0);
      for (const env of ['dev', 'qa']) for (const n of BEFORE) expect(await v2State(env, n)).toBe('live');

      // The run of r1, with the fault.
      await repo.checkout(r1);
      server.setFaults(fault.v2 ? [fault.v2] : []);
      await s3.setFaults(fault.s3 ? [fault.s3] : []);
      await run(m1).catch(() => undefined);
      if (fault.v2) {
        const r = await fetch(`${server.url}/v2/_stats`, { headers: { Authorization: `Bearer ${TOKEN}` } });
        const { injectedFailures } = (await r.json()) as {
          injectedFailures: { before: number; after: number };
        };
        expect([fault.kind, injectedFailures.before + injectedFailures.after]).toEqual([fault.kind, 1]);
      }
      server.setFaults([]);
      await s3.setFaults([]);

      // Nothing git still has went missing: a and d as they were or newer; c by its new identity or, kept, as b.
      for (const env of ['dev', 'qa'] as const) {
        const where = `${fault.kind}: ${env}`;
        for (const n of ['a', 'd']) expect([where, n, await v2State(env, n)]).toEqual([where, n, 'live']);
        const renamed = [await v2State(env, 'c'), await v2State(env, 'b')];
        expect([where, 'c or b', renamed.includes('live')]).toEqual([where, 'c or b', true]);
        const keys = await s3Keys(env);
        for (const n of ['a', 'd']) expect([where, key(n), keys.has(key(n))]).toEqual([where, key(n), true]);
        expect([where, 'S3 c or b', keys.has(key('c')) || keys.has(key('b'))]).toEqual([
          where,
          'S3 c or b',
          true,
        ]);
      }

      // The rerun converges: exactly git's configs, one new version per changed config.
      await run(m1);
      for (const env of ['dev', 'qa'] as const) {
        for (const n of AFTER) expect([env, n, await v2State(env, n)]).toEqual([env, n, 'live']);
        for (const n of ['b', 'e']) expect([env, n, await v2State(env, n)]).toEqual([env, n, 'tombstone']);
      }
      expect([...(await s3Keys('dev'))].sort()).toEqual(AFTER.map(key));
      // Promotion copies S3 objects and never deletes one (as the Jenkins job did): qa has git's configs, and the
      // old keys of renamed or deleted configs stay until removed by hand (docs/troubleshooting.md).
      const qaKeys = await s3Keys('qa');
      for (const k of AFTER.map(key)) expect(['qa', k, qaKeys.has(k)]).toEqual(['qa', k, true]);
      const res = await fetch(`${server.url}/v2/_stats`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      const versions = ((await res.json()) as { versions: Record<string, Record<string, number>> }).versions;
      const got = Object.fromEntries(Object.keys(CONVERGED).map((n) => [n, versions[id(n)]]));
      const want = Object.fromEntries(Object.entries(CONVERGED).map(([n, v]) => [n, { dev: v, qa: v }]));
      expect([fault.kind, got]).toEqual([fault.kind, want]);
    } finally {
      reader.close();
      await server.close();
    }
  });
});
