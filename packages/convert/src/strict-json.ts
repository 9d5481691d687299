import type { ConfigError } from '@itemstore/core';
import { DEFAULT_MAX_DEPTH } from './codes.js';
import { defineKey, setNodeInfo } from './json-value.js';
import type { SourceText } from './source.js';

/**
 * A strict RFC 8259 parser that knows where it is. JSON.parse keeps the last of two equal keys and says nothing
 * of lines; this one rejects duplicate keys, integers JSON readers cannot hold, numbers that overflow, lone
 * surrogates and nesting past the limit, each at its line and column. Recursion is bounded by maxDepth.
 */
export function parseStrictJson(src: SourceText, maxDepth = DEFAULT_MAX_DEPTH): unknown {
  return new JsonParser(src, maxDepth).parseDocument();
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

class JsonParser {
  private pos = 0;
  private readonly text: string;
  constructor(
    private readonly src: SourceText,
    private readonly maxDepth: number,
  ) {
    this.text = src.text;
  }

  parseDocument(): unknown {
    this.skipWs();
    const value = this.parseValue(0);
    this.skipWs();
    if (this.pos < this.text.length) throw this.fail(`unexpected ${this.describe()} after the JSON value`);
    return value;
  }

  private fail(message: string, at = this.pos, code = 'json-syntax'): ConfigError {
    return this.src.error(code, message, at);
  }

  private describe(at = this.pos): string {
    if (at >= this.text.length) return 'end of file';
    const ch = this.text.codePointAt(at) as number;
    return ch < 0x20 || ch === 0x7f ? `control character U+${hex4(ch)}` : `"${String.fromCodePoint(ch)}"`;
  }

  private skipWs(): void {
    while (this.pos < this.text.length && WS.has(this.text.charCodeAt(this.pos))) this.pos++;
  }

  private parseValue(depth: number): unknown {
    const ch = this.text[this.pos];
    switch (ch) {
      case '{':
        return this.parseObject(depth + 1);
      case '[':
        return this.parseArray(depth + 1);
      case '"':
        return this.parseString();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default:
        if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return this.parseNumber();
        throw this.fail(`expected a JSON value, found ${this.describe()}`);
    }
  }

  private literal<T>(word: string, value: T): T {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return value;
    }
    throw this.fail(`expected a JSON value, found ${this.describe()}`);
  }

  private checkDepth(depth: number): void {
    if (depth > this.maxDepth)
      throw this.fail(`nesting deeper than ${this.maxDepth} levels`, this.pos, 'nesting-too-deep');
  }

  private parseArray(depth: number): unknown[] {
    this.checkDepth(depth);
    const start = this.pos++;
    const out: unknown[] = [];
    setNodeInfo(out, this.src.position(start));
    this.skipWs();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWs();
      out.push(this.parseValue(depth));
      this.skipWs();
      const ch = this.text[this.pos];
      if (ch === ',') this.pos++;
      else if (ch === ']') {
        this.pos++;
        return out;
      } else throw this.fail(`expected "," or "]" in the array, found ${this.describe()}`);
    }
  }

  private parseObject(depth: number): Record<string, unknown> {
    this.checkDepth(depth);
    const start = this.pos++;
    const out: Record<string, unknown> = {};
    const keys: string[] = [];
    const keyPositions: { line: number; column: number }[] = [];
    const seen = new Map<string, number>();
    setNodeInfo(out, { ...this.src.position(start), keys, keyPositions });
    this.skipWs();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWs();
      if (this.text[this.pos] !== '"')
        throw this.fail(`expected a string key in the object, found ${this.describe()}`);
      const keyAt = this.pos;
      const key = this.parseString();
      const first = seen.get(key);
      if (first !== undefined) {
        const p = this.src.position(first);
        throw this.fail(
          `duplicate key ${JSON.stringify(key)} (first at line ${p.line}, column ${p.column})`,
          keyAt,
          'duplicate-key',
        );
      }
      seen.set(key, keyAt);
      this.skipWs();
      if (this.text[this.pos] !== ':')
        throw this.fail(`expected ":" after the key, found ${this.describe()}`);
      this.pos++;
      this.skipWs();
      defineKey(out, key, this.parseValue(depth));
      keys.push(key);
      keyPositions.push(this.src.position(keyAt));
      this.skipWs();
      const ch = this.text[this.pos];
      if (ch === ',') this.pos++;
      else if (ch === '}') {
        this.pos++;
        return out;
      } else throw this.fail(`expected "," or "}" in the object, found ${this.describe()}`);
    }
  }

  private parseString(): string {
    const start = this.pos++;
    let out = '';
    let runStart = this.pos;
    for (;;) {
      if (this.pos >= this.text.length) throw this.fail('unterminated string', start);
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x22) {
        out += this.text.slice(runStart, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) throw this.fail(`${this.describe()} inside a string must be escaped`);
      if (c >= 0xd800 && c <= 0xdfff) {
        // Decoded UTF-8 never yields a lone surrogate; a string argument might.
        const pair = c <= 0xdbff && isLow(this.text.charCodeAt(this.pos + 1));
        if (!pair) throw this.fail('half of a surrogate pair in a string', this.pos, 'invalid-unicode');
        this.pos += 2;
        continue;
      }
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += this.text.slice(runStart, this.pos);
      const escAt = this.pos;
      const e = this.text[this.pos + 1];
      if (e === 'u') {
        const unit = this.hex(this.pos + 2);
        this.pos += 6;
        if (unit >= 0xd800 && unit <= 0xdbff && this.text.startsWith('\\u', this.pos)) {
          const low = this.hex(this.pos + 2);
          if (isLow(low)) {
            out += String.fromCharCode(unit, low);
            this.pos += 6;
            runStart = this.pos;
            continue;
          }
        }
        if (unit >= 0xd800 && unit <= 0xdfff) {
          throw this.fail(
            `\\u${hex4(unit)} is half of a surrogate pair; JSON readers disagree on what it means`,
            escAt,
            'invalid-unicode',
          );
        }
        out += String.fromCharCode(unit);
      } else if (e !== undefined && e in ESCAPES) {
        out += ESCAPES[e];
        this.pos += 2;
      } else {
        throw this.fail(`invalid escape "\\${e ?? ''}" in a string`, escAt);
      }
      runStart = this.pos;
    }
  }

  private hex(at: number): number {
    const h = this.text.slice(at, at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) throw this.fail('\\u must be followed by four hex digits', at - 2);
    return parseInt(h, 16);
  }

  private parseNumber(): number {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m || m[0] === '-') throw this.fail(`invalid number, found ${this.describe(this.pos + (m ? 1 : 0))}`);
    const start = this.pos;
    const literal = m[0];
    this.pos += literal.length;
    const next = this.text[this.pos];
    if (next !== undefined && /[0-9.eE+\-a-zA-Z]/.test(next))
      throw this.fail(`invalid number, found ${this.describe()}`);
    const value = Number(literal);
    if (!Number.isFinite(value)) {
      throw this.fail(`${literal} is too large for a double-precision number`, start, 'non-finite-number');
    }
    if (m[1] === undefined && m[2] === undefined && !Number.isSafeInteger(value)) {
      throw this.fail(
        `integer ${literal} is beyond ±(2^53−1); readers would round it (write it as a string)`,
        start,
        'integer-range',
      );
    }
    return value;
  }
}

function isLow(u: number): boolean {
  return u >= 0xdc00 && u <= 0xdfff;
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}
