import { UsageError } from '@itemstore/core';

/**
 * The cutover switch (SPEC §3): an explicit input wins, else the repository variable ITEMSTORE_S3_SYNC, else on.
 * Returns whether S3 is written and a phrase saying why (for summaries).
 */
export function s3SyncSwitch(
  input: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { on: boolean; why: string } {
  const parse = (v: string, what: string): boolean => {
    const x = v.trim().toLowerCase();
    if (['on', 'true', 'yes', '1'].includes(x)) return true;
    if (['off', 'false', 'no', '0'].includes(x)) return false;
    throw new UsageError(`${what} must be on or off, got "${v}".`);
  };
  if (input && input.trim()) {
    const on = parse(input, 'The s3-sync input');
    return { on, why: `s3-sync: ${on ? 'on' : 'off'}` };
  }
  const v = env.ITEMSTORE_S3_SYNC;
  if (v && v.trim()) {
    const on = parse(v, 'ITEMSTORE_S3_SYNC');
    return { on, why: `ITEMSTORE_S3_SYNC=${on ? 'on' : 'off'}` };
  }
  return { on: true, why: 'default (ITEMSTORE_S3_SYNC not set)' };
}
