import { isUtf8 } from 'node:buffer';
import { ConfigError, LIMITS, formatBytes } from '@itemstore/core';

/** 1 MiB: the SPEC's default size limit for one config file (LIMITS.configBytesDefault). */
export const DEFAULT_MAX_BYTES: number = LIMITS.configBytesDefault;

/** Text plus a line index, so any offset (a UTF-16 index into the text) becomes a 1-based line and column. */
export class SourceText {
  private lineStarts: number[] | undefined;
  constructor(
    readonly text: string,
    readonly file: string,
  ) {}

  position(offset: number): { line: number; column: number } {
    const starts = (this.lineStarts ??= lineStartsOf(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (starts[lo] as number) + 1 };
  }

  error(code: string, message: string, offset: number | undefined): ConfigError {
    return new ConfigError(code, message, {
      file: this.file,
      ...(offset === undefined ? {} : this.position(Math.max(0, Math.min(offset, this.text.length)))),
    });
  }
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/**
 * The checks every config passes before any parser sees it: the size limit (on bytes, before decoding), strict
 * UTF-8, a leading BOM dropped, and not empty. Returns the text.
 */
export function decodeConfig(
  bytes: Uint8Array | string,
  file: string,
  maxBytes = DEFAULT_MAX_BYTES,
  /**
   * Leave the control-character and empty-file checks (checkConfigText) to the caller: a .json config that
   * JSON.parse accepts has neither (JSON allows no raw control character but tab, LF and CR, and no empty text),
   * so the JSON fast path runs them only when JSON.parse refuses, before the strict parser, with the same errors.
   */
  deferTextChecks = false,
): string {
  const size = typeof bytes === 'string' ? Buffer.byteLength(bytes, 'utf8') : bytes.byteLength;
  if (size > maxBytes) {
    throw new ConfigError(
      'file-too-large',
      `${file} is ${formatBytes(size)}, over the ${formatBytes(maxBytes)} limit for a config.`,
      { file },
    );
  }
  let text: string;
  if (typeof bytes === 'string') {
    text = bytes;
  } else {
    if (isUtf8(bytes)) {
      // As TextDecoder (ignoreBOM false) would: one leading U+FEFF is the encoding's mark, not text.
      text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    } else {
      const at = firstInvalidUtf8(bytes);
      const prefix = new TextDecoder('utf-8').decode(bytes.subarray(0, at)).replace(/^\uFEFF/, '');
      const src = new SourceText(prefix, file);
      throw src.error(
        'invalid-utf8',
        `${file} is not valid UTF-8 (byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')} at offset ${at}); save it as UTF-8.`,
        prefix.length,
      );
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (!deferTextChecks) checkConfigText(text, file);
  return text;
}

/** A decoded config's text holds no control character YAML and JSON refuse, and is not empty (decodeConfig). */
export function checkConfigText(text: string, file: string): void {
  // eslint-disable-next-line no-control-regex
  const control = /[\0-\x08\x0b\x0c\x0e-\x1f]/.exec(text);
  if (control) {
    const code = control[0].charCodeAt(0);
    throw new SourceText(text, file).error(
      code === 0 ? 'nul-byte' : 'control-character',
      code === 0
        ? `${file} holds a NUL byte (\\0); a config is text: remove it (write \\u0000 inside a quoted string if you mean it)`
        : `${file} holds the control character U+${code.toString(16).padStart(4, '0').toUpperCase()}, which YAML and JSON do not allow in text: remove it or write it as an escape in a quoted string`,
      control.index,
    );
  }
  // Not text.trim() === '': that copies every text that ends with a line break; \s and trim() strip the same set.
  if (!/\S/.test(text)) {
    throw new ConfigError(
      'empty-file',
      `${file} is empty; a config needs content (delete the file to remove it).`,
      {
        file,
      },
    );
  }
}

/** Offset of the first byte that starts an invalid UTF-8 sequence (overlongs, surrogates and > U+10FFFF too). */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i] as number;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined) return i;
      if (k === 1 ? d < lo || d > hi : d < 0x80 || d > 0xbf) return i;
    }
    i += n + 1;
  }
  return b.length;
}
