import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '@itemstore/core';

type Options = NonNullable<ParseArgsConfig['options']>;

/** A command's flags (no positionals), or a UsageError that points at its --help (and at the flag meant). */
export function parseCommandArgs<O extends Options>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, strict: true as const, allowPositionals: false as const });
  } catch (err) {
    const message = (err as Error).message.replace(/\.?$/, '.');
    throw new UsageError(`${message}${flagHint(err, options)} (see itemstore ${command} --help).`);
  }
}

/** " Did you mean --json?" for an unknown option close to a known one, else ''. */
export function flagHint(err: unknown, options: Options): string {
  if ((err as { code?: unknown }).code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return '';
  const given = /'(-{1,2}[^']+)'/
    .exec((err as Error).message)?.[1]
    ?.replace(/^-+/, '')
    .replace(/=.*$/, '');
  if (!given) return '';
  const match = closest(given, Object.keys(options));
  return match ? ` Did you mean --${match}?` : '';
}

/**
 * The candidate nearest to `word` by edit distance (insertions, deletions, substitutions and swaps of neighbours),
 * when it is close enough to be a typo: at most 2 edits, and fewer than half the word. Written here (a dozen lines)
 * rather than taken from a package: the CLI bundle stays free of a dependency for one loop.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.min(2, Math.ceil(word.length / 2)) && bestDistance > 0 ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
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
