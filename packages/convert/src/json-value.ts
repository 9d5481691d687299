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
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}
