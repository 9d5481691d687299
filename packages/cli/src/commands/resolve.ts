import { UsageError } from '@itemstore/core';

// Placeholder until this command lands; replaced by its module's owner.
export async function resolveCommand(_argv: string[]): Promise<number> {
  throw new UsageError('itemstore resolve is not built yet.');
}
