/**
 * Reading what the pipeline wrote, straight from the servers: V2 through the HTTP client, S3 through the AWS SDK
 * against s3rver. The demo checks each step with these; the end-to-end tests assert with them.
 */
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { manifestAll, type ItemStore, type ManifestEntry } from '@itemstore/v2';
import { S3RVER_KEYS } from './servers.js';

export function localS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_KEYS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Every object of a bucket: key → content. */
export async function s3Objects(client: S3Client, bucket: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      if (!o.Key) continue;
      const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }));
      out.set(o.Key, await (res.Body as { transformToString(): Promise<string> }).transformToString());
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

export interface V2Item extends ManifestEntry {
  /** `<namespace>/<name>` plus `@<branch>` for branch items: a short handle for checks and tables. */
  handle: string;
}

/** The latest version of every item in an environment, with a readable handle. */
export async function v2Items(store: ItemStore, environment: string): Promise<Map<string, V2Item>> {
  const out = new Map<string, V2Item>();
  for (const e of await manifestAll(store, environment)) {
    const handle = `${e.namespace}/${e.tags.name}${e.tags.branch ? `@${e.tags.branch}` : ''}`;
    out.set(handle, { ...e, handle });
  }
  return out;
}

/** Latest content of an item in an environment, parsed from V2's JSON. */
export async function v2Content(
  store: ItemStore,
  item: { itemId: string },
  environment: string,
): Promise<unknown> {
  const c = await store.getContents(item.itemId, environment);
  return c ? (JSON.parse(c.content) as unknown) : undefined;
}
