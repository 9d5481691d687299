import { UsageError } from '@itemstore/core';

// Placeholder until this command lands; replaced by its module's owner.
export async function convertCommand(_argv: string[]): Promise<number> {
  throw new UsageError('itemstore convert is not built yet.');
}
