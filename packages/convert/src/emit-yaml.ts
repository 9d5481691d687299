import { Document, Pair, Scalar, YAMLMap, YAMLSeq, type Node, type ToStringOptions } from 'yaml';
import { isPlainObject, orderedKeys } from './json-value.js';
import { yaml11Difference } from './yaml11.js';

/**
 * The one YAML style this package writes (legacy documents and config_list files), so output is deterministic:
 * - block mappings and sequences, 2-space indent, sequences indented under their key (`key:\n  - a`);
 *   empty ones as `{}` and `[]`;
 * - strings plain where that reads back as the same string under YAML 1.2 core AND YAML 1.1 (the legacy readers
 *   may be 1.1: `yes`, `on`, `010`, `1_000`, `2024-01-01`, `1:30` are quoted), else "double quoted" (JSON escapes);
 *   multi-line strings as literal blocks (`|`, `|-`, `|+`); no line folding;
 * - numbers, booleans and null as JSON writes them (`null`, `true`);
 * - key order as in the source; no anchors or aliases (repeated data is written out).
 */
export const EMIT_OPTIONS: ToStringOptions = {
  indent: 2,
  indentSeq: true,
  lineWidth: 0,
  minContentWidth: 0,
  singleQuote: false,
  doubleQuotedAsJSON: true,
  blockQuote: 'literal',
  nullStr: 'null',
  directives: false,
};

/** One YAML document's text (no `---`), ending in a newline. */
export function emitYaml(value: unknown): string {
  const doc = new Document(null, { version: '1.2', schema: 'core' });
  doc.contents = toNode(value, 0) as never;
  return doc.toString(EMIT_OPTIONS);
}

function toNode(value: unknown, depth: number): Node {
  if (depth > 2000) throw new TypeError('value nested too deeply to write as YAML');
  if (Array.isArray(value)) {
    const seq = new YAMLSeq();
    for (const item of value) seq.items.push(toNode(item, depth + 1));
    seq.flow = value.length === 0;
    return seq;
  }
  if (isPlainObject(value)) {
    const map = new YAMLMap();
    for (const k of orderedKeys(value)) map.items.push(new Pair(stringNode(k), toNode(value[k], depth + 1)));
    map.flow = map.items.length === 0;
    return map;
  }
  if (typeof value === 'string') return stringNode(value);
  if (value === null || typeof value === 'boolean') return new Scalar(value);
  if (typeof value === 'number' && Number.isFinite(value)) return new Scalar(value);
  throw new TypeError(`not a JSON value: ${typeof value === 'number' ? value : typeof value}`);
}

function stringNode(s: string): Scalar {
  const node = new Scalar(s);
  if (!s.includes('\n') && readsDifferentlyIn11(s)) node.type = Scalar.QUOTE_DOUBLE;
  return node;
}

/** 1.1's value (`=`) and merge (`<<`) keys, and the words both versions read as booleans or null. */
const YAML11_WORDS = /^(?:true|True|TRUE|false|False|FALSE|null|Null|NULL|~|=|<<)$/;

/**
 * Would a YAML 1.1 reader (the 1.1 type definitions, or PyYAML) take this plain text for something other than this
 * string? (A string YAML 1.2 reads as something else is quoted by the library itself.)
 */
function readsDifferentlyIn11(s: string): boolean {
  return YAML11_WORDS.test(s) || yaml11Difference(s) !== undefined;
}
