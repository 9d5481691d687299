/**
 * The S3 side of a comparison, behind one small interface: the real S3 (listings from @itemstore/s3, GetObject for
 * the few objects whose content must be read) or a local mirror folder (what `aws s3 sync s3://bucket/prefix DIR`
 * leaves), so a migration can read thousands of objects without a network round trip each.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { UsageError, md5Hex } from '@itemstore/core';
import {
  createS3Client,
  hashRemoteObjects,
  isMultipartEtag,
  listLocation,
  objectRef,
  type Listing,
  type RemoteObject,
  type S3ClientOptions,
} from '@itemstore/s3';
import { objectKey, type S3Location } from '@itemstore/config';

export interface ObjectReader {
  /** A label for messages: `S3` or `mirror /path`. */
  readonly label: string;
  /** Every object under the location's prefix (one paginated listing). */
  list(location: S3Location): Promise<Listing>;
  /** An object's bytes, or undefined when it does not exist. */
  get(location: S3Location, key: string): Promise<Buffer | undefined>;
  /** MD5 of the stored bytes of objects whose ETag is not an MD5 (multipart uploads), keyed by objectRef. */
  hash(objects: readonly { location: S3Location; key: string }[]): Promise<Map<string, string>>;
  /** API calls made so far (listing pages and GETs; a mirror makes none). */
  readonly requests: number;
}

export interface S3ReaderOptions {
  endpoint?: string;
  credentials?: S3ClientOptions['credentials'];
  maxAttempts?: number;
  concurrency?: number;
  /** Callers with their own clients (tests). */
  clientFor?: (region: string) => S3Client;
}

/** S3 (or an S3-compatible endpoint) as an ObjectReader; `clientFor` is shared with writers; `close()` ends it. */
export class S3Reader implements ObjectReader {
  readonly label = 'S3';
  requests = 0;
  private readonly clients = new Map<string, S3Client>();
  private readonly concurrency: number;

  constructor(private readonly options: S3ReaderOptions = {}) {
    this.concurrency = options.concurrency ?? 16;
  }

  clientFor = (region: string): S3Client => {
    let c = this.clients.get(region);
    if (!c) {
      c =
        this.options.clientFor?.(region) ??
        createS3Client({
          region,
          ...(this.options.endpoint ? { endpoint: this.options.endpoint } : {}),
          ...(this.options.credentials ? { credentials: this.options.credentials } : {}),
          ...(this.options.maxAttempts ? { maxAttempts: this.options.maxAttempts } : {}),
          maxSockets: this.concurrency,
        });
      // Count API calls (one per operation, retries not included) for reports and benchmarks.
      c.middlewareStack.add(
        (next) => async (args) => {
          this.requests++;
          return next(args);
        },
        { step: 'initialize', name: `itemstoreOpsCounter` },
      );
      this.clients.set(region, c);
    }
    return c;
  };

  list(location: S3Location): Promise<Listing> {
    return listLocation(this.clientFor(location.region), location);
  }

  async get(location: S3Location, key: string): Promise<Buffer | undefined> {
    try {
      const res = await this.clientFor(location.region).send(
        new GetObjectCommand({ Bucket: location.bucket, Key: key }),
      );
      return Buffer.from((await res.Body?.transformToByteArray()) ?? new Uint8Array());
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw err;
    }
  }

  async hash(objects: readonly { location: S3Location; key: string }[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const region of new Set(objects.map((o) => o.location.region))) {
      const some = objects.filter((o) => o.location.region === region);
      for (const [k, v] of await hashRemoteObjects(this.clientFor(region), some, this.concurrency))
        out.set(k, v);
    }
    return out;
  }

  close(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }
}

/**
 * A local mirror of one S3 prefix as an ObjectReader: the folder's files are the objects below `location.prefix`
 * (`DIR/data-router/orders.yaml` is `<prefix>data-router/orders.yaml`). ETags are the files' MD5s.
 */
export class MirrorReader implements ObjectReader {
  readonly label: string;
  readonly requests = 0;
  readonly root: string;

  constructor(dir: string) {
    this.root = resolve(dir);
    this.label = `mirror ${this.root}`;
  }

  async list(location: S3Location): Promise<Listing> {
    const objects = new Map<string, RemoteObject>();
    try {
      if (!(await stat(this.root)).isDirectory()) throw new Error('not a folder');
    } catch {
      throw new UsageError(`The mirror folder ${this.root} does not exist or is not a folder.`);
    }
    const walk = async (dir: string, rel: string): Promise<void> => {
      for (const e of await readdir(dir, { withFileTypes: true })) {
        const path = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) await walk(join(dir, e.name), path);
        else if (e.isFile()) {
          const bytes = await readFile(join(dir, e.name));
          const key = objectKey(location, path);
          objects.set(key, { key, etag: md5Hex(bytes), size: bytes.length });
        }
      }
    };
    await walk(this.root, '');
    return { location, objects };
  }

  async get(location: S3Location, key: string): Promise<Buffer | undefined> {
    if (!key.startsWith(location.prefix)) return undefined;
    const rel = key.slice(location.prefix.length);
    if (rel.split('/').some((s) => s === '..' || s === '.' || s === '')) return undefined;
    try {
      return await readFile(join(this.root, ...rel.split('/')));
    } catch {
      return undefined;
    }
  }

  async hash(): Promise<Map<string, string>> {
    return new Map(); // a mirror's ETags are MD5s already
  }
}

/** The MD5 of a listed object's bytes: its ETag, or the hash fetched for a multipart upload. */
export function objectMd5(
  location: S3Location,
  object: RemoteObject,
  hashed: ReadonlyMap<string, string>,
): string | undefined {
  if (!isMultipartEtag(object.etag)) return object.etag;
  return hashed.get(objectRef(location.bucket, object.key));
}
