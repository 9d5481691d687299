/**
 * A real S3 server for tests: s3rver on 127.0.0.1, on a free port, storing into a temp directory, in a child process
 * started with NODE_OPTIONS=--openssl-legacy-provider (without it, listings past 1,000 keys fail: see
 * /work/shared/NOTES.md). Every request is recorded in the child before s3rver handles it, so tests can assert
 * "a no-op re-sync made zero PUTs" at the server rather than by trusting the client.
 *
 *   const s3 = await startS3Server({ buckets: ['retail-configs-dev'] });
 *   await s3.resetCounts();
 *   ... run the code under test against s3.endpoint with s3.credentials ...
 *   expect((await s3.counts()).put).toBe(0);
 *   await s3.close();
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { repoRoot } from './run-bundle.js';

/** s3rver accepts only this access key (and this secret). */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface RecordedRequest {
  method: string;
  /** Path-style: the first path segment. */
  bucket: string;
  /** The object key (decoded), '' for bucket-level requests (listings, bucket creation, DeleteObjects). */
  key: string;
  query: URLSearchParams;
}

export interface RequestCounts {
  /** PutObject (PUT on a key). */
  put: number;
  /** GetObject (GET on a key). */
  get: number;
  /** DeleteObject (DELETE on a key). */
  delete: number;
  /** Bucket listings (GET on a bucket). */
  list: number;
  head: number;
  /** POSTs (DeleteObjects, multipart uploads). */
  post: number;
  total: number;
}

export interface S3TestServer {
  endpoint: string;
  port: number;
  region: string;
  directory: string;
  credentials: typeof S3RVER_CREDENTIALS;
  /** Environment for a child process (a bundle, the CLI, awscli) that should talk to this server. */
  env: Record<string, string>;
  /** A client whose stored bytes are exactly the bodies given (no aws-chunked framing, no added checksums). */
  client: S3Client;
  requests(): Promise<RecordedRequest[]>;
  /** Replaces the targeted faults (see S3FaultRule); counters start from zero. */
  setFaults(rules: S3FaultRule[]): Promise<void>;
  counts(): Promise<RequestCounts>;
  resetCounts(): Promise<void>;
  createBucket(name: string): Promise<void>;
  putObject(
    bucket: string,
    key: string,
    body: string | Buffer,
    extra?: Partial<PutObjectCommandInput>,
  ): Promise<void>;
  /** The stored bytes, or undefined when there is no such object. */
  getObject(bucket: string, key: string): Promise<Buffer | undefined>;
  /** Every key under a prefix, sorted (follows continuation tokens). */
  listKeys(bucket: string, prefix?: string): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * A targeted fault: the `nth` (1-based, counted per rule) request matching method, bucket and key (decoded) answers
 * `status` (default 500) with an S3 error body, `times` times in a row (default: every later match too), and
 * never reaches s3rver. The SDK retries 5xx, so the default fails every attempt.
 */
export interface S3FaultRule {
  method?: 'GET' | 'PUT' | 'DELETE' | 'HEAD' | 'POST';
  bucket?: string;
  key?: string;
  nth?: number;
  times?: number;
  status?: number;
}

const childScript = join(repoRoot, 'test', 'helpers', 's3-server-process.mjs');

export function countRequests(requests: readonly RecordedRequest[]): RequestCounts {
  const c: RequestCounts = { put: 0, get: 0, delete: 0, list: 0, head: 0, post: 0, total: requests.length };
  for (const r of requests) {
    if (r.method === 'PUT' && r.key) c.put++;
    else if (r.method === 'GET' && r.key) c.get++;
    else if (r.method === 'GET') c.list++;
    else if (r.method === 'DELETE' && r.key) c.delete++;
    else if (r.method === 'HEAD') c.head++;
    else if (r.method === 'POST') c.post++;
  }
  return c;
}

export function parseRequest(method: string, url: string): RecordedRequest {
  const u = new URL(url, 'http://127.0.0.1');
  const path = u.pathname.replace(/^\//, '');
  const slash = path.indexOf('/');
  const bucket = decodeURIComponent(slash < 0 ? path : path.slice(0, slash));
  const key = slash < 0 ? '' : decodeURIComponent(path.slice(slash + 1));
  return { method, bucket, key, query: u.searchParams };
}

export async function startS3Server(
  options: { buckets?: string[]; region?: string } = {},
): Promise<S3TestServer> {
  const directory = mkdtempSync(join(tmpdir(), 's3rver-'));
  const region = options.region ?? 'us-east-1';
  const child: ChildProcess = fork(childScript, [directory, (options.buckets ?? []).join(',')], {
    execPath: process.execPath,
    // Replace (not extend) NODE_OPTIONS: jest's --experimental-vm-modules has no business in the server.
    env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer): void => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      child.stdout?.off('data', onData);
      resolve((JSON.parse(out.slice(0, nl)) as { port: number }).port);
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code} before listening: ${stderr}`)));
  });
  child.stdout?.resume();

  let nextId = 0;
  const ask = <T>(cmd: string, extra: Record<string, unknown> = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = ++nextId;
      const onMessage = (msg: { id?: number }): void => {
        if (msg.id !== id) return;
        child.off('message', onMessage);
        resolve(msg as T);
      };
      child.on('message', onMessage);
      if (!child.send({ cmd, id, ...extra })) reject(new Error('s3rver child is gone'));
    });

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

  const server: S3TestServer = {
    endpoint,
    port,
    region,
    directory,
    credentials: S3RVER_CREDENTIALS,
    env: {
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      // Keep a developer's ~/.aws out of the tests.
      AWS_CONFIG_FILE: join(directory, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(directory, 'no-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    client,
    async requests() {
      const { requests } = await ask<{ requests: { method: string; url: string }[] }>('requests');
      return requests.map((r) => parseRequest(r.method, r.url));
    },
    async counts() {
      return countRequests(await server.requests());
    },
    async setFaults(rules) {
      await ask('faults', { rules });
    },
    async resetCounts() {
      await ask('reset');
    },
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async putObject(bucket, key, body, extra = {}) {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: typeof body === 'string' ? Buffer.from(body) : body,
          ...extra,
        }),
      );
    },
    async getObject(bucket, key) {
      try {
        const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return Buffer.from(
          await (res.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
        );
      } catch (err) {
        if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
        throw err;
      }
    },
    async listKeys(bucket, prefix = '') {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const res = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const o of res.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    },
    async close() {
      client.destroy();
      if (child.exitCode === null && child.connected) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.send({ cmd: 'close' });
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(directory, { recursive: true, force: true });
    },
  };
  return server;
}
