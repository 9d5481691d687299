import { UsageError } from '@itemstore/core';

// Placeholder until this command lands; replaced by its module's owner.
export async function deployCommand(_argv: string[]): Promise<number> {
  throw new UsageError('itemstore deploy is not built yet.');
}
