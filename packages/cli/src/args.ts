import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '@itemstore/core';
import { stdout } from './io.js';

type Options = NonNullable<ParseArgsConfig['options']>;
const HELP_FLAG = { help: { type: 'boolean', short: 'h' } } as const;

/** A command's flags (no positionals), or a UsageError that points at its --help (and at the flag meant). */
export function parseCommandArgs<O extends Options, P extends boolean = false>(
  command: string,
  argv: string[],
  options: O,
  allowPositionals: P = false as P,
) {
  try {
    return parseArgs({ args: argv, options, strict: true as const, allowPositionals });
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
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got "${value}".`);
  }
  return n;
}

type Kind = 'string' | 'boolean' | 'strings';
type OptionOf<K extends Kind> = K extends 'boolean'
  ? { type: 'boolean' }
  : K extends 'strings'
    ? { type: 'string'; multiple: true }
    : { type: 'string' };
export type Flags<S extends Record<string, Kind>> = { [F in keyof S]: OptionOf<S[F]> };

/**
 * The one way a command declares its flags: `flags({ repo: 'string', json: 'boolean', paths: 'strings' })`
 * (`strings` = repeatable). The sets below are the flags several commands share, each spelled once.
 */
export function flags<const S extends Record<string, Kind>>(spec: S): Flags<S> {
  return Object.fromEntries(
    Object.entries(spec).map(([name, kind]) => [
      name,
      kind === 'strings' ? { type: 'string', multiple: true } : { type: kind },
    ]),
  ) as Flags<S>;
}

/** Item Store V2: --url URL --token T (or ITEMSTORE_URL / ITEMSTORE_TOKEN). */
export const V2_FLAGS = flags({ url: 'string', token: 'string' });
/** An S3-compatible endpoint and the item-store.yaml overrides: --endpoint --bucket --prefix --region. */
export const S3_FLAGS = flags({ endpoint: 'string', bucket: 'string', prefix: 'string', region: 'string' });
/** The report a command prints: --report FILE, --summary, --json. */
export const OUTPUT_FLAGS = flags({ report: 'string', summary: 'boolean', json: 'boolean' });
/** Which commits to compare: --base --head --branch --default-branch. */
export const RANGE_FLAGS = flags({
  base: 'string',
  head: 'string',
  branch: 'string',
  'default-branch': 'string',
});

/**
 * A command's flags, with --help/-h added: the values, or undefined when the help was printed (the command then
 * returns 0).
 */
export function parseCommand<O extends Options>(
  command: string,
  help: string,
  argv: string[],
  options: O,
  out: (text: string) => void = stdout,
) {
  const parsed = parseWithHelp(command, help, argv, options, false, out);
  return parsed?.values;
}

/** parseCommand for a command that takes positional arguments: {values, positionals}, or undefined after --help. */
export function parseCommandWithPositionals<O extends Options>(
  command: string,
  help: string,
  argv: string[],
  options: O,
  out: (text: string) => void = stdout,
) {
  return parseWithHelp(command, help, argv, options, true, out);
}

function parseWithHelp<O extends Options, P extends boolean>(
  command: string,
  help: string,
  argv: string[],
  options: O,
  allowPositionals: P,
  out: (text: string) => void,
) {
  const parsed = parseCommandArgs(command, argv, { ...options, ...HELP_FLAG }, allowPositionals);
  if ((parsed.values as { help?: boolean }).help) {
    out(help);
    return undefined;
  }
  return parsed;
}

/** The URL and token of Item Store V2 from the flags or the environment, or a UsageError naming what is missing. */
export function v2Connection(
  values: { url?: string | undefined; token?: string | undefined },
  tokenNote = '',
): { url: string; token: string } {
  const url = values.url ?? process.env.ITEMSTORE_URL;
  const token = values.token ?? process.env.ITEMSTORE_TOKEN;
  if (!url) throw new UsageError('--url URL (or ITEMSTORE_URL) is required: where Item Store V2 is.');
  if (!token) throw new UsageError(`--token T (or ITEMSTORE_TOKEN) is required${tokenNote}.`);
  return { url, token };
}

/** --bucket, --prefix and --region as the overrides of item-store.yaml's S3 location (an empty prefix counts). */
export function s3Overrides(values: {
  bucket?: string | undefined;
  prefix?: string | undefined;
  region?: string | undefined;
}): { bucket?: string; prefix?: string; region?: string } {
  return {
    ...(values.bucket ? { bucket: values.bucket } : {}),
    ...(values.prefix !== undefined ? { prefix: values.prefix } : {}),
    ...(values.region ? { region: values.region } : {}),
  };
}

/** --endpoint for an S3 client or reader, when given. */
export function endpointOf(values: { endpoint?: string | undefined }): { endpoint?: string } {
  return values.endpoint ? { endpoint: values.endpoint } : {};
}

/** --deletions apply|skip, or undefined when not given. */
export function deletionsFlag(value: string | undefined): 'apply' | 'skip' | undefined {
  if (value !== undefined && value !== 'apply' && value !== 'skip') {
    throw new UsageError(`--deletions must be apply or skip, got "${value}".`);
  }
  return value;
}

/** A repeatable, comma-separated flag (--paths a,b --paths c) as its items. */
export function listFlag(values: readonly string[] | string | undefined): string[] {
  return (typeof values === 'string' ? [values] : (values ?? []))
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/**
 * A report as the output flags ask: written to --report FILE, then on stdout as --json, the --summary Markdown,
 * or its lines.
 */
export async function printReport(
  values: { report?: string | undefined; json?: boolean | undefined; summary?: boolean | undefined },
  report: unknown,
  text: { summary?: () => { toMarkdown(): string }; lines: () => Iterable<string> },
): Promise<void> {
  await writeReportFile(values.report, report);
  if (values.json) stdout(JSON.stringify(report, null, 2));
  else if (values.summary && text.summary) stdout(text.summary().toMarkdown());
  else for (const line of text.lines()) stdout(line);
}

/** The JSON report in FILE, when a file is given. */
export async function writeReportFile(file: string | undefined, report: unknown): Promise<void> {
  if (file) await writeFile(resolve(file), JSON.stringify(report, null, 2) + '\n');
}
