/**
 * The fast path of a YAML config: js-yaml builds the value (about 18 times faster than the `yaml` library's
 * Document with its node ranges), and the rules of yaml-json.ts are applied to that value. It answers only when it
 * is sure the exact path (`yaml` parseDocument + the node walk of yaml-json.ts) would return the same value with the
 * same key order; anything unusual returns undefined and the exact path runs, which finds and locates every problem.
 * So every error, every YAML 1.1 finding and every limit error still comes from one place, with its line and column.
 *
 * How each difference between the two parsers is ruled out (README "Why two YAML parsers"):
 * - Plain scalars are typed by one implicit js-yaml type of ours that mirrors the `yaml` library's core schema
 *   (YAML 1.2 core even under `%YAML 1.1`): the common forms (`12`, `-3`, `0.25`, `true`, `null`) by a
 *   one-line check each, every other candidate by the library's own tag definitions (readPlain12). js-yaml's own
 *   types (`1_000`, `0b1`, `.Inf` forms, timestamps, `!!binary`...) are not in the schema at all.
 * - A typed plain scalar whose text is not what String(value) gives (`1.10`, `~`, `True`, `0x1F`) becomes a box
 *   holding both: as a value it is unboxed, as a key (where the exact path keeps the text as written and the `yaml`
 *   library compares keys by value: `~:` and `null:` are the same key) it bails.
 * - `<<` is not a merge key to js-yaml here: it is stored as an ordinary key (a NUL-prefixed name no real key can
 *   have, since a NUL byte never gets this far) and merged by the walk below with the exact path's precedence.
 * - Explicit tags bail (js-yaml throws on every tag our schema does not know, and `!` is caught by the listener);
 *   so do complex, multi-line and over-long implicit keys, empty keys, explicit `?` keys, tabs, directives, document
 *   markers past the first line, non-ASCII line breaks, integer-like keys (a JS object lists "200" first, so the
 *   source order would be lost), integers beyond ±(2^53−1), non-finite numbers, half surrogate pairs, a null or
 *   empty document, and, when the caller listens for YAML 1.1 findings, any plain scalar YAML 1.1 reads differently.
 * - Aliases are shared objects in js-yaml's value; the walk copies them and charges exactly what the exact walker
 *   charges (node budget, content size, depth), rounding every unknown up, and bails where the exact path could stop.
 */
import jsyaml from 'js-yaml';
import { LIMITS } from '@itemstore/core';
import { DEFAULT_MAX_ALIAS_NODES, DEFAULT_MAX_DEPTH } from './codes.js';
import { isIndexKey } from './json-value.js';
import { readPlain12, yaml11Difference } from './yaml11.js';
import type { YamlLimits } from './yaml-json.js';

/** Thrown inside js-yaml (and by the walk) to give the document to the exact path. */
const BAIL: unique symbol = Symbol('bail');

/** A typed plain scalar whose text is not String(value): `1.10`, `~`, `True`, `0x1F`, `-0`, `1e3`. */
class Typed {
  constructor(
    readonly text: string,
    readonly value: unknown,
  ) {}
  get [Symbol.toStringTag](): string {
    return 'Typed';
  }
  /** js-yaml calls String(key) on a key: such a key bails (see the top of this file). */
  toString(): string {
    throw BAIL;
  }
}

/** The merge key `<<`, written plain. */
const MERGE_KEY = '\u0000<<';
class MergeKey {
  get [Symbol.toStringTag](): string {
    return 'MergeKey';
  }
  toString(): string {
    return MERGE_KEY;
  }
}
const MERGE = new MergeKey();

/** Set around one load: the caller listens for YAML 1.1 findings (which only the exact path reports). */
let watch11 = false;
/** The value `resolvePlain` found, handed to `constructPlain` (js-yaml calls the two back to back). */
let resolved: unknown;

const SAFE_INT = /^(?:0|-?[1-9][0-9]{0,14})$/;
const SHORT_FLOAT = /^-?(?:0|[1-9][0-9]{0,7})\.[0-9]{1,8}$/;

/**
 * Does the `yaml` library's core schema type this plain scalar (or is it `<<`)? The first character rules out
 * almost every string: every core null/bool/int/float starts with a digit, a sign, a dot, `~`, n/N, t/T or f/F.
 */
function resolvePlain(data: string): boolean {
  if (watch11 && yaml11Difference(data)) throw BAIL;
  const c = data.charCodeAt(0);
  if (c >= 0x30 && c <= 0x39) {
    if (SAFE_INT.test(data)) {
      resolved = Number(data);
      return true;
    }
    if (SHORT_FLOAT.test(data)) return typed(data, parseFloat(data));
    return fromLibrary(data);
  }
  switch (c) {
    case 0x2d: // -
      if (SAFE_INT.test(data)) {
        resolved = Number(data);
        return true;
      }
      if (SHORT_FLOAT.test(data)) return typed(data, parseFloat(data));
      return fromLibrary(data);
    case 0x2b: // +
    case 0x2e: // .
      return fromLibrary(data);
    case 0x3c: // <
      if (data === '<<') {
        resolved = MERGE;
        return true;
      }
      return false;
    case 0x7e: // ~
    case 0x6e: // n
    case 0x4e: // N
    case 0x74: // t
    case 0x54: // T
    case 0x66: // f
    case 0x46: // F
      if (data.length > 5 || !WORDS.has(data)) return false;
      resolved = WORDS.get(data);
      return true;
    default:
      return false;
  }
}

/**
 * The core schema's null and boolean words (`/^(?:~|[Nn]ull|NULL)?$/`, `/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/`) and
 * their values; the test checks each against the library's own definitions and that every other capitalisation is
 * a string. Written out, not read from the library when this module loads: a run whose YAML all takes this path
 * never loads the `yaml` library (scripts/build.mjs).
 */
export const CORE_WORD_VALUES: Readonly<Record<string, null | boolean>> = {
  '~': null,
  null: null,
  Null: null,
  NULL: null,
  true: true,
  True: true,
  TRUE: true,
  false: false,
  False: false,
  FALSE: false,
};
export const CORE_WORDS = Object.keys(CORE_WORD_VALUES);
const WORDS = new Map<string, unknown>(
  CORE_WORDS.map((w) => {
    const v = CORE_WORD_VALUES[w];
    return [w, String(v) === w ? v : new Typed(w, v)];
  }),
);

function constructPlain(): unknown {
  return resolved;
}

/** The core schema's reading, from the `yaml` library's own tag definitions (what its composer uses). */
function fromLibrary(data: string): boolean {
  const r = readPlain12(data);
  if (r.type === 'str') return false;
  const v = r.value;
  // A bigint is an integer beyond ±(2^53−1); Infinity and NaN are not JSON: the exact path reports them.
  if (typeof v === 'bigint' || (typeof v === 'number' && !Number.isFinite(v))) throw BAIL;
  return typed(data, v);
}

function typed(data: string, value: unknown): true {
  resolved = String(value) === data ? value : new Typed(data, value);
  return true;
}

/**
 * Only our plain-scalar type: every explicit tag is unknown to js-yaml, so it throws and the exact path decides.
 * Built on the first YAML config, not when the package loads: a step that converts nothing (detect, a step that
 * fails on its inputs) does not load js-yaml (the bundle loads it on first use, scripts/build.mjs).
 */
let schema: jsyaml.Schema | undefined;
function fastSchema(): jsyaml.Schema {
  return (schema ??= new jsyaml.Schema({
    implicit: [
      new jsyaml.Type('tag:itemstore,2026:plain', {
        kind: 'scalar',
        resolve: resolvePlain,
        construct: constructPlain,
      }),
    ],
    explicit: [],
  }));
}

const EXPLICIT_KEY = /(?:^|[\s[{,])\?(?:[ \r\n]|$)/m;
/**
 * An empty key (`: value`), which js-yaml reads as the key "null" and the `yaml` library as "": looked for only when
 * a mapping has the key "null".
 */
const EMPTY_KEY = /(?:^[ -]*|[[{,] *):(?:[ \r\n,\]}]|$)/m;

/**
 * What js-yaml and the `yaml` library might read differently, found on the text before parsing (each regular
 * expression only runs when a cheap search finds its character). A `---` first line is allowed.
 */
function unusualText(text: string): boolean {
  return (
    text.includes('\t') || // tabs (indentation rules differ)
    (text.includes('\r') && /\r(?!\n)/.test(text)) || // a line break that is a lone CR
    // non-ASCII line breaks, a BOM past the start
    text.includes('\u0085') ||
    text.includes('\u2028') ||
    text.includes('\u2029') ||
    text.includes('\ufeff') ||
    // directives, document markers
    text.startsWith('%') ||
    text.startsWith('...') ||
    (text.startsWith('---') && !text.startsWith('---\n')) ||
    text.includes('\n%') ||
    text.includes('\n---') ||
    text.includes('\n...') ||
    (text.includes('?') && EXPLICIT_KEY.test(text)) || // explicit keys `? key`
    text.includes(',#') || // a comment right after a comma
    (text.includes('!') && lineEndProperty(text, '!')) // a tag ending its line (js-yaml may drop it)
  );
}

/** A tag or anchor (`!x`, `&x`) that ends its line (spaces and a comment aside); the index of the first or -1. */
function nextLineEndProperty(text: string, ch: '!' | '&', from: number): number {
  for (let i = text.indexOf(ch, from); i !== -1; i = text.indexOf(ch, i + 1)) {
    const before = i === 0 ? 0x20 : text.charCodeAt(i - 1);
    if (
      before !== 0x20 &&
      before !== 0x0a &&
      before !== 0x0d &&
      before !== 0x5b &&
      before !== 0x7b &&
      before !== 0x2c
    ) {
      continue;
    }
    let j = i + 1;
    for (
      let c = text.charCodeAt(j);
      j < text.length && c !== 0x20 && c !== 0x0a && c !== 0x0d;
      c = text.charCodeAt(++j)
    );
    while (text.charCodeAt(j) === 0x20) j++;
    const c = text.charCodeAt(j);
    if (j >= text.length || c === 0x0a || c === 0x0d || c === 0x23) return i;
  }
  return -1;
}

function lineEndProperty(text: string, ch: '!' | '&'): boolean {
  return nextLineEndProperty(text, ch, 0) !== -1;
}

export interface FastYamlStats {
  /** Documents converted by the fast path. */
  fast: number;
  /** Documents given to the exact path (anything the fast path cannot prove ordinary). */
  bailed: number;
}

const stats: FastYamlStats = { fast: 0, bailed: 0 };

/** How often the fast path answered in this process (the benchmark reports the bail count). */
export function fastYamlStats(): FastYamlStats {
  return { ...stats };
}

/**
 * The value of a one-document YAML config, or undefined when the exact path must decide (see the top of this
 * file). `text` has passed decodeConfig (size, UTF-8, no NUL or control characters, BOM dropped, not blank).
 */
export function fastYamlValue(text: string, limits: YamlLimits = {}): unknown {
  const value = fastYaml(text, limits);
  if (value === undefined) stats.bailed++;
  else stats.fast++;
  return value;
}

/**
 * How the repo's own YAML files read (item-store.yaml, tags.yaml: @itemstore/config yaml-source.ts): the value the
 * `yaml` library's Document.toJS() gives under those options (YAML 1.2 core schema, merge keys off, unique keys, no
 * walker limits), or undefined when that is not certain. On top of fastYamlValue's rules it bails on what toJS reads
 * differently from the config walker: `<<` (an ordinary key with merge keys off), aliases (toJS shares and counts
 * them), a key `null` (toJS makes it ""), `__proto__`, control characters. `typed: 'text'` gives a plain number or
 * boolean whose text is not String(value) (`1.0`, `True`, `0x1F`) as that text, for a reader that keeps such values
 * as written and needs no other kind told apart from a string (tags.yaml); a `~` or `Null` then bails. Not counted in fastYamlStats, which counts configs.
 */
export function fastRepoYamlValue(text: string, typed: 'value' | 'text' = 'value'): unknown {
  // A leading byte order mark is not content (yaml-source.ts drops it too).
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (
    text.includes('<<') ||
    text.includes('*') ||
    text.includes('__proto__') ||
    // eslint-disable-next-line no-control-regex
    /[\0-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(text)
  ) {
    return undefined;
  }
  return fastYaml(text, {}, { typed });
}

function fastYaml(text: string, limits: YamlLimits, repo?: RepoMode): unknown {
  // One budget shared by several documents is the legacy reader's business: exact path.
  if (limits.contentBudget) return undefined;
  if (unusualText(text)) return undefined;
  if (text.includes('&') && oddAnchor(text)) return undefined;
  // js-yaml adds a line break to a text without one, which turns a last line of spaces into an empty line of a
  // block scalar (`|+`): the `yaml` library does not.
  const lastBreak = text.lastIndexOf('\n');
  if (lastBreak < text.length - 1 && text.slice(lastBreak + 1).trim() === '') return undefined;
  // Only escapes can make half of a surrogate pair, unless the caller handed us such a string.
  if (!isWellFormed(text)) return undefined;
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  let raw: unknown;
  const opens: number[] = [];
  watch11 = limits.yaml11 !== undefined && (limits.yaml11.read === true || !!limits.yaml11.onFinding);
  try {
    raw = jsyaml.load(text, {
      schema: fastSchema(),
      // js-yaml 4.3 stops at this depth (its types predate the option): deeper input is the exact path's error.
      ...({ maxDepth: maxDepth + 8 } as object),
      listener(event, state) {
        if (event === 'open') opens.push(state.position);
        else closed(state.input, opens, opens.pop() as number, state);
      },
    });
  } catch {
    return undefined; // js-yaml's error or our bail: the exact path decides and locates
  } finally {
    watch11 = false;
    resolved = undefined;
  }
  if (raw === null || raw === undefined) return undefined;
  try {
    return new Walk(text, limits, repo).run(raw);
  } catch (err) {
    if (err === BAIL) return undefined;
    throw err;
  }
}

/**
 * Checks each node as js-yaml finishes it, for what the `yaml` library reads differently or refuses: `!` tags,
 * implicit keys that are not one-line scalars of at most 1024 characters, a comment right after a node, and the
 * continuation lines of a multi-line quoted scalar or flow collection in a block collection, which the `yaml`
 * library wants indented past the collection (js-yaml does not check).
 */
function closed(
  input: string,
  opens: number[],
  from: number,
  state: { position: number; kind?: string | null; tag?: string | null },
): void {
  if (state.tag === '!') throw BAIL;
  const end = state.position;
  let p = end;
  const next = input.charCodeAt(p);
  if (next === 0x23) throw BAIL; // `"a"#c`, `[a]#c`
  while (input.charCodeAt(p) === 0x20) p++;
  if (input.charCodeAt(p) === 0x3a) {
    // Followed by `:`: an implicit key.
    if (state.kind !== 'scalar' || p - from > 1000) throw BAIL;
    const nl = input.indexOf('\n', from);
    if (nl !== -1 && nl < p) throw BAIL;
    return;
  }
  const last = input.charCodeAt(end - 1);
  // A quoted scalar or a flow collection spanning lines, below the root.
  if (last !== 0x22 && last !== 0x27 && last !== 0x5d && last !== 0x7d) return;
  if (opens.length === 0) return;
  const nl = input.indexOf('\n', from);
  if (nl === -1 || nl >= end) return;
  const open = last === 0x22 || last === 0x27 ? last : last === 0x5d ? 0x5b : 0x7b;
  let start = from;
  while (start < end && input.charCodeAt(start) !== open) start++;
  if (start > nl) throw BAIL; // the node does not start on the line where js-yaml opened it: not ordinary
  if (insideFlow(input, opens[opens.length - 1] as number)) return;
  const lineStart = input.lastIndexOf('\n', start - 1) + 1;
  let base = lineStart;
  for (;;) {
    while (input.charCodeAt(base) === 0x20) base++;
    if (input.charCodeAt(base) === 0x2d && input.charCodeAt(base + 1) === 0x20) base += 2;
    else break;
  }
  const need = base - lineStart;
  for (let i = nl + 1; i < end;) {
    let j = i;
    while (input.charCodeAt(j) === 0x20) j++;
    const c = input.charCodeAt(j);
    const blank = c === 0x0a || c === 0x0d;
    const closer = open !== 0x22 && open !== 0x27 && (c === 0x5d || c === 0x7d);
    if (!blank && !closer && j - i <= need) throw BAIL;
    const eol = input.indexOf('\n', j);
    if (eol === -1) break;
    i = eol + 1;
  }
}

/** Whether the node js-yaml opened at `from` is a flow collection (after spaces, comments and properties). */
function insideFlow(input: string, from: number): boolean {
  let i = from;
  for (;;) {
    const c = input.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d) i++;
    else if (c === 0x23 || c === 0x26 || c === 0x21) {
      // a comment, an anchor or a tag: skip to the next space or line break
      while (i < input.length && !/[ \r\n]/.test(input[i] as string)) i++;
    } else return c === 0x5b || c === 0x7b;
  }
}

/**
 * An anchor ending its line whose node starts with another property or a block scalar header, or less indented than
 * the anchor's line (`a: &x` then `  &y b`): the `yaml` library refuses or reads these differently from js-yaml.
 */
function oddAnchor(text: string): boolean {
  for (let at = nextLineEndProperty(text, '&', 0); at !== -1; at = nextLineEndProperty(text, '&', at + 1)) {
    const lineStart = text.lastIndexOf('\n', at - 1) + 1;
    let indent = 0;
    while (text.charCodeAt(lineStart + indent) === 0x20) indent++;
    let i = text.indexOf('\n', at);
    while (i !== -1) {
      let j = i + 1;
      while (text.charCodeAt(j) === 0x20) j++;
      const c = text[j];
      if (c === undefined) return false;
      if (c === '\n' || c === '\r' || c === '#') {
        i = text.indexOf('\n', j);
        continue;
      }
      if (c === '&' || c === '!' || c === '|' || c === '>' || j - i - 1 < indent) return true;
      break;
    }
  }
  return false;
}

function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

interface RepoMode {
  typed: 'value' | 'text';
}

/**
 * Copies js-yaml's value into the value the exact walker (yaml-json.ts `Walker`) builds: boxes unboxed, merge keys
 * merged, aliases expanded into copies. It charges what the exact walker charges, or more where it cannot know
 * (an empty value, the source text of a number), so it bails whenever the exact path could stop at a limit.
 */
class Walk {
  private readonly maxDepth: number;
  private readonly maxContentBytes: number;
  /** Nodes aliases may still add: the exact budget less one for every `*` (a scalar alias is not an object here). */
  private aliasRoom: number;
  private used = 0;
  private expanding = false;
  private readonly aliases: boolean;
  private readonly seen = new Set<object>();
  private readonly active = new Set<object>();
  private readonly escapes: boolean;
  private nullKeyChecked = false;

  constructor(
    private readonly text: string,
    limits: YamlLimits,
    private readonly repo?: RepoMode,
  ) {
    this.maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.maxContentBytes = limits.maxContentBytes ?? LIMITS.contentBytes;
    this.aliases = text.includes('*');
    this.aliasRoom =
      (limits.maxAliasNodes ?? DEFAULT_MAX_ALIAS_NODES) - (this.aliases ? countOf(text, '*') : 0);
    this.escapes = text.includes('\\u') || text.includes('\\U');
  }

  run(raw: unknown): unknown {
    return this.build(raw, 0);
  }

  /** A key "null": written `null`, `"null"`, or empty (see EMPTY_KEY). */
  private nullKey(): void {
    if (this.repo) throw BAIL; // Document.toJS() makes the key null "" (the walker keeps "null")
    if (this.nullKeyChecked) return;
    this.nullKeyChecked = true;
    if (EMPTY_KEY.test(this.text)) throw BAIL;
  }

  private charge(n: number): void {
    this.used += n;
    if (this.used > this.maxContentBytes) throw BAIL;
  }

  private count(): void {
    if (this.expanding && --this.aliasRoom < 0) throw BAIL;
  }

  private build(v: unknown, depth: number): unknown {
    if (typeof v === 'string') {
      this.count();
      this.charge(v.length + 4 + 2 * depth);
      if (this.escapes && !isWellFormed(v)) throw BAIL;
      return v;
    }
    if (typeof v !== 'object' || v === null) {
      this.count();
      // The exact walker charges the source text: a canonical number is at most 24 characters, null at most 5.
      this.charge((typeof v === 'number' ? 24 : 5) + 2 + 2 * depth);
      return v;
    }
    if (v instanceof Typed) {
      if (this.repo?.typed === 'text') {
        if (typeof v.value !== 'number' && typeof v.value !== 'boolean') throw BAIL;
        return v.text;
      }
      this.count();
      this.charge(v.text.length + 2 + 2 * depth);
      return v.value;
    }
    if (v === MERGE) throw BAIL; // `<<` as a value: the `yaml` library makes it a merge symbol
    const outer = this.expanding;
    if (this.aliases) {
      if (this.seen.has(v)) {
        if (this.active.has(v)) throw BAIL; // an alias inside the node it names
        this.expanding = true;
      } else this.seen.add(v);
      this.active.add(v);
    }
    try {
      this.count();
      this.charge(2 * depth + 4);
      if (depth + 1 > this.maxDepth) throw BAIL;
      return Array.isArray(v) ? this.seq(v, depth + 1) : this.map(v as Record<string, unknown>, depth + 1);
    } finally {
      if (this.aliases) this.active.delete(v);
      this.expanding = outer;
    }
  }

  private seq(items: unknown[], depth: number): unknown[] {
    // Without aliases no object is shared: js-yaml's own arrays and objects are kept, changed in place.
    const out: unknown[] = this.aliases ? [] : items;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      // A one-key mapping holding `<<` may be a flow pair `[<<: *a]`, which the exact path does not merge.
      if (
        typeof item === 'object' &&
        item !== null &&
        !Array.isArray(item) &&
        !(item instanceof Typed) &&
        MERGE_KEY in item &&
        Object.keys(item).length === 1
      ) {
        throw BAIL;
      }
      const value = this.build(item, depth);
      if (out !== items) out.push(value);
      else if (value !== item) items[i] = value;
    }
    return out;
  }

  private map(node: Record<string, unknown>, depth: number): Record<string, unknown> {
    const keys = Object.keys(node);
    // Integer-like keys come first in a JS object, so js-yaml's value has lost their source order.
    if (keys.length > 0 && isIndexKey(keys[0] as string)) throw BAIL;
    if (!(MERGE_KEY in node)) {
      const out: Record<string, unknown> = this.aliases ? {} : node;
      for (const key of keys) {
        if (key === 'null') this.nullKey();
        if (this.escapes && !isWellFormed(key)) throw BAIL;
        this.charge(key.length + 4);
        const item = node[key];
        const value = this.build(item, depth);
        if (out !== node || value !== item) define(out, key, value);
      }
      return out;
    }
    const out: Record<string, unknown> = {};
    // The exact walker's merge (yaml-json.ts Walker.map): keys written in the mapping win wherever they stand,
    // earlier sources win over later ones, a merged key keeps the position where it first appeared.
    const origin = new Map<string, 'explicit' | 'merged'>();
    for (const key of keys) {
      if (key === MERGE_KEY) {
        const value = node[key];
        for (const source of Array.isArray(value) ? value : [value]) {
          if (
            typeof source !== 'object' ||
            source === null ||
            Array.isArray(source) ||
            source instanceof Typed
          ) {
            throw BAIL; // not a mapping: invalid-merge, from the exact path
          }
          const built = this.build(source, depth - 1) as Record<string, unknown>;
          for (const k of Object.keys(built)) {
            if (origin.has(k)) continue;
            origin.set(k, 'merged');
            this.charge(k.length + 4);
            define(out, k, built[k]);
          }
        }
        continue;
      }
      if (key === 'null') this.nullKey();
      if (this.escapes && !isWellFormed(key)) throw BAIL;
      const value = this.build(node[key], depth);
      const before = origin.get(key);
      origin.set(key, 'explicit');
      if (before !== 'merged') this.charge(key.length + 4);
      define(out, key, value);
    }
    // Merged keys may be integer-like even when the keys written here are not.
    const first = Object.keys(out)[0];
    if (first !== undefined && isIndexKey(first)) throw BAIL;
    return out;
  }
}

function define(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else obj[key] = value;
}

function countOf(s: string, ch: string): number {
  let n = 0;
  for (let i = s.indexOf(ch); i !== -1; i = s.indexOf(ch, i + 1)) n++;
  return n;
}
