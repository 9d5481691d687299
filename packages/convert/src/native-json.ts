/**
 * The fast path of a .json config: `JSON.parse`, then the SPEC §2 checks that JSON.parse does not make, on the
 * value. It answers only when it is sure the strict parser (strict-json.ts) would return the same value; anything
 * unusual returns undefined and the caller runs the strict parser, which finds and locates the problem. So errors
 * and their positions come from one place, and valid files are parsed natively (about 20 times faster).
 *
 * What JSON.parse does differently, and how each is ruled out:
 * - it keeps the last of two equal keys. Every member of an object is a string followed by ":" in the text, so
 *   colons in the text = members + colons inside strings. Counting the colons of the text and, on the value, the
 *   keys plus the colons inside every key and string gives the same number exactly when no member was dropped
 *   (a dropped member takes its key, its colon and the strings of its value away from the value's side only).
 *   An escaped colon (`\u003a`) would count on the value's side only, so a text with one goes the strict way;
 * - it rounds integers past ±(2^53−1) and turns `1e400` into Infinity: any such number goes the strict way;
 * - it accepts half of a surrogate pair (`"\ud800"`): strings are checked when the text has a `\u` escape;
 * - it has no depth limit: deeper than maxDepth goes the strict way (JSON.parse itself does not recurse);
 * - a JS object lists integer-like keys ("200") first, so their source order is lost: such a key goes the strict
 *   way, and every value this returns serializes with JSON.stringify in source order.
 */
import { DEFAULT_MAX_DEPTH } from './codes.js';
import { isIndexKey } from './json-value.js';

/**
 * The value and its V2 text (`JSON.stringify(value, null, 2) + "\n"`), or undefined when the strict parser must
 * decide (see the top of this file).
 */
export function nativeV2Json(
  text: string,
  maxDepth = DEFAULT_MAX_DEPTH,
  /** The text was decoded from UTF-8, which cannot hold half of a surrogate pair. */
  decoded = false,
): { value: unknown; text: string } | undefined {
  const escapes = text.includes('\\u');
  if (escapes && /\\u003a/i.test(text)) return undefined;
  if (!escapes && !decoded && !isWellFormed(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined; // not JSON: the strict parser says where
  }
  const tally = { members: 0, colons: 0 };
  if (!check(value, 0, maxDepth, escapes, tally)) return undefined;
  if (countColons(text) !== tally.members + tally.colons) return undefined;
  return { value, text: JSON.stringify(value, null, 2) + '\n' };
}

/** No half of a surrogate pair (String.prototype.isWellFormed: Node 20 has it, TypeScript's ES2023 lib not yet). */
function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

function countColons(s: string): number {
  // (native indexOf: a charCodeAt loop is several times slower)
  let n = 0;
  for (let i = s.indexOf(':'); i !== -1; i = s.indexOf(':', i + 1)) n++;
  return n;
}

/** Arrays and objects count one level each, as in the strict parser (the root container is depth 1). */
function check(
  v: unknown,
  depth: number,
  maxDepth: number,
  escapes: boolean,
  tally: { members: number; colons: number },
): boolean {
  if (typeof v === 'string') {
    if (escapes && !isWellFormed(v)) return false;
    if (v.includes(':')) tally.colons += countColons(v);
    return true;
  }
  if (typeof v === 'number') {
    // Within ±(2^53−1) every number is fine; past it only a finite non-integer (a fraction or an exponent).
    if (v <= Number.MAX_SAFE_INTEGER && v >= -Number.MAX_SAFE_INTEGER) return true;
    return Number.isFinite(v) && !Number.isInteger(v);
  }
  if (v === null || typeof v !== 'object') return true;
  if (depth + 1 > maxDepth) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!check(v[i], depth + 1, maxDepth, escapes, tally)) return false;
    return true;
  }
  const obj = v as Record<string, unknown>;
  let first = true;
  // JSON.parse makes plain objects with own keys only; integer-like keys come first, so the first key tells.
  for (const k in obj) {
    if (first) {
      if (isIndexKey(k)) return false;
      first = false;
    }
    tally.members++;
    if (escapes && !isWellFormed(k)) return false;
    if (k.includes(':')) tally.colons += countColons(k);
    if (!check(obj[k], depth + 1, maxDepth, escapes, tally)) return false;
  }
  return true;
}
