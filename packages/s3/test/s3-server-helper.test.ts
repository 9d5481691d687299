import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startS3Server, type S3TestServer } from '../../../test/helpers/s3-server.js';

describe('the s3rver test helper', () => {
  let s3: S3TestServer;
  beforeAll(async () => {
    s3 = await startS3Server({ buckets: ['helper-bucket'] });
  });
  afterAll(async () => s3?.close());

  test('listens on 127.0.0.1, stores bytes exactly and counts requests at the server', async () => {
    expect(s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await s3.resetCounts();
    const body = Buffer.from('a: 1\n# ünïcode\n');
    await s3.putObject('helper-bucket', 'dir/x y.yaml', body);
    expect(await s3.getObject('helper-bucket', 'dir/x y.yaml')).toEqual(body);
    expect(await s3.getObject('helper-bucket', 'missing')).toBeUndefined();
    expect(await s3.listKeys('helper-bucket')).toEqual(['dir/x y.yaml']);
    const counts = await s3.counts();
    expect(counts).toMatchObject({ put: 1, get: 2, list: 1, delete: 0 });
    const reqs = await s3.requests();
    expect(reqs[0]).toMatchObject({ method: 'PUT', bucket: 'helper-bucket', key: 'dir/x y.yaml' });
  });
});
