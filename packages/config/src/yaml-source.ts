/**
 * Reading the repo's own YAML files (item-store.yaml, tags.yaml) with positions, so every problem points at the
 * offending key or value. Config contents are read by @itemstore/convert, not here.
 */
import { ConfigError } from '@itemstore/core';
import { assertYamlNesting, firstInvalidUtf8 } from '@itemstore/convert';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';

export interface YamlSource {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

/** The text of a repo YAML file (item-store.yaml, tags.yaml), or a located error when it is not UTF-8. */
export function decodeRepoText(bytes: Uint8Array, file: string): string | ConfigError {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, at));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    return new ConfigError(
      'invalid-utf8',
      `${file} is not valid UTF-8 (byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')} at offset ${at}); save it as UTF-8`,
      { file, line, column },
    );
  }
}

/** Parses one YAML 1.2 document (core schema); syntax problems come back as located ConfigErrors. */
export function parseYamlSource(text: string, file: string): { source: YamlSource; errors: ConfigError[] } {
  const lines = new LineCounter();
  const clean = text.replace(/^\uFEFF/, '');
  const nul = clean.indexOf('\0');
  if (nul >= 0) {
    const before = clean.slice(0, nul);
    const line = before.split('\n').length;
    const column = nul - before.lastIndexOf('\n');
    const err = new ConfigError('nul-byte', `${file} holds a NUL byte (\\0); it must be text: remove it`, {
      file,
      line,
      column,
    });
    return { source: { file, doc: parseDocument('{}', { lineCounter: lines }), lines }, errors: [err] };
  }
  // The yaml composer recurses: a few thousand nested brackets would abort the whole process, not throw.
  try {
    assertYamlNesting(clean, file);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { source: { file, doc: parseDocument('{}', { lineCounter: lines }), lines }, errors: [err] };
  }
  const doc = parseDocument(clean, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
    merge: false,
    version: '1.2',
  });
  const errors: ConfigError[] = [];
  for (const e of doc.errors) {
    const at = lines.linePos(e.pos[0]);
    const message =
      e.code === 'MULTIPLE_DOCS'
        ? `${file} must hold exactly one YAML document (found a second one)`
        : e.code === 'DUPLICATE_KEY'
          ? 'duplicate key: a key may appear only once in a mapping'
          : `YAML syntax error: ${e.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '')}`;
    errors.push(new ConfigError('yaml-syntax', message, { file, line: at.line, column: at.col }));
  }
  return { source: { file, doc, lines }, errors };
}

/** A ConfigError at a node (or at the start of the file when the node has no range). */
export function errorAt(
  src: YamlSource,
  node: Node | null | undefined,
  code: string,
  message: string,
): ConfigError {
  const offset = node?.range?.[0];
  if (offset === undefined) return new ConfigError(code, message, { file: src.file, line: 1, column: 1 });
  const start = src.lines.linePos(offset);
  const end = src.lines.linePos(node?.range?.[1] ?? offset);
  return new ConfigError(code, message, {
    file: src.file,
    line: start.line,
    column: start.col,
    endLine: end.line,
    endColumn: end.col,
  });
}

/**
 * The node at a JSON path (`['teams', 'ffi2', 'format']`). `want: 'key'` returns the key node of the last
 * segment (for "unknown key" problems). Falls back to the deepest node found, so an error is never unlocated.
 */
export function nodeAtPath(
  doc: Document.Parsed,
  path: readonly (string | number)[],
  want: 'key' | 'value' = 'value',
): Node | null {
  let node: unknown = doc.contents;
  let found: Node | null = (doc.contents as Node | null) ?? null;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i] as string | number;
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
      );
      if (!pair) return found;
      if (last && want === 'key') return (pair.key as Node) ?? found;
      node = pair.value;
      if (node) found = node as Node;
      else return (pair.key as Node) ?? found;
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)];
      if (!item) return found;
      node = item;
      found = item as Node;
    } else {
      return found;
    }
  }
  return found;
}

/** `teams.ffi2.format`, `environments[1]`: how a key path is named in messages. */
export function keyPath(path: readonly (string | number)[]): string {
  let s = '';
  for (const seg of path) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else s += s ? `.${seg}` : seg;
  }
  return s || '(root)';
}
