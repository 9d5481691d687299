import type { ConfigError } from '@itemstore/core';
import {
  Composer,
  Parser,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  visit,
  type Alias,
  type CST,
  type Document,
  type Node,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { LIMITS, formatBytes } from '@itemstore/core';
import { DEFAULT_MAX_ALIAS_NODES, DEFAULT_MAX_DEPTH, YAML_MAX_ALIAS_COUNT } from './codes.js';
import { defineKey, isIndexKey, markSourceOrdered, orderedKeys, setNodeInfo } from './json-value.js';
import { SourceText } from './source.js';
import { storedKey, yaml11Difference, type Yaml11Difference, type Yaml11Mode } from './yaml11.js';

export interface YamlLimits {
  maxDepth?: number;
  maxAliasNodes?: number;
  /** YAML 1.1 readings of plain scalars (yaml11.ts): read them as 1.1 readers do, or hear of each difference. */
  yaml11?: Yaml11Mode;
  /** Largest converted JSON, in bytes (default LIMITS.contentBytes): what aliases may expand to is charged by size. */
  maxContentBytes?: number;
  /** Shared by the documents of one file (a legacy multi-document file has one budget, not one per document). */
  contentBudget?: { used: number };
}

/** YAML 1.2, core schema whatever a `%YAML` directive says, so `yes`/`no`/`on`/`off` stay strings. */
const COMPOSE_OPTIONS = {
  version: '1.2',
  schema: 'core',
  merge: true,
  intAsBigInt: true,
  uniqueKeys: true,
  strict: true,
  prettyErrors: false,
  maxAliasCount: YAML_MAX_ALIAS_COUNT,
} as const;

const CORE_TAGS = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`).concat('!'),
);

type ParsedDoc = Document.Parsed;

/**
 * Parses a YAML stream into documents, with every syntax problem thrown as a located ConfigError. Nesting is
 * checked on the parser's token tree (an iterative walk) before the composer runs, because the composer recurses
 * and a 10,000-deep input would exhaust its stack.
 */
export function parseYamlStream(
  src: SourceText,
  limits: YamlLimits = {},
  checkDocuments?: (docs: ParsedDoc[]) => void,
): ParsedDoc[] {
  const tokens = Array.from(new Parser().parse(src.text));
  checkTokens(tokens, src, limits.maxDepth ?? DEFAULT_MAX_DEPTH);
  const docs = Array.from(
    new Composer(COMPOSE_OPTIONS).compose(tokens, false, src.text.length),
  ) as ParsedDoc[];
  // Before problems inside documents: a legacy file's best hint is how to convert it.
  checkDocuments?.(docs);
  const problems: { offset: number; err: ConfigError }[] = [];
  for (const doc of docs) {
    for (const e of doc.errors) {
      const code = e.code === 'DUPLICATE_KEY' ? 'duplicate-key' : 'yaml-syntax';
      const message = e.code === 'DUPLICATE_KEY' ? 'duplicate key in a mapping' : lowerFirst(e.message);
      problems.push({ offset: e.pos[0], err: src.error(code, message, e.pos[0]) });
    }
    for (const w of doc.warnings) {
      if (w.code === 'TAG_RESOLVE_FAILED') {
        problems.push({
          offset: w.pos[0],
          err: src.error('unsupported-tag', unsupportedTagMessage(w.message), w.pos[0]),
        });
      }
    }
  }
  if (problems.length > 0) throw problems.sort((a, b) => a.offset - b.offset)[0]!.err;
  return docs;
}

function unsupportedTagMessage(yamlMessage: string): string {
  const tag = yamlMessage.replace(/^Unresolved tag: /, '');
  return `tag ${shortTag(tag)} cannot be held by JSON (or does not fit its value); remove the tag`;
}

function shortTag(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice(18)}` : tag;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** Depth of collections in the token tree, plus the two stream-level mistakes the composer lets through. */
function checkTokens(tokens: CST.Token[], src: SourceText, maxDepth: number): void {
  let yamlDirective = false;
  let pendingDirective: number | undefined;
  for (const token of tokens) {
    if (token.type === 'directive') {
      if (token.source.startsWith('%YAML')) {
        if (yamlDirective) throw src.error('yaml-syntax', 'the %YAML directive appears twice', token.offset);
        yamlDirective = true;
      }
      pendingDirective ??= token.offset;
      continue;
    }
    if (token.type !== 'document') continue;
    yamlDirective = false;
    pendingDirective = undefined;
    const stack: [CST.Token, number][] = [];
    if (token.value) stack.push([token.value, 0]);
    while (stack.length > 0) {
      const [t, depth] = stack.pop()!;
      if (t.type === 'block-map' || t.type === 'block-seq' || t.type === 'flow-collection') {
        if (depth + 1 > maxDepth) {
          throw src.error('nesting-too-deep', `nesting deeper than ${maxDepth} levels`, t.offset);
        }
        for (const item of t.items) {
          if (item.key) stack.push([item.key as CST.Token, depth + 1]);
          if (item.value) stack.push([item.value, depth + 1]);
        }
      }
    }
  }
  if (pendingDirective !== undefined) {
    throw src.error('yaml-syntax', 'a directive must be followed by a document (---)', pendingDirective);
  }
}

/** True for a document with nothing in it (`---` alone), as opposed to an explicit `null` or `~`. */
export function isEmptyDocument(doc: ParsedDoc): boolean {
  const c = doc.contents;
  return c === null || (isScalar(c) && c.value === null && !c.source && !c.tag && !c.anchor);
}

/** Walks one document's nodes into a JSON value, checking everything JSON cannot hold at the node that has it. */
export function documentToJson(doc: ParsedDoc, src: SourceText, limits: YamlLimits = {}): unknown {
  const walker = new Walker(doc, src, limits);
  const value = walker.run();
  if (!walker.indexKeys) markSourceOrdered(value);
  return value;
}

class Walker {
  private readonly aliasTargets = new Map<Alias, Node>();
  private readonly active = new Set<Node>();
  private readonly maxDepth: number;
  private readonly maxAliasNodes: number;
  private aliasNodes = 0;
  private readonly maxContentBytes: number;
  /** A lower bound of the bytes the JSON text of what was built so far takes (see charge). */
  private readonly budget: { used: number };
  /** The outermost alias being expanded, where a budget error points. */
  private expanding: Alias | undefined;
  /** A key such as "200" was built: JS objects list it first, so only stringifyV2 writes the source order. */
  indexKeys = false;
  /** Offsets of plain scalars already reported to yaml11.onFinding (aliases visit a node again). */
  private readonly reported11 = new Set<number>();

  constructor(
    private readonly doc: ParsedDoc,
    private readonly src: SourceText,
    private readonly limits: YamlLimits,
  ) {
    this.maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.maxAliasNodes = limits.maxAliasNodes ?? DEFAULT_MAX_ALIAS_NODES;
    this.maxContentBytes = limits.maxContentBytes ?? LIMITS.contentBytes;
    this.budget = limits.contentBudget ?? { used: 0 };
  }

  run(): unknown {
    // An alias is written `*name`: a text without a `*` has none to resolve.
    if (this.src.text.includes('*')) this.resolveAnchors();
    const root = this.doc.contents;
    if (root === null) return null;
    return this.build(root, 0);
  }

  /** One pass in document order: each alias refers to the last node with its anchor before it. */
  private resolveAnchors(): void {
    const anchors = new Map<string, Node>();
    visit(this.doc, (_key, node) => {
      if (!node) return;
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (!target)
          throw this.error(
            'yaml-syntax',
            `alias *${node.source} has no anchor &${node.source} before it`,
            node,
          );
        this.aliasTargets.set(node, target);
      } else if (!isPair(node) && (node as Node).anchor) {
        anchors.set((node as Node).anchor as string, node as Node);
      }
    });
  }

  private error(
    code: string,
    message: string,
    node: { range?: [number, number, number] | null } | null | undefined,
  ) {
    return this.src.error(code, message, node?.range?.[0]);
  }

  private position(node: Node): { line: number; column: number } {
    return this.src.position(node.range?.[0] ?? 0);
  }

  private count(): void {
    if (this.expanding && ++this.aliasNodes > this.maxAliasNodes) {
      throw this.error(
        'alias-limit',
        `aliases expand to more than ${this.maxAliasNodes} nodes (an alias bomb?); write the data out instead`,
        this.expanding,
      );
    }
  }

  /**
   * Size accounting: every value built is charged what its JSON text takes at least (its characters, quotes, the
   * indentation of its line), so an alias to a 1 MB scalar costs 1 MB each time it is used and a document whose
   * JSON would not fit in V2 is refused while it is built, never after a gigabyte of string was made.
   */
  private charge(bytes: number, node: Node): void {
    this.budget.used += bytes;
    if (this.budget.used > this.maxContentBytes) {
      throw this.error(
        'content-too-large',
        `the converted JSON would be over ${formatBytes(this.maxContentBytes)}, the largest content Item Store V2 stores` +
          (this.expanding ? ' (this alias expands it past the limit)' : ''),
        this.expanding ?? node,
      );
    }
  }

  private deref(node: Node): { node: Node; alias?: Alias } {
    if (!isAlias(node)) return { node };
    const target = this.aliasTargets.get(node);
    if (!target) throw this.error('yaml-syntax', `alias *${node.source} has no anchor`, node);
    if (this.active.has(target)) {
      throw this.error('alias-cycle', `alias *${node.source} refers to a node that contains it`, node);
    }
    return { node: target, alias: node };
  }

  private build(input: Node, depth: number): unknown {
    const { node, alias } = this.deref(input);
    const outer = this.expanding;
    if (alias && !outer) this.expanding = alias;
    try {
      this.count();
      if (isScalar(node)) {
        const v = node.value;
        const size = typeof v === 'string' ? v.length + 2 : (node.source?.length ?? 5);
        this.charge(size + 2 * depth + 2, node);
        return this.scalar(node);
      }
      this.charge(2 * depth + 4, node);
      if (depth + 1 > this.maxDepth) {
        throw this.error('nesting-too-deep', `nesting deeper than ${this.maxDepth} levels`, alias ?? node);
      }
      if (!isMap(node) && !isSeq(node)) throw this.error('yaml-syntax', 'unexpected YAML node', node);
      this.checkTag(node);
      this.active.add(node);
      try {
        return isMap(node) ? this.map(node, depth + 1) : this.seq(node, depth + 1);
      } finally {
        this.active.delete(node);
      }
    } finally {
      this.expanding = outer;
    }
  }

  private checkTag(node: Scalar | YAMLMap | YAMLSeq): void {
    if (node.tag !== undefined && !CORE_TAGS.has(node.tag)) {
      throw this.src.error(
        'unsupported-tag',
        `tag ${shortTag(node.tag)} cannot be held by JSON; remove it (JSON keeps strings, numbers, booleans, null, lists and maps)`,
        this.tagOffset(node),
      );
    }
  }

  /** Node ranges start at the value; an error about a tag reads better at the tag, when it is on the same line. */
  private tagOffset(node: Node): number | undefined {
    const start = node.range?.[0];
    if (start === undefined) return undefined;
    const text = this.src.text;
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    let i = text.lastIndexOf('!', start - 1);
    if (i < lineStart) return start;
    while (i > lineStart && !/[\s[{,]/.test(text[i - 1] as string)) i--;
    return i;
  }

  /** A plain scalar YAML 1.1 reads differently: reported, and returned when reading as 1.1. */
  private plain11(node: Scalar, key: boolean): Yaml11Difference | undefined {
    const mode = this.limits.yaml11;
    if (!mode || node.type !== 'PLAIN' || node.tag !== undefined || !node.range) return undefined;
    const [start, end] = node.range;
    const d = yaml11Difference(this.src.text.slice(start, end));
    if (!d) return undefined;
    if (mode.onFinding && !this.reported11.has(start)) {
      this.reported11.add(start);
      mode.onFinding({ ...d, ...this.src.position(start), start, end, key });
    }
    return mode.read ? d : undefined;
  }

  private scalar(node: Scalar): unknown {
    this.checkTag(node);
    const as11 = this.plain11(node, false);
    const v = as11 ? as11.stored : node.value;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') {
      if (typeof v === 'string') this.checkString(v, node);
      return v;
    }
    if (typeof v === 'bigint') {
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
        throw this.error(
          'integer-range',
          `integer ${node.source ?? String(v)} is beyond ±(2^53−1); JSON readers would round it (quote it to keep it as a string)`,
          node,
        );
      }
      return Number(v);
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) {
        throw this.error(
          'non-finite-number',
          `${node.source ?? String(v)} is not a finite number, which JSON cannot hold (quote it to keep it as a string)`,
          node,
        );
      }
      return v;
    }
    throw this.error('unsupported-tag', `this value cannot be held by JSON`, node);
  }

  private checkString(s: string, node: Node): void {
    // Only escapes (`"\ud800"`) can produce these; decoded UTF-8 cannot.
    if (
      /[\ud800-\udfff]/.test(s) &&
      /(?:[^\ud800-\udbff]|^)[\udc00-\udfff]|[\ud800-\udbff](?![\udc00-\udfff])/.test(s)
    ) {
      throw this.error(
        'invalid-unicode',
        'half of a surrogate pair in a string; JSON readers disagree on it',
        node,
      );
    }
  }

  /** A key's string: a string as it is; a plain number, boolean or null exactly as written (`200` → "200"). */
  private keyString(input: unknown): string {
    const key = this.keyText(input);
    if (!this.indexKeys && isIndexKey(key)) this.indexKeys = true;
    return key;
  }

  private keyText(input: unknown): string {
    if (input === null || input === undefined) return '';
    const { node } = this.deref(input as Node);
    if (isMap(node) || isSeq(node)) {
      throw this.error('complex-key', 'a mapping or list used as a key cannot be a JSON key', input as Node);
    }
    if (!isScalar(node)) throw this.error('complex-key', 'this key cannot be a JSON key', input as Node);
    this.checkTag(node);
    const as11 = this.plain11(node, true);
    if (as11) return storedKey(as11.stored);
    if (typeof node.value === 'string') {
      this.checkString(node.value, node);
      return node.value;
    }
    if (typeof node.value === 'symbol') return '<<';
    if (node.value === null || ['bigint', 'number', 'boolean'].includes(typeof node.value)) {
      return node.source ?? String(node.value);
    }
    throw this.error('unsupported-tag', 'this key cannot be a JSON key', node);
  }

  private map(node: YAMLMap, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const keys: string[] = [];
    const keyPositions: { line: number; column: number }[] = [];
    /** Where each key came from: a node of this mapping, or a merge (which later explicit keys override). */
    const origin = new Map<string, 'explicit' | 'merged'>();
    const seenAt = new Map<string, Node>();
    setNodeInfo(out, { ...this.position(node), keys, keyPositions });
    const add = (key: string, value: unknown, at: { line: number; column: number }) => {
      this.charge(key.length + 4, node);
      defineKey(out, key, value);
      keys.push(key);
      keyPositions.push(at);
    };
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      if (isMergeKey(keyNode)) {
        for (const source of this.mergeSources(pair.value as Node | null, depth)) {
          for (const k of orderedKeys(source.value)) {
            if (origin.has(k)) continue;
            origin.set(k, 'merged');
            add(k, source.value[k], source.at);
          }
        }
        continue;
      }
      const key = this.keyString(keyNode);
      const at = keyNode ? this.position(keyNode) : this.position(node);
      const value = pair.value === null ? null : this.build(pair.value as Node, depth);
      const before = origin.get(key);
      if (before === 'explicit') {
        const first = seenAt.get(key);
        const p = first ? this.position(first) : undefined;
        throw this.error(
          'key-collision',
          `key ${JSON.stringify(key)} appears twice once written as JSON keys` +
            (p ? ` (first at line ${p.line}, column ${p.column})` : ''),
          keyNode ?? node,
        );
      }
      if (keyNode) seenAt.set(key, keyNode);
      origin.set(key, 'explicit');
      if (before === 'merged') defineKey(out, key, value);
      else add(key, value, at);
    }
    return out;
  }

  /** `<<: *a` or `<<: [*a, *b]`: the mappings to merge, earlier ones winning. */
  private mergeSources(
    valueNode: Node | null,
    depth: number,
  ): { value: Record<string, unknown>; at: { line: number; column: number } }[] {
    if (!valueNode)
      throw this.error('invalid-merge', 'a merge key (<<) needs a mapping or a list of mappings', valueNode);
    const { node, alias } = this.deref(valueNode);
    const items = isSeq(node) ? (node.items as Node[]) : [valueNode];
    return items.map((item) => {
      const target = item ? this.deref(item).node : item;
      if (!isMap(target)) {
        // Point at what the author wrote after `<<:` (the alias, not the far-away anchor).
        throw this.error(
          'invalid-merge',
          'a merge key (<<) takes a mapping or a list of mappings',
          alias ?? item,
        );
      }
      return { value: this.build(item, depth - 1) as Record<string, unknown>, at: this.position(item) };
    });
  }

  private seq(node: YAMLSeq, depth: number): unknown[] {
    const out: unknown[] = [];
    setNodeInfo(out, this.position(node));
    for (const item of node.items) {
      if (isPair(item)) {
        // A single `key: value` pair inside a flow sequence is a one-entry mapping.
        const single: Record<string, unknown> = {};
        const key = this.keyString(item.key);
        defineKey(single, key, item.value === null ? null : this.build(item.value as Node, depth + 1));
        setNodeInfo(single, { ...this.position(node), keys: [key] });
        out.push(single);
      } else out.push(item === null ? null : this.build(item as Node, depth));
    }
    return out;
  }
}

function isMergeKey(key: Node | null): boolean {
  return isScalar(key) && typeof key.value === 'symbol';
}

/**
 * Throws a located `nesting-too-deep` ConfigError when the YAML text nests deeper than `maxDepth`, checked on the
 * token tree before any composer recurses. For the repo's own YAML files (item-store.yaml, tags.yaml), which are
 * read with positions by other code but must not crash the process on hostile input either.
 */
export function assertYamlNesting(text: string, file: string, maxDepth = DEFAULT_MAX_DEPTH): void {
  const src = new SourceText(text, file);
  checkTokens(Array.from(new Parser().parse(text)), src, maxDepth);
}
