import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MemoryLogger } from '@itemstore/core';
import type { S3Location } from '@itemstore/config';
import pLimit from 'p-limit';
import { startS3Server, type S3TestServer } from '../../../test/helpers/s3-server.js';
import { compareKeys, createS3Client, listLocation, PAGE_KEYS, syncToS3 } from '../src/index.js';
import { cutPoints } from '../src/remote.js';
import { ENDPOINT_LIST_PAGES, listPagesInFlight } from '../src/sync.js';
import { ConfigRepo, baseFiles, removeRepos } from './fixtures.js';

// The listing of a prefix in parallel key ranges (listLocation with expectedKeys) against a real s3rver: many
// sub-prefixes, keys directly under the prefix, sub-prefixes of more than one page, and objects no config maps to
// (orphans) on both sides of every range boundary. The ranges must together return every key under the prefix and
// nothing outside it; a full sync with deletions: apply must delete exactly the orphans.

const BUCKET = 'listing-ranges';
const PREFIX = 'item-store/';
let s3: S3TestServer;
let repo: ConfigRepo;
/** The S3 keys of the repo's default/ configs. */
let configKeys: string[];
/** Objects no config maps to, under the prefix. */
let orphans: string[];
/** Objects outside the prefix: never listed, never deleted. */
const OUTSIDE = ['item-store-old/ffi2/a/a-0.json', 'item-storf', 'elsewhere/item-store/x.json', 'item-stor'];

/** 1,100 configs in one folder (two pages), 12 folders of 80, 300 in a nested folder of another team. */
function files(): Record<string, string> {
  const out = baseFiles(BUCKET);
  for (let i = 0; i < 1_100; i++) out[`ffi2/default/a/a-${i}.json`] = `{"n": ${i}}\n`;
  for (let f = 0; f < 12; f++) {
    for (let i = 0; i < 80; i++) {
      out[`ffi2/default/f${String(f).padStart(2, '0')}/f${f}-${i}.json`] = `{"f": ${f}, "n": ${i}}\n`;
    }
  }
  for (let i = 0; i < 300; i++)
    out[`data-router/default/x/deep/route-${i}.yaml`] = `config_list:\n  - id: ${i}\n`;
  return out;
}

async function putAll(keys: readonly string[]): Promise<void> {
  const limit = pLimit(16);
  await Promise.all(keys.map((k) => limit(() => s3.putObject(BUCKET, k, `orphan ${k}\n`))));
}

beforeAll(async () => {
  s3 = await startS3Server({ buckets: [BUCKET] });
  repo = ConfigRepo.create(files());
  const first = await syncToS3({
    full: true,
    repoDir: repo.root,
    endpoint: s3.endpoint,
    credentials: s3.credentials,
    logger: new MemoryLogger(),
    concurrency: 32,
  });
  expect(first.report.counts).toMatchObject({ failed: 0, deleted: 0 });
  configKeys = await s3.listKeys(BUCKET, PREFIX);
  expect(configKeys.length).toBeGreaterThan(2 * PAGE_KEYS);
  // Orphans: directly under the prefix, before the first key and after the last, in several sub-prefixes, in a
  // sub-prefix no config uses, and right before and right after every range boundary.
  const cuts = cutPoints(configKeys, PREFIX);
  expect(cuts.length).toBeGreaterThanOrEqual(2);
  orphans = [
    `${PREFIX}!first.json`,
    `${PREFIX}stray.json`,
    `${PREFIX}zzz-last.json`,
    `${PREFIX}ffi2/a/a-0.json.old`,
    `${PREFIX}ffi2/a/zz.json`,
    `${PREFIX}ffi2/f05/orphan.json`,
    `${PREFIX}ffi2/f11/deeper/orphan.json`,
    `${PREFIX}data-router/x/deep/orphan.yaml`,
    `${PREFIX}gone-team/cfg.json`,
    ...cuts.flatMap((c) => [c.replace(/\.(json|yaml)$/, '.jso'), `${c}.orphan`]),
  ];
  await putAll([...orphans, ...OUTSIDE]);
}, 120_000);

afterAll(async () => {
  await s3?.close();
  removeRepos();
});

const location: S3Location = { bucket: BUCKET, prefix: PREFIX, region: 'us-east-1' };
const client = () =>
  createS3Client({ region: 'us-east-1', endpoint: s3.endpoint, credentials: s3.credentials, maxSockets: 8 });
const listed = async (expectedKeys?: readonly string[] | Promise<readonly string[]>) => {
  const c = client();
  try {
    await s3.resetCounts();
    const listing = await listLocation(c, location, {
      ...(expectedKeys ? { expectedKeys } : {}),
      concurrency: 8,
    });
    return { keys: [...listing.objects.keys()].sort(), listing, requests: await s3.requests() };
  } finally {
    c.destroy();
  }
};

describe('listing a prefix in parallel key ranges (s3rver)', () => {
  test('ranges cut at the expected keys return every key under the prefix, orphans included, and none outside', async () => {
    const all = [...configKeys, ...orphans].sort();
    const sequential = await listed();
    expect(sequential.keys).toEqual(all);
    expect(sequential.requests.every((r) => !r.query.has('start-after'))).toBe(true);

    const ranged = await listed(configKeys);
    expect(ranged.keys).toEqual(all);
    // The ranges really ran: one walk per boundary started after it, each a page or two.
    const starts = ranged.requests
      .filter((r) => r.query.has('start-after'))
      .map((r) => r.query.get('start-after'));
    expect(starts.sort()).toEqual(cutPoints(configKeys, PREFIX));
    expect(ranged.requests.length).toBeLessThanOrEqual(sequential.requests.length + starts.length);
    // Same objects, same ETags and sizes as one page after another.
    for (const [key, o] of ranged.listing.objects) expect(sequential.listing.objects.get(key)).toEqual(o);
  }, 60_000);

  test('keys known only after the first pages: the head walk hands the rest to ranges, nothing is missed', async () => {
    const all = [...configKeys, ...orphans].sort();
    let release: () => void = () => {};
    const later = new Promise<void>((r) => (release = r));
    const keysLater = later.then(() => configKeys);
    // Release the keys once the first page has come back.
    const watcher = (async () => {
      for (;;) {
        const requests = await s3.requests().catch(() => []);
        if (requests.some((r) => r.method === 'GET' && !r.key)) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      release();
    })();
    const ranged = await listed(keysLater);
    await watcher;
    expect(ranged.keys).toEqual(all);

    // Keys that are all unknown to the server, or none at all: still the whole prefix.
    expect((await listed(['item-store/does/not/exist'])).keys).toEqual(all);
    expect((await listed([])).keys).toEqual(all);
    const made = Array.from({ length: 5_000 }, (_, i) => `${PREFIX}m/${String(i).padStart(5, '0')}`);
    expect((await listed(made)).keys).toEqual(all);
  }, 60_000);

  test('a full sync with deletions: apply deletes every orphan and nothing else', async () => {
    await s3.resetCounts();
    const { report } = await syncToS3({
      full: true,
      repoDir: repo.root,
      endpoint: s3.endpoint,
      credentials: s3.credentials,
      logger: new MemoryLogger(),
      deletions: 'apply',
    });
    expect(report.counts).toMatchObject({
      uploaded: 0,
      unchanged: configKeys.length,
      deleted: orphans.length,
      failed: 0,
    });
    const counts = await s3.counts();
    expect(counts).toMatchObject({ put: 0, delete: orphans.length });
    const deleted = (await s3.requests()).filter((r) => r.method === 'DELETE').map((r) => r.key);
    expect(deleted.sort()).toEqual([...orphans].sort());
    expect(await s3.listKeys(BUCKET, PREFIX)).toEqual(configKeys);
    for (const key of OUTSIDE) expect(await s3.getObject(BUCKET, key)).toBeDefined();
  }, 60_000);
});

describe('how a full sync lists (pages in flight, where the ranges are cut)', () => {
  test('against an endpoint: ranges cut at the checkout file names from the start, 2 pages in flight, orphans found', async () => {
    const c = client();
    const send = c.send.bind(c);
    let inFlight = 0;
    let most = 0;
    c.send = (async (...args: Parameters<typeof send>) => {
      most = Math.max(most, ++inFlight);
      try {
        return await send(...args);
      } finally {
        inFlight--;
      }
    }) as typeof c.send;
    try {
      await putAll(orphans); // again: the test before deletes them
      await s3.resetCounts();
      const { report } = await syncToS3({
        full: true,
        repoDir: repo.root,
        endpoint: s3.endpoint,
        credentials: s3.credentials,
        clientFor: () => c,
        logger: new MemoryLogger(),
        concurrency: 16,
      });
      expect(report.counts).toMatchObject({
        uploaded: 0,
        unchanged: configKeys.length,
        kept: orphans.length,
        failed: 0,
      });
      expect(most).toBe(ENDPOINT_LIST_PAGES);
      // Every range the expected keys give was listed: the cuts come from the file names alone.
      const starts = (await s3.requests())
        .filter((r) => r.query.has('start-after'))
        .map((r) => r.query.get('start-after'));
      const cuts = cutPoints(configKeys, PREFIX);
      for (const cut of cuts.slice(1)) expect(starts).toContain(cut);
    } finally {
      c.destroy();
    }
  }, 60_000);

  test("pages in flight: the run's concurrency against AWS S3, at most 2 against a custom endpoint", () => {
    expect(listPagesInFlight(undefined, 16)).toBe(16);
    expect(listPagesInFlight('http://127.0.0.1:4568', 16)).toBe(2);
    expect(listPagesInFlight('http://127.0.0.1:4568', 1)).toBe(1);
  });
});

describe('compareKeys (S3 lists keys in UTF-8 byte order)', () => {
  test('agrees with a byte comparison where UTF-16 order does not', () => {
    const keys = ['a', 'ab', 'a/b', 'a.b', '\u00e9', '\uffff', '\u{1F600}', '\ue000x', 'z', '', '\u{10000}'];
    const bytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
    for (const a of keys) for (const b of keys) expect(Math.sign(compareKeys(a, b))).toBe(bytes(a, b));
    // Where JavaScript's own order disagrees: a surrogate pair sorts above U+FFFF in UTF-8.
    expect('\u{1F600}' < '\uffff').toBe(true);
    expect(compareKeys('\u{1F600}', '\uffff')).toBeGreaterThan(0);
  });
});
