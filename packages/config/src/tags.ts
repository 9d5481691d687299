/**
 * tags.yaml files and the rules every tag obeys (SPEC §2 "Tags and item identity"), plus the identity string of an
 * item.
 */
import {
  LIMITS,
  TAG_KEY_PATTERN,
  codePointLength,
  isWellFormedUnicode,
  type ConfigError,
} from '@itemstore/core';
import { fastRepoYamlValue } from '@itemstore/convert';
import { isAlias, isMap, isPair, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import { closest } from './schema-errors.js';
import { isConfigPathShape } from './paths.js';
import { errorAt, parseYamlSource, type YamlSource } from './yaml-source.js';

export { TAG_KEY_PATTERN };
/** In Unicode code points (LIMITS.tagValueLength). */
export const TAG_VALUE_MAX_LENGTH = LIMITS.tagValueLength;
/** Set by the tooling, never by tags.yaml: `name` (file name), `team` (team folder), `branch` (feature branches). */
export const RESERVED_TAGS = ['name', 'team', 'branch'] as const;

export type Tags = Record<string, string>;

export interface TagsFile {
  /** `tags:` — for every config in this folder and below. */
  tags: Tags;
  /** `files: {<file name>: {tags: {...}}}` — for single configs of this folder. */
  files: Record<string, Tags>;
  /** Where each `files:` key is written (for problems found later, like a file that does not exist). */
  fileKeyLocations: Record<string, { line: number; column: number }>;
  errors: ConfigError[];
}

/** Why a tag value is not acceptable, or undefined when it is. */
export function tagValueProblem(value: string): string | undefined {
  if (value.length === 0) return 'a tag value must not be empty';
  const length = codePointLength(value);
  if (length > TAG_VALUE_MAX_LENGTH)
    return `a tag value is at most ${TAG_VALUE_MAX_LENGTH} characters (this one has ${length})`;
  if (!isWellFormedUnicode(value))
    return 'a tag value must be well-formed Unicode (it holds half of a surrogate pair, from an escape like "\\ud800")';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value))
    return 'a tag value must not contain control characters or line breaks';
  return undefined;
}

export function tagKeyProblem(key: string): string | undefined {
  if ((RESERVED_TAGS as readonly string[]).includes(key))
    return `"${key}" is a reserved tag set by the tooling (${RESERVED_TAGS.join(', ')}); choose another key`;
  if (!TAG_KEY_PATTERN.test(key))
    return `"${key}" is not a valid tag key: 1 to 63 lower-case letters, digits, '_', '.' and '-', starting with a letter`;
  return undefined;
}

/**
 * Parses a tags.yaml. Problems are located at the offending key or value. Numbers and booleans are taken as
 * written (`1.0` stays "1.0", `true` is "true"); lists, maps and empty values are errors.
 */
export function parseTagsFile(text: string, file: string): TagsFile {
  // Value first, as for item-store.yaml (settings.ts): js-yaml's value when fast-yaml.ts proves it is what the
  // Document gives (a number or boolean whose text is not String(value), like `1.0`, comes as that text: as written)
  // and every key and value is acceptable; anything else runs the Document path, which locates every problem.
  const root = fastRepoYamlValue(text, 'text');
  return (root !== undefined && validTagsFile(root, text, file)) || parseTagsFileDocument(text, file);
}

/** The tags file when the value is acceptable in every respect, else undefined (the Document path says why). */
function validTagsFile(root: unknown, text: string, file: string): TagsFile | undefined {
  if (!isPlainObject(root)) return undefined;
  let tags: Tags = {};
  const files: Record<string, Tags> = {};
  for (const key of Object.keys(root)) {
    const value = root[key];
    if (key === 'tags') {
      const t = validTagMap(value);
      if (!t) return undefined;
      tags = t;
    } else if (key === 'files') {
      if (value === null) continue;
      if (!isPlainObject(value)) return undefined;
      for (const name of Object.keys(value)) {
        const entry = value[name];
        if (name === '' || name.includes('/') || !isConfigPathShape(name) || !isPlainObject(entry))
          return undefined;
        let t: Tags = {};
        for (const k of Object.keys(entry)) {
          const m = k === 'tags' ? validTagMap(entry[k]) : undefined;
          if (!m) return undefined;
          t = m;
        }
        files[name] = t;
      }
    } else return undefined;
  }
  const out = { tags, files, errors: [] } as unknown as TagsFile;
  // Where the files keys are written is needed only for a warning (a files entry naming no file): from the Document
  // then, once.
  let locations: TagsFile['fileKeyLocations'] | undefined = Object.keys(files).length ? undefined : {};
  Object.defineProperty(out, 'fileKeyLocations', {
    enumerable: true,
    get: () => (locations ??= parseTagsFileDocument(text, file).fileKeyLocations),
  });
  return out;
}

function validTagMap(value: unknown): Tags | undefined {
  if (value === null) return {};
  if (!isPlainObject(value)) return undefined;
  const tags: Tags = {};
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (tagKeyProblem(key) !== undefined) return undefined;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return undefined;
    const text = String(v);
    if (tagValueProblem(text) !== undefined) return undefined;
    tags[key] = text;
  }
  return tags;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** parseTagsFile through the `yaml` Document, every problem located. Exported for tests. */
export function parseTagsFileDocument(text: string, file: string): TagsFile {
  const out: TagsFile = { tags: {}, files: {}, fileKeyLocations: {}, errors: [] };
  const { source, errors } = parseYamlSource(text, file);
  if (errors.length) {
    out.errors.push(...errors);
    return out;
  }
  const root = source.doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return out; // empty or only comments
  if (!isMap(root)) {
    out.errors.push(
      errorAt(
        source,
        root,
        'tags-invalid',
        `${file} must be a mapping with the keys tags and files (got ${kindOf(root)})`,
      ),
    );
    return out;
  }
  for (const pair of root.items) {
    const key = scalarKey(pair.key);
    const keyNode = pair.key as Node;
    if (key === 'tags') {
      out.tags = readTagMap(source, pair.value as Node | null, 'tags', keyNode, out.errors);
    } else if (key === 'files') {
      out.files = readFilesMap(source, pair.value as Node | null, keyNode, out);
    } else {
      const hint = key === undefined ? undefined : closest(key, ['tags', 'files']);
      out.errors.push(
        errorAt(
          source,
          keyNode,
          'tags-invalid',
          `unknown key ${key === undefined ? '(not a plain key)' : `"${key}"`}: a tags file has only tags and files` +
            (hint ? ` (did you mean "${hint}"?)` : ''),
        ),
      );
    }
  }
  return out;
}

function readFilesMap(src: YamlSource, node: Node | null, at: Node, out: TagsFile): Record<string, Tags> {
  const errors = out.errors;
  const files: Record<string, Tags> = {};
  if (node === null || (isScalar(node) && node.value === null)) return files;
  if (!isMap(node)) {
    errors.push(
      errorAt(
        src,
        node,
        'tags-invalid',
        `files: must be a mapping of file name to {tags: ...} (got ${kindOf(node)})`,
      ),
    );
    return files;
  }
  for (const pair of (node as YAMLMap).items) {
    const name = scalarKey(pair.key);
    const keyNode = pair.key as Node;
    if (name === undefined || name === '') {
      errors.push(errorAt(src, keyNode ?? at, 'tags-invalid', 'files: each key must be a file name'));
      continue;
    }
    if (name.includes('/')) {
      errors.push(
        errorAt(
          src,
          keyNode,
          'tags-invalid',
          `files.${name}: a files entry names a file in this folder, without '/'; put a tags.yaml in the folder that holds it`,
        ),
      );
      continue;
    }
    if (!isConfigPathShape(name)) {
      errors.push(
        errorAt(
          src,
          keyNode,
          'tags-invalid',
          `files.${name}: not a config file name (.yaml, .yml or .json, not tags.yaml)`,
        ),
      );
      continue;
    }
    const entry = resolveAlias(src, pair.value as Node | null);
    if (!isMap(entry)) {
      errors.push(
        errorAt(
          src,
          entry ?? keyNode,
          'tags-invalid',
          `files.${name}: must be a mapping {tags: {...}} (got ${kindOf(entry)})`,
        ),
      );
      continue;
    }
    let tags: Tags = {};
    for (const p of entry.items) {
      const k = scalarKey(p.key);
      if (k === 'tags')
        tags = readTagMap(src, p.value as Node | null, `files.${name}.tags`, p.key as Node, errors);
      else
        errors.push(
          errorAt(
            src,
            p.key as Node,
            'tags-invalid',
            `files.${name}: unknown key ${k === undefined ? '' : `"${k}"`}; only tags is allowed`,
          ),
        );
    }
    files[name] = tags;
    const pos = src.lines.linePos(keyNode.range?.[0] ?? 0);
    out.fileKeyLocations[name] = { line: pos.line, column: pos.col };
  }
  return files;
}

function readTagMap(
  src: YamlSource,
  node: Node | null,
  where: string,
  at: Node,
  errors: ConfigError[],
): Tags {
  const tags: Tags = {};
  node = resolveAlias(src, node);
  if (node === null || (isScalar(node) && node.value === null)) return tags;
  if (!isMap(node)) {
    errors.push(
      errorAt(
        src,
        node ?? at,
        'tags-invalid',
        `${where}: must be a mapping of tag key to value (got ${kindOf(node)})`,
      ),
    );
    return tags;
  }
  for (const pair of node.items) {
    if (!isPair(pair)) continue;
    const key = scalarKey(pair.key);
    if (key === undefined) {
      errors.push(
        errorAt(src, pair.key as Node, 'tag-key-invalid', `${where}: a tag key must be a plain string`),
      );
      continue;
    }
    const keyProblem = tagKeyProblem(key);
    if (keyProblem) {
      const reserved = (RESERVED_TAGS as readonly string[]).includes(key);
      errors.push(
        errorAt(
          src,
          pair.key as Node,
          reserved ? 'tag-reserved' : 'tag-key-invalid',
          `${where}.${key}: ${keyProblem}`,
        ),
      );
      continue;
    }
    const valueNode = resolveAlias(src, pair.value as Node | null);
    const value = tagValueOf(valueNode);
    if (typeof value !== 'string') {
      errors.push(
        errorAt(
          src,
          valueNode ?? (pair.key as Node),
          'tag-value-invalid',
          `${where}.${key}: ${value.problem}`,
        ),
      );
      continue;
    }
    const problem = tagValueProblem(value);
    if (problem) {
      errors.push(
        errorAt(src, valueNode ?? (pair.key as Node), 'tag-value-invalid', `${where}.${key}: ${problem}`),
      );
      continue;
    }
    tags[key] = value;
  }
  return tags;
}

/** A tag value as a string, numbers and booleans exactly as written; or why it cannot be one. */
function tagValueOf(node: Node | null): string | { problem: string } {
  if (node === null || !isScalar(node) || node.value === null || node.value === undefined) {
    if (isSeq(node)) return { problem: 'a tag value must be a single value, not a list' };
    if (isMap(node)) return { problem: 'a tag value must be a single value, not a mapping' };
    return { problem: 'a tag value must not be empty' };
  }
  const v = node.value;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
    // As written: `1.0` stays "1.0" (String(1.0) would be "1"), `0x1F` stays "0x1F".
    const written = node.type === 'PLAIN' && typeof node.source === 'string' ? node.source : String(v);
    return written;
  }
  return { problem: `a tag value must be a string, number or boolean (got ${kindOf(node)})` };
}

function resolveAlias(src: YamlSource, node: Node | null): Node | null {
  if (node && isAlias(node)) return (node.resolve(src.doc) as Node | undefined) ?? null;
  return node;
}

function scalarKey(key: unknown): string | undefined {
  if (!isScalar(key) || key.value === null || typeof key.value === 'object') return undefined;
  return String(key.value);
}

function kindOf(node: unknown): string {
  if (node === null || node === undefined) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node))
    return node.value === null ? 'nothing' : `the ${typeof node.value} ${JSON.stringify(node.value)}`;
  return 'something else';
}

/**
 * The item's identity as one stable string: `namespace?k1=v1&k2=v2`, keys sorted by code point, keys and values
 * URI-encoded. Two configs with the same string are the same V2 item.
 */
export function itemIdentity(namespace: string, tags: Record<string, string>): string {
  const keys = Object.keys(tags).sort(compareCodePoints);
  return `${namespace}?${keys.map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(tags[k] as string)}`).join('&')}`;
}

/** Tags with keys in sorted order (the shape every manifest and report uses). */
export function sortTags(tags: Record<string, string>): Tags {
  const out: Tags = {};
  for (const k of Object.keys(tags).sort(compareCodePoints)) out[k] = tags[k] as string;
  return out;
}

export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
