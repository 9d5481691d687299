// Operational S3 failures a user can fix (nothing listens at the endpoint, wrong keys, missing bucket) end the sync
// with one sentence naming the cause and the fix, as a UsageError, before anything is written; never "a bug".
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createServer } from 'node:net';
import { MemoryLogger, UsageError } from '@itemstore/core';
import { startS3Server, type S3TestServer } from '../../../test/helpers/s3-server.js';
import { syncToS3, type SyncToS3Options } from '../src/index.js';
import { explainAccessError } from '../src/remote.js';
import { ConfigRepo, baseFiles, removeRepos } from './fixtures.js';

let s3: S3TestServer;

beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.close();
  removeRepos();
});

/** A port on 127.0.0.1 that nothing listens on: bound, closed, so connections are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function failure(extra: Partial<SyncToS3Options>): Promise<Error> {
  const repo = ConfigRepo.create(baseFiles('access-errors'));
  let ok: unknown;
  const err = await syncToS3({
    full: true,
    repoDir: repo.root,
    endpoint: s3.endpoint,
    credentials: s3.credentials,
    logger: new MemoryLogger(),
    maxAttempts: 1,
    ...extra,
  }).then(
    (r) => {
      ok = r.report;
      return undefined;
    },
    (e: unknown) => e as Error,
  );
  if (!err) throw new Error(`the sync succeeded: ${JSON.stringify(ok)}`);
  return err;
}

describe('S3 operational failures are one sentence with the fix', () => {
  test('nothing listening at --endpoint: connection refused, check the endpoint', async () => {
    const port = await closedPort();
    const err = await failure({ endpoint: `http://127.0.0.1:${port}` });
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe(
      `Nothing answers at 127.0.0.1:${port} (ECONNREFUSED, listing s3://access-errors/item-store/): check --endpoint (or the endpoint input) and that the S3 server is running.`,
    );
    expect(err.message).not.toMatch(/bug/);
  });

  test('an endpoint whose host does not resolve: DNS, check the endpoint and the network', async () => {
    const err = await failure({ endpoint: 'http://no-such-host.invalid:9000' });
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(
      /^The host name no-such-host\.invalid does not resolve \((ENOTFOUND|EAI_AGAIN), listing s3:\/\/access-errors\/item-store\/\): check --endpoint .* and your network\.$/,
    );
  });

  test('wrong keys and a denied listing name the credentials and the permissions (the SDK error S3 answers)', () => {
    // s3rver does not check V4 signatures, so the service's answers are the SDK errors S3 returns for them.
    const location = { bucket: 'b', prefix: 'item-store/', region: 'us-east-1' };
    for (const name of ['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied']) {
      const err = explainAccessError(Object.assign(new Error('secret-ish detail'), { name }), location);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toBe(
        `S3 refused to list s3://b/item-store/ (${name}); the credentials need s3:ListBucket on the bucket and s3:GetObject, s3:PutObject, s3:DeleteObject under the prefix.`,
      );
    }
    const other = new Error('something else');
    expect(explainAccessError(other, location)).toBe(other);
  });
});
