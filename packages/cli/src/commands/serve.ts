import { UsageError } from '@itemstore/core';

// Placeholder until this command lands; replaced by its module's owner.
export async function serveCommand(_argv: string[]): Promise<number> {
  throw new UsageError('itemstore serve is not built yet.');
}
