/** Reading S3: one listing per prefix (pages in parallel over disjoint key ranges when the keys are known), and hashing the few objects whose ETag is not an MD5. */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { UsageError, md5Hex } from '@itemstore/core';
import pLimit from 'p-limit';
import { describeLocation, type S3Location } from './location.js';
import { normalizeEtag, objectRef, type Listing, type RemoteObject } from './plan.js';

/** Keys per ListObjectsV2 page (S3's maximum): a key range split every PAGE_KEYS expected keys is one page. */
export const PAGE_KEYS = 1000;

export interface ListOptions {
  /**
   * Keys this run expects under the prefix (the configs it writes), when known: the key space is then cut every
   * PAGE_KEYS of them into disjoint ranges listed in parallel (StartAfter), which together still cover every key
   * under the prefix, so objects no config maps to are found too. May arrive later (a promise): the listing starts
   * at once from the prefix's first key and hands the rest of the key space to parallel ranges when they come.
   */
  expectedKeys?: readonly string[] | Promise<readonly string[]>;
  /** Pages in flight at once (default 1: one page after another). */
  concurrency?: number;
}

/**
 * Every object under the location's prefix. Without expectedKeys, one page after another (each needs the previous
 * one's token). With them, one walk lists from the start while the key ranges after it are listed in parallel:
 * range i is (cut[i-1], cut[i]] (StartAfter is exclusive), the first is everything up to the first cut the head
 * walk has not passed, the last everything after the last cut; a range's walk goes on with its continuation token
 * until a page ends at or beyond its upper cut, so keys the run does not expect (orphans) are listed wherever they
 * fall. Keys are compared in S3's order (UTF-8 bytes: compareKeys).
 */
export async function listLocation(
  client: S3Client,
  location: S3Location,
  options: ListOptions = {},
): Promise<Listing> {
  const objects = new Map<string, RemoteObject>();
  const limit = pLimit(Math.max(1, options.concurrency ?? 1));
  const page = (from: { token?: string; startAfter?: string }) =>
    limit(() =>
      client.send(
        new ListObjectsV2Command({
          Bucket: location.bucket,
          ...(location.prefix ? { Prefix: location.prefix } : {}),
          ...(from.token
            ? { ContinuationToken: from.token }
            : from.startAfter !== undefined
              ? { StartAfter: from.startAfter }
              : {}),
        }),
      ),
    ).catch((err: unknown) => {
      throw explainAccessError(err, location);
    });

  /** Lists the keys after `after` (all from the start when undefined) until a page reaches upTo() (or the end). */
  const walk = async (
    after: string | undefined,
    upTo: () => string | undefined,
    onPage?: (lastKey: string | undefined) => void,
  ): Promise<void> => {
    let token: string | undefined;
    for (;;) {
      const res = await page(token ? { token } : after !== undefined ? { startAfter: after } : {});
      let last: string | undefined;
      for (const o of res.Contents ?? []) {
        if (o.Key === undefined) continue;
        objects.set(o.Key, { key: o.Key, etag: normalizeEtag(o.ETag), size: o.Size ?? 0 });
        last = o.Key;
      }
      onPage?.(last);
      if (!res.IsTruncated) return;
      token = res.NextContinuationToken;
      if (!token) {
        throw new Error(
          `S3 listing of s3://${location.bucket}/${location.prefix} was truncated without a token`,
        );
      }
      const bound = upTo();
      if (bound !== undefined && last !== undefined && compareKeys(last, bound) >= 0) return;
    }
  };

  if (options.expectedKeys === undefined) {
    await walk(undefined, () => undefined);
    return { location, objects };
  }

  // The head walk: from the first key, until the first cut it has not passed once the cuts are known.
  let headLast: string | undefined;
  let headDone = false;
  let headBound: string | undefined;
  const head = walk(
    undefined,
    () => headBound,
    (last) => {
      if (last !== undefined) headLast = last;
    },
  ).finally(() => {
    headDone = true;
  });
  head.catch(() => {}); // awaited below
  const ranges = Promise.resolve(options.expectedKeys).then(async (expected) => {
    if (headDone) return;
    const cuts = cutPoints(expected, location.prefix).filter(
      (c) => headLast === undefined || compareKeys(c, headLast) > 0,
    );
    if (!cuts.length) return;
    headBound = cuts[0];
    await Promise.all(
      cuts.map((from, i) => {
        const to = cuts[i + 1];
        return walk(from, () => to);
      }),
    );
  });
  const [h, r] = await Promise.allSettled([head, ranges]);
  if (h.status === 'rejected') throw h.reason;
  if (r.status === 'rejected') throw r.reason;
  return { location, objects };
}

/** Every PAGE_KEYS-th of the expected keys under the prefix (sorted in S3's order), short of the last one. */
export function cutPoints(expected: readonly string[], prefix: string): string[] {
  const keys = [...new Set(expected.filter((k) => k.startsWith(prefix)))].sort(compareKeys);
  const cuts: string[] = [];
  for (let i = PAGE_KEYS - 1; i < keys.length - 1; i += PAGE_KEYS) cuts.push(keys[i]!);
  return cuts;
}

/**
 * S3's key order: UTF-8 bytes, which is Unicode code point order. JavaScript's `<` compares UTF-16 code units,
 * which differs only where a surrogate (a code point above U+FFFF) meets U+E000..U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys && (xs ? y >= 0xe000 : x >= 0xe000)) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** GETs and hashes objects (multipart uploads), returning MD5s keyed by objectRef(bucket, key). */
export async function hashRemoteObjects(
  client: S3Client,
  objects: readonly { location: S3Location; key: string }[],
  concurrency: number,
): Promise<Map<string, string>> {
  const limit = pLimit(concurrency);
  const out = new Map<string, string>();
  await Promise.all(
    objects.map((o) =>
      limit(async () => {
        const res = await client.send(new GetObjectCommand({ Bucket: o.location.bucket, Key: o.key }));
        const bytes = await res.Body?.transformToByteArray();
        out.set(objectRef(o.location.bucket, o.key), md5Hex(bytes ?? new Uint8Array()));
      }),
    ),
  );
  return out;
}

/** The mistakes a user can fix (wrong bucket, no credentials, no permission) as one sentence; anything else as is. */
export function explainAccessError(err: unknown, location: S3Location): unknown {
  const name = (err as { name?: string }).name ?? '';
  const where = describeLocation(location);
  const network = networkError(err);
  const server = network?.host ?? `the S3 endpoint of ${location.region}`;
  if (network?.code === 'ECONNREFUSED') {
    return new UsageError(
      `Nothing answers at ${server} (ECONNREFUSED, listing ${where}): check --endpoint (or the endpoint input) and that the S3 server is running.`,
    );
  }
  if (network?.code === 'ENOTFOUND' || network?.code === 'EAI_AGAIN') {
    return new UsageError(
      `The host name ${server} does not resolve (${network?.code}, listing ${where}): check --endpoint (or the endpoint input) and your network.`,
    );
  }
  if (network?.code === 'ETIMEDOUT' || network?.code === 'ECONNRESET' || network?.code === 'EHOSTUNREACH') {
    return new UsageError(
      `The connection to ${server} failed (${network?.code}, listing ${where}): check --endpoint (or the endpoint input) and your network.`,
    );
  }
  if (name === 'NoSuchBucket') {
    return new UsageError(
      `Bucket "${location.bucket}" does not exist (listing ${where}); check item-store.yaml or the bucket input.`,
    );
  }
  if (name === 'CredentialsProviderError' || name === 'ProviderError') {
    return new UsageError(
      `No AWS credentials were found for ${where}; configure them (e.g. aws-actions/configure-aws-credentials with OIDC) before this step.`,
    );
  }
  if (
    name === 'AccessDenied' ||
    name === 'InvalidAccessKeyId' ||
    name === 'SignatureDoesNotMatch' ||
    name === 'Forbidden'
  ) {
    return new UsageError(
      `S3 refused to list ${where} (${name}); the credentials need s3:ListBucket on the bucket and s3:GetObject, s3:PutObject, s3:DeleteObject under the prefix.`,
    );
  }
  return err;
}

/** The Node network error (ECONNREFUSED, ENOTFOUND, …) behind an SDK failure, with the host it was for. */
function networkError(err: unknown): { code: string; host?: string } | undefined {
  type NodeError = { code?: unknown; cause?: unknown; address?: unknown; port?: unknown; hostname?: unknown };
  for (let e = err as NodeError | undefined, depth = 0; e && depth < 3; depth++) {
    if (typeof e.code === 'string' && /^E[A-Z_]+$/.test(e.code)) {
      const host =
        typeof e.hostname === 'string'
          ? e.hostname
          : typeof e.address === 'string'
            ? `${e.address}${typeof e.port === 'number' ? `:${e.port}` : ''}`
            : undefined;
      return { code: e.code, ...(host ? { host } : {}) };
    }
    e = e.cause as NodeError | undefined;
  }
  // The SDK's retry layer may keep only the text ("AWS SDK error wrapper for Error: connect ECONNREFUSED 1.2.3.4:9").
  const m = /\b(E[A-Z]+) (\S+)$/.exec(err instanceof Error ? err.message : '');
  return m ? { code: m[1]!, host: m[2]! } : undefined;
}
