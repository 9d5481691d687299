/**
 * Values are plain JSON values (objects, arrays, strings, numbers, booleans, null), so any code can use them. Two
 * things plain objects lose are kept on the side, for the objects and arrays our parsers build:
 * - the source key order: a JS object lists integer-like keys ("200") first, and "key order kept" must hold for
 *   them too, so the serializers here read the order from this table;
 * - where each object, array and key came from, so later checks (the config_list shape) point at a line.
 */
export interface NodeInfo {
  /** 1-based position of the node in its file. */
  line: number;
  column: number;
  /** Keys in source order, for objects. */
  keys?: string[];
  /** Position of each key, for objects (same order as keys). */
  keyPositions?: { line: number; column: number }[];
}

const infos = new WeakMap<object, NodeInfo>();
/** Roots of values in which no object has an integer-like key, so every object lists its keys in source order. */
const sourceOrdered = new WeakSet<object>();

/** Marks a parsed root whose objects need no side table for their key order (JSON.stringify keeps it). */
export function markSourceOrdered(root: unknown): void {
  if (typeof root === 'object' && root !== null) sourceOrdered.add(root);
}

export function isSourceOrdered(root: unknown): boolean {
  return typeof root !== 'object' || root === null || sourceOrdered.has(root);
}

/** A key V8 lists before the others (an integer index): "0", or digits with no leading zero below 2^32 − 1. */
export function isIndexKey(k: string): boolean {
  const c = k.charCodeAt(0);
  if (c < 0x30 || c > 0x39) return false;
  return /^(?:0|[1-9][0-9]{0,9})$/.test(k) && Number(k) < 4294967295;
}

export function setNodeInfo(node: object, info: NodeInfo): void {
  infos.set(node, info);
}

export function nodeInfo(node: unknown): NodeInfo | undefined {
  return typeof node === 'object' && node !== null ? infos.get(node) : undefined;
}

/** The object's own keys, in source order when we parsed it (keys added later come after). */
export function orderedKeys(obj: Record<string, unknown>): string[] {
  const own = Object.keys(obj);
  const recorded = infos.get(obj)?.keys;
  if (!recorded) return own;
  const ownSet = new Set(own);
  const out = recorded.filter((k) => ownSet.has(k));
  if (out.length === own.length) return out;
  const seen = new Set(out);
  for (const k of own) if (!seen.has(k)) out.push(k);
  return out;
}

/** Sets a key as an own data property, so `__proto__` is a key like any other and never touches the prototype. */
export function defineKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  // On the plain objects our parsers make, assignment creates the same own data property, several times faster;
  // only `__proto__` would reach the prototype setter.
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else obj[key] = value;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}
