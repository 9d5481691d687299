import { ConfigError, formatBytes, sha256Hex } from '@itemstore/core';
import { isPlainObject, nodeInfo, orderedKeys } from './json-value.js';

/**
 * The V2 bytes: what `JSON.stringify(value, null, 2) + "\n"` prints, except that object keys keep their source
 * order even when they look like integers (a JS object would list "200" before "a").
 */
export function stringifyV2(value: unknown, limit?: ContentLimit): string {
  const parts: Parts = Object.assign([] as string[], { size: 0, limit });
  write(value, '', parts, 0);
  parts.push('\n');
  const text = parts.join('');
  if (limit && Buffer.byteLength(text, 'utf8') > limit.maxBytes) throw tooLarge(limit, value);
  return text;
}

/** Refuse (a located ConfigError) before the text grows past maxBytes. */
export interface ContentLimit {
  maxBytes: number;
  file: string;
}

type Parts = string[] & { size: number; limit: ContentLimit | undefined };

function tooLarge(limit: ContentLimit, at: unknown): ConfigError {
  const info = nodeInfo(at);
  return new ConfigError(
    'content-too-large',
    `the converted JSON is over ${formatBytes(limit.maxBytes)}, the largest content Item Store V2 stores`,
    { file: limit.file, ...(info ? { line: info.line, column: info.column } : {}) },
  );
}

/** Counts what was written (UTF-16 units, at most its UTF-8 bytes) and stops at the limit. */
function charge(out: Parts, container: object, n: number): void {
  if (!out.limit) return;
  out.size += n;
  if (out.size > out.limit.maxBytes) throw tooLarge(out.limit, container);
}

function write(value: unknown, indent: string, out: Parts, depth: number): void {
  if (Array.isArray(value)) {
    guardDepth(depth);
    if (value.length === 0) {
      out.push('[]');
      return;
    }
    const inner = indent + '  ';
    out.push('[');
    value.forEach((item, i) => {
      charge(out, value, inner.length + 2 + (typeof item === 'string' ? item.length : 0));
      out.push(i === 0 ? '\n' : ',\n', inner);
      write(item, inner, out, depth + 1);
    });
    out.push('\n', indent, ']');
    return;
  }
  if (isPlainObject(value)) {
    guardDepth(depth);
    const keys = orderedKeys(value);
    if (keys.length === 0) {
      out.push('{}');
      return;
    }
    const inner = indent + '  ';
    out.push('{');
    keys.forEach((k, i) => {
      charge(out, value, inner.length + k.length + 6);
      out.push(i === 0 ? '\n' : ',\n', inner, JSON.stringify(k), ': ');
      const v = value[k];
      if (typeof v === 'string') charge(out, value, v.length);
      write(v, inner, out, depth + 1);
    });
    out.push('\n', indent, '}');
    return;
  }
  out.push(scalarJson(value));
}

/** Sorted keys (by UTF-16 code units, as Array.prototype.sort does), no whitespace. */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  writeCanonical(value, out, 0);
  return out.join('');
}

function writeCanonical(value: unknown, out: string[], depth: number): void {
  if (Array.isArray(value)) {
    guardDepth(depth);
    out.push('[');
    value.forEach((item, i) => {
      if (i > 0) out.push(',');
      writeCanonical(item, out, depth + 1);
    });
    out.push(']');
    return;
  }
  if (isPlainObject(value)) {
    guardDepth(depth);
    out.push('{');
    Object.keys(value)
      .sort()
      .forEach((k, i) => {
        if (i > 0) out.push(',');
        out.push(JSON.stringify(k), ':');
        writeCanonical(value[k], out, depth + 1);
      });
    out.push('}');
    return;
  }
  out.push(scalarJson(value));
}

/** SHA-256 hex of canonicalJson: the same config gives the same hash from legacy YAML, YAML or JSON. */
export function canonicalHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

function scalarJson(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`not a JSON value: ${value}`);
    return JSON.stringify(value);
  }
  throw new TypeError(`not a JSON value: ${typeof value}`);
}

/** Values from our parsers are at most 256 deep; a deeper value from elsewhere must not overflow the stack. */
function guardDepth(depth: number): void {
  if (depth > 2000) throw new TypeError('value nested too deeply to serialize');
}
