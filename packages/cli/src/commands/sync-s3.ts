import { UsageError } from '@itemstore/core';

// Placeholder until this command lands; replaced by its module's owner.
export async function syncS3Command(_argv: string[]): Promise<number> {
  throw new UsageError('itemstore sync-s3 is not built yet.');
}
