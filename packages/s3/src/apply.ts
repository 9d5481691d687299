/**
 * Applying a sync plan: uploads first (a renamed config is never missing in between), then deletions; a deletion
 * that waits for uploads (a rename's new key) is skipped, and the object kept, when one of them failed.
 */
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { md5Base64, type Logger } from '@itemstore/core';
import pLimit from 'p-limit';
import { copyWithout, objectRef, type PlanItem, type SyncPlan } from './plan.js';

export type ItemStatus = 'done' | 'failed' | 'planned' | 'none' | 'kept';

export interface AppliedItem extends Omit<PlanItem, 'body'> {
  /**
   * `done`: written/deleted; `failed`: see error; `planned`: dry-run; `none`: nothing to do; `kept`: a delete not
   * sent because an upload it waits for failed (the object stays).
   */
  status: ItemStatus;
  error?: string;
}

export interface ApplyOptions {
  /** Requests in flight at once. */
  concurrency: number;
  logger: Logger;
  /** Called after each write or deletion, for progress lines. */
  onProgress?: (done: number, total: number) => void;
}

export interface ApplyResult {
  items: AppliedItem[];
  failed: number;
}

/** One client per region (the plan may span tenants in several). */
export type ClientFor = (region: string) => S3Client;

export async function applySyncPlan(
  clientFor: ClientFor,
  plan: SyncPlan,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const limit = pLimit(options.concurrency);
  const results = new Map<PlanItem, AppliedItem>();
  const writes = plan.items.filter((i) => i.action === 'upload' || i.action === 'delete');
  let done = 0;
  const run = (item: PlanItem, send: () => Promise<unknown>): Promise<void> =>
    limit(async () => {
      try {
        await send();
        results.set(item, applied(item, 'done'));
      } catch (err) {
        const message = describeError(err);
        options.logger.error(`S3 ${item.action} of s3://${item.bucket}/${item.key} failed: ${message}`);
        results.set(item, applied(item, 'failed', { error: message }));
      }
      options.onProgress?.(++done, writes.length);
    });

  await Promise.all(
    plan.items
      .filter((i) => i.action === 'upload')
      .map((item) =>
        run(item, () =>
          clientFor(item.region).send(
            new PutObjectCommand({
              Bucket: item.bucket,
              Key: item.key,
              Body: item.body,
              // S3 rejects the upload unless the bytes it received have this MD5.
              ContentMD5: md5Base64(item.body ?? Buffer.alloc(0)),
              ContentType: item.contentType,
              ContentLength: item.body?.length ?? 0,
            }),
          ),
        ),
      ),
  );
  const failedUploads = new Set(
    [...results.values()].filter((r) => r.status === 'failed').map((r) => objectRef(r.bucket, r.key)),
  );
  const deletes = plan.items.filter((i) => i.action === 'delete');
  for (const item of deletes) {
    const blocker = item.waitsFor?.find((w) => failedUploads.has(objectRef(w.bucket, w.key)));
    if (!blocker) continue;
    const reason = `kept: ${item.reason}, but s3://${blocker.bucket}/${blocker.key} was not uploaded`;
    options.logger.warning(`S3 delete of s3://${item.bucket}/${item.key} not sent: ${reason}`);
    results.set(item, applied(item, 'kept', { reason }));
    options.onProgress?.(++done, writes.length);
  }
  await Promise.all(
    deletes
      .filter((i) => !results.has(i))
      .map((item) =>
        run(item, () =>
          clientFor(item.region).send(new DeleteObjectCommand({ Bucket: item.bucket, Key: item.key })),
        ),
      ),
  );

  const items = plan.items.map((i) => results.get(i) ?? applied(i, 'none'));
  return { items, failed: items.filter((i) => i.status === 'failed').length };
}

/** The plan as a dry-run result: nothing sent. */
export function dryRunResult(plan: SyncPlan): ApplyResult {
  return {
    items: plan.items.map((i) =>
      applied(i, i.action === 'upload' || i.action === 'delete' ? 'planned' : 'none'),
    ),
    failed: 0,
  };
}

/** The item without its body, with its status (and an error, or a new reason), keys in the item's order. */
function applied(
  item: PlanItem,
  status: ItemStatus,
  extra?: { error: string } | { reason: string },
): AppliedItem {
  const out = copyWithout(item, 'body') as AppliedItem;
  out.status = status;
  return extra ? Object.assign(out, extra) : out;
}

/** The service's code and message (never request headers, which carry the signature). */
export function describeError(err: unknown): string {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  return `${e.name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}: ${e.message ?? String(err)}`;
}
