import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '@itemstore/core';

type Options = NonNullable<ParseArgsConfig['options']>;

/** A command's flags (no positionals), or a UsageError that points at its --help. */
export function parseCommandArgs<O extends Options>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, strict: true as const, allowPositionals: false as const });
  } catch (err) {
    throw new UsageError(`${(err as Error).message} (see itemstore ${command} --help).`);
  }
}

/** A whole-number flag within bounds, or a UsageError that names the flag. */
export function integerFlag(
  flag: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got "${value}".`);
  }
  return n;
}
