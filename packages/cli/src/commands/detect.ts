import { UsageError } from '@itemstore/core';

// Placeholder until this command lands; replaced by its module's owner.
export async function detectCommand(_argv: string[]): Promise<number> {
  throw new UsageError('itemstore detect is not built yet.');
}
