/** Reading S3: one paginated listing per prefix, and hashing the few objects whose ETag is not an MD5. */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { UsageError, md5Hex } from '@itemstore/core';
import pLimit from 'p-limit';
import { describeLocation, type S3Location } from './location.js';
import { normalizeEtag, objectRef, type Listing, type RemoteObject } from './plan.js';

export async function listLocation(client: S3Client, location: S3Location): Promise<Listing> {
  const objects = new Map<string, RemoteObject>();
  let token: string | undefined;
  do {
    const page = await client
      .send(
        new ListObjectsV2Command({
          Bucket: location.bucket,
          ...(location.prefix ? { Prefix: location.prefix } : {}),
          ...(token ? { ContinuationToken: token } : {}),
        }),
      )
      .catch((err: unknown) => {
        throw explainAccessError(err, location);
      });
    for (const o of page.Contents ?? []) {
      if (o.Key === undefined) continue;
      objects.set(o.Key, { key: o.Key, etag: normalizeEtag(o.ETag), size: o.Size ?? 0 });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
    if (page.IsTruncated && !token) {
      throw new Error(
        `S3 listing of s3://${location.bucket}/${location.prefix} was truncated without a token`,
      );
    }
  } while (token);
  return { location, objects };
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
