/**
 * YAML 1.1 versus YAML 1.2: the plain scalars the two read differently.
 *
 * Legacy readers of S3 (PyYAML, SnakeYAML, Ruby's Psych) implement YAML 1.1, where `yes`, `on`, `0755`, `1:30`,
 * `1_000` and `2001-12-14` are a boolean, an octal number, a sexagesimal number, a number with separators and a
 * date. This suite reads YAML 1.2 with the core schema, where the first two are strings and `0755` is 755. A plain
 * scalar that the two read differently changes meaning when a config moves between the stores.
 *
 * Both readings come from the `yaml` library's own type definitions (its `yaml-1.1` and `core` schemas: the first
 * default tag whose `test` matches resolves the scalar, as its composer does), so this table cannot drift from the
 * parser. PyYAML, the legacy readers named in the cutover notes, follows the 1.1 regular expressions more strictly
 * in three places (`y`/`n` are strings to it, an exponent needs a dot and a signed exponent, `08` and `0:30` are
 * strings); those are listed as `pyyaml` readings so the checks cover them too.
 */
import { Schema, isScalar, type Scalar } from 'yaml';

export type YamlType = 'str' | 'bool' | 'int' | 'float' | 'null' | 'timestamp';

/** A JSON scalar; a bigint is an integer beyond ±(2^53−1), which the JSON checks report. */
export type StoredValue = string | number | bigint | boolean | null;

export interface ScalarReading {
  type: YamlType;
  value: string | number | bigint | boolean | null | Date;
}

/** A plain scalar that YAML 1.1 readers and YAML 1.2 (this suite, V2) read differently. */
export interface Yaml11Difference {
  /** The plain scalar as written. */
  text: string;
  /** The YAML 1.1 type definitions (the `yaml` library's yaml-1.1 schema). */
  yaml11: ScalarReading;
  /** PyYAML's reading, when it differs from `yaml11`. */
  pyyaml?: ScalarReading;
  /** YAML 1.2 core (what this suite and V2 read). */
  yaml12: ScalarReading;
  /** The JSON value migration stores for a legacy object (the YAML 1.1 reading; a timestamp keeps its text). */
  stored: StoredValue;
  /** What the scalar is rewritten to in a repo file so YAML 1.2 and 1.1 readers get `stored`. */
  rewrite: string;
}

interface TagDef {
  default?: boolean | 'key';
  tag: string;
  test?: RegExp;
  resolve: (str: string, onError: (msg: string) => void, options: { intAsBigInt: boolean }) => unknown;
}

function defaultTags(schema: 'yaml-1.1' | 'core'): TagDef[] {
  return (new Schema({ schema }).tags as unknown as TagDef[]).filter((t) => t.default === true && t.test);
}

// Built on first use, not when the module loads: a run that reads every YAML file by the fast path (fast-yaml.ts)
// never loads the `yaml` library (the bundle loads it on first use, scripts/build.mjs).
let tags11: TagDef[] | undefined;
let tags12: TagDef[] | undefined;

function typeOfTag(tag: string): YamlType {
  const short = tag.replace('tag:yaml.org,2002:', '');
  return (['bool', 'int', 'float', 'null', 'timestamp'] as const).find((t) => t === short) ?? 'str';
}

function readWith(tags: readonly TagDef[], text: string): ScalarReading {
  const tag = tags.find((t) => t.test!.test(text));
  if (!tag) return { type: 'str', value: text };
  let value: unknown;
  try {
    value = tag.resolve(text, () => undefined, { intAsBigInt: true });
  } catch {
    // `0_` and `0b_` have no digits: BigInt refuses them, parseInt gives NaN (reported as not finite).
    value = tag.resolve(text, () => undefined, { intAsBigInt: false });
  }
  if (isScalar(value)) value = (value as Scalar).value;
  if (
    typeof value === 'bigint' &&
    value <= BigInt(Number.MAX_SAFE_INTEGER) &&
    value >= -BigInt(Number.MAX_SAFE_INTEGER)
  ) {
    value = Number(value);
  }
  const type = typeOfTag(tag.tag);
  // The library's 1.1 float pattern also matches `.`, `-.` and `._` (parseFloat gives NaN); every 1.1 reader in
  // use, PyYAML included, reads them as strings.
  if (type === 'float' && Number.isNaN(value) && !/nan$/i.test(text)) return { type: 'str', value: text };
  return { type, value: value as ScalarReading['value'] };
}

/** How a YAML 1.1 reader (the `yaml` library's yaml-1.1 schema) reads a plain scalar. */
export function readPlain11(text: string): ScalarReading {
  return readWith((tags11 ??= defaultTags('yaml-1.1')), text);
}

/** How YAML 1.2 core (this suite) reads a plain scalar. */
export function readPlain12(text: string): ScalarReading {
  return readWith((tags12 ??= defaultTags('core')), text);
}

/** PyYAML's implicit resolvers (yaml/resolver.py), for the type only. */
const PYYAML: [YamlType, RegExp][] = [
  ['bool', /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/],
  [
    'float',
    /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  ],
  [
    'int',
    /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  ],
  ['null', /^(?:~|null|Null|NULL|)$/],
  [
    'timestamp',
    /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  ],
];

function pyyamlType(text: string): YamlType {
  return PYYAML.find(([, re]) => re.test(text))?.[0] ?? 'str';
}

const NUMERIC = new Set<YamlType>(['int', 'float']);

/** The same value: numbers by value (an int 1 and a float 1.0 are one JSON number), the rest by type and value. */
export function sameReading(a: ScalarReading, b: ScalarReading): boolean {
  if (NUMERIC.has(a.type) && NUMERIC.has(b.type)) {
    const x = Number(a.value);
    const y = Number(b.value);
    return x === y || (Number.isNaN(x) && Number.isNaN(y));
  }
  if (a.type !== b.type) return false;
  if (a.value instanceof Date && b.value instanceof Date) return a.value.getTime() === b.value.getTime();
  return a.value === b.value;
}

/**
 * Cheap first test: every scalar YAML 1.1 reads as something other than a string starts with a digit, a sign or a
 * dot, or is one of the bool words (`true`/`false`/`null` forms read the same in both). Everything else is a
 * string to both.
 */
const CANDIDATE = /^(?:[-+.0-9]|(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$)/;

/**
 * The commonest numbers, which every reader reads alike: a decimal integer of at most 15 digits without a leading
 * zero, a short decimal fraction (the test checks them against the library's 1.1 and 1.2 readings). Answered here
 * so that such numbers do not load the `yaml` library for its 1.1 schema (scripts/build.mjs loads it on first use).
 */
const PLAIN_NUMBER = /^-?(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,8})?$/;

const cache = new Map<string, Yaml11Difference | null>();

/** The difference for one plain scalar, or undefined when YAML 1.1 (and PyYAML) and YAML 1.2 read it the same. */
export function yaml11Difference(text: string): Yaml11Difference | undefined {
  if (!CANDIDATE.test(text) || text.includes('\n') || PLAIN_NUMBER.test(text)) return undefined;
  const hit = cache.get(text);
  if (hit !== undefined) return hit ?? undefined;
  const result = computeDifference(text);
  if (cache.size > 10_000) cache.clear();
  cache.set(text, result ?? null);
  return result;
}

export function computeDifference(text: string): Yaml11Difference | undefined {
  const yaml11 = readPlain11(text);
  const yaml12 = readPlain12(text);
  const pyType = pyyamlType(text);
  const pyyaml: ScalarReading | undefined =
    pyType === 'str' && yaml11.type !== 'str' ? { type: 'str', value: text } : undefined;
  if (sameReading(yaml11, yaml12) && (!pyyaml || sameReading(pyyaml, yaml12))) return undefined;
  const stored = storedValue(yaml11, text);
  return { text, yaml11, ...(pyyaml ? { pyyaml } : {}), yaml12, stored, rewrite: plainFor(stored) };
}

/** The JSON value of a YAML 1.1 reading: a timestamp keeps the text as written (JSON has no dates). */
function storedValue(r: ScalarReading, text: string): StoredValue {
  if (r.type === 'timestamp' || r.value instanceof Date) return text;
  return r.value;
}

/** A stored scalar as a JSON key (`true` → "true", 493 → "493"), as JSON writers of YAML 1.1 readers do. */
export function storedKey(value: StoredValue): string {
  return typeof value === 'string' ? value : String(value);
}

/**
 * A scalar that every reader (YAML 1.1, PyYAML, YAML 1.2 core) reads as `value`: strings double-quoted (JSON
 * escapes are YAML double-quoted escapes), numbers in JSON's form with a dot before any exponent.
 */
export function plainFor(value: StoredValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return String(value);
  if (typeof value === 'number') {
    const s = JSON.stringify(value);
    return /e/.test(s) && !s.includes('.') ? s.replace('e', '.0e') : s;
  }
  return JSON.stringify(value);
}

/** `true`, `null`, `the number 493`, `the string "yes"`, `the date 2001-12-14`. */
export function describeReading(r: ScalarReading, text: string): string {
  switch (r.type) {
    case 'bool':
    case 'null':
      return String(r.value);
    case 'int':
    case 'float':
      return `the number ${typeof r.value === 'number' ? formatNumber(r.value) : String(r.value)}`;
    case 'timestamp':
      return `the ${/^\d{4}-\d\d?-\d\d?$/.test(text) ? 'date' : 'timestamp'} ${text}`;
    default:
      return `the string ${JSON.stringify(String(r.value))}`;
  }
}

function formatNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : Number.isNaN(n) ? '.nan' : n > 0 ? '.inf' : '-.inf';
}

/** The unambiguous ways to write what the author may have meant, for messages: `write true or quote it`. */
function fixHint(d: Yaml11Difference): string {
  const forms: string[] = [];
  for (const r of [d.yaml11, d.pyyaml, d.yaml12]) {
    if (!r || r.type === 'str' || r.type === 'timestamp' || typeof r.value === 'bigint') continue;
    if (typeof r.value === 'number' && !Number.isFinite(r.value)) continue;
    const form = plainFor(r.value as StoredValue);
    if (!forms.includes(form) && !yaml11Difference(form)) forms.push(form);
  }
  if (!forms.length) return 'quote it';
  return forms.length === 1 ? `write ${forms[0]} or quote it` : `write ${forms.join(' or ')}, or quote it`;
}

function readers11(d: Yaml11Difference, where: string): string {
  const base = `${describeReading(d.yaml11, d.text)} to YAML 1.1 readers${where}`;
  return d.pyyaml ? `${base} (${describeReading(d.pyyaml, d.text)} to PyYAML)` : base;
}

/**
 * The message for a repo config: `s3` when S3 gets the file's bytes (legacy readers read this very text, so the
 * two stores would disagree: an error), else a warning that the meaning may not be what the author expects.
 */
export function yaml11Message(d: Yaml11Difference, s3: boolean): string {
  const v12 = describeReading(d.yaml12, d.text);
  return s3
    ? `${JSON.stringify(d.text)} is ${readers11(d, ' of S3')} and ${v12} to V2: ${fixHint(d)}`
    : `${JSON.stringify(d.text)} is ${v12} to V2 but ${readers11(d, '')}: ${fixHint(d)} to make the meaning plain`;
}

/** One ambiguous scalar found in a file. */
export interface Yaml11Finding extends Yaml11Difference {
  line: number;
  column: number;
  /** Offsets of the scalar in the text (for rewriting). */
  start: number;
  end: number;
  key: boolean;
}

/**
 * How the YAML walker treats plain scalars: `read: true` gives the YAML 1.1 reading (legacy objects, as their
 * readers saw them); `onFinding` hears of every plain scalar the two versions read differently.
 */
export interface Yaml11Mode {
  read?: boolean;
  onFinding?: (finding: Yaml11Finding) => void;
}
