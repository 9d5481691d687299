import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MemoryLogger, md5Hex } from '@itemstore/core';
import { startS3Server, type S3TestServer } from '../../../test/helpers/s3-server.js';
import {
  applySyncPlan,
  createS3Client,
  hashRemoteObjects,
  listLocation,
  objectRef,
  objectsToVerifyByContent,
  planSync,
  type DesiredObject,
} from '../src/index.js';
import type { S3Location } from '@itemstore/config';

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3Server({ buckets: ['apply-a', 'apply-b'] });
});
afterAll(async () => s3?.close());

const client = () =>
  createS3Client({ region: 'us-east-1', endpoint: s3.endpoint, credentials: s3.credentials });

function desired(location: S3Location, key: string, text: string): DesiredObject {
  const body = Buffer.from(text);
  return {
    location,
    key,
    path: key,
    body,
    md5: md5Hex(body),
    contentType: 'application/yaml',
    format: 'bytes',
  };
}

describe('applySyncPlan and the listing against s3rver', () => {
  test('one failing upload is reported as failed; the others are written', async () => {
    const good: S3Location = { bucket: 'apply-a', prefix: 'x/', region: 'us-east-1' };
    const missing: S3Location = { bucket: 'apply-missing', prefix: 'x/', region: 'us-east-1' };
    const plan = planSync({
      desired: [
        desired(good, 'x/1.yaml', 'one'),
        desired(missing, 'x/2.yaml', 'two'),
        desired(good, 'x/3.yaml', 'three'),
      ],
      deletions: [],
      listings: [],
      deletionsMode: 'apply',
      full: false,
    });
    const logger = new MemoryLogger();
    const c = client();
    const result = await applySyncPlan(() => c, plan, { concurrency: 2, logger });
    expect(result.failed).toBe(1);
    expect(result.items.find((i) => i.key === 'x/2.yaml')).toMatchObject({ status: 'failed' });
    expect(result.items.find((i) => i.key === 'x/2.yaml')!.error).toMatch(/NoSuchBucket/);
    expect(await s3.listKeys('apply-a')).toEqual(['x/1.yaml', 'x/3.yaml']);
    expect(logger.lines.some((l) => l.level === 'error' && l.message.includes('apply-missing'))).toBe(true);
  });

  test('an object with a multipart-style ETag is compared by GET and hash, and only uploaded when different', async () => {
    const location: S3Location = { bucket: 'apply-b', prefix: 'm/', region: 'us-east-1' };
    await s3.putObject('apply-b', 'm/same.yaml', 'same bytes\n');
    await s3.putObject('apply-b', 'm/diff.yaml', 'old bytes\n');
    const c = client();
    const listing = await listLocation(c, location);
    // s3rver gives multipart uploads a plain MD5 ETag; real S3 gives "<md5 of part md5s>-<parts>". Make the listing
    // look like real S3's so the GET-and-hash path runs against the real server.
    for (const o of listing.objects.values()) o.etag = `${'f'.repeat(32)}-2`;
    const wanted = [
      desired(location, 'm/same.yaml', 'same bytes\n'),
      desired(location, 'm/diff.yaml', 'new bytes\n'),
    ];
    const toHash = objectsToVerifyByContent(wanted, [listing]);
    await s3.resetCounts();
    const remoteMd5 = await hashRemoteObjects(c, toHash, 4);
    expect((await s3.counts()).get).toBe(2);
    expect(remoteMd5.get(objectRef('apply-b', 'm/same.yaml'))).toBe(md5Hex('same bytes\n'));
    const plan = planSync({
      desired: wanted,
      deletions: [],
      listings: [listing],
      remoteMd5,
      deletionsMode: 'apply',
      full: false,
    });
    expect(plan.items.map((i) => [i.key, i.action])).toEqual([
      ['m/diff.yaml', 'upload'],
      ['m/same.yaml', 'unchanged'],
    ]);
  });
});
