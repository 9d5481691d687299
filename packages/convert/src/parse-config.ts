import { ConfigError, LIMITS } from '@itemstore/core';
import type { YamlLimits } from './yaml-json.js';
import { documentToJson, isEmptyDocument, parseYamlStream } from './yaml-json.js';
import { isPlainObject, isSourceOrdered, markSourceOrdered, nodeInfo } from './json-value.js';
import { fastYamlValue } from './fast-yaml.js';
import { nativeV2Json } from './native-json.js';
import { DEFAULT_MAX_BYTES, SourceText, checkConfigText, decodeConfig } from './source.js';
import { parseStrictJson } from './strict-json.js';
import { stringifyV2 } from './serialize.js';

/** A team's config format (item-store.yaml `teams.<name>.format`). */
export type ConfigFormat = 'plain' | 'config-list' | 'dq';

export interface ConvertOptions extends YamlLimits {
  /** Repo-relative path: named in every error, and its extension (.json/.yaml/.yml) picks the parser. */
  file: string;
  /** `config-list` and `dq` require a root mapping whose `config_list` is a list. Default `plain`. */
  format?: ConfigFormat;
  /** Default 1 MiB. */
  maxBytes?: number;
}

export const CONFIG_FORMATS: readonly ConfigFormat[] = ['plain', 'config-list', 'dq'];

export function configSyntax(file: string): 'json' | 'yaml' | undefined {
  const ext = /\.([^./\\]+)$/.exec(file)?.[1]?.toLowerCase();
  if (ext === 'json') return 'json';
  if (ext === 'yaml' || ext === 'yml') return 'yaml';
  return undefined;
}

/** Parse a config's bytes to a JSON value; every problem is a ConfigError with file, line and column. */
export function parseConfig(bytes: Uint8Array | string, options: ConvertOptions): unknown {
  return parse(bytes, options, true).value;
}

/**
 * `native`: a .json config is read with JSON.parse when native-json.ts is sure that gives the strict parser's value
 * (a value without positions); any problem, and any doubt, is decided by the strict parser, which locates it.
 */
function parse(
  bytes: Uint8Array | string,
  options: ConvertOptions,
  native: boolean,
): { value: unknown; text?: string } {
  const { file } = options;
  const syntax = configSyntax(file);
  if (!syntax) {
    throw new ConfigError('unsupported-file-type', `${file}: a config must be a .json, .yaml or .yml file.`, {
      file,
    });
  }
  const jsonFast = native && syntax === 'json';
  const text = decodeConfig(bytes, file, options.maxBytes ?? DEFAULT_MAX_BYTES, jsonFast);
  if (jsonFast) {
    const fast = nativeV2Json(text, options.maxDepth, typeof bytes !== 'string');
    if (fast && passesFormat(fast.value, options.format ?? 'plain', file)) {
      markSourceOrdered(fast.value);
      return fast;
    }
    // JSON.parse refused it (or a doubt): the checks decodeConfig left, then the strict parser, as without the fast
    // path.
    checkConfigText(text, file);
  }
  if (native && syntax === 'yaml') {
    // js-yaml, when fast-yaml.ts can prove the exact path below would give the same value; else undefined.
    const value = fastYamlValue(text, options);
    if (value !== undefined && passesFormat(value, options.format ?? 'plain', file)) {
      markSourceOrdered(value);
      return { value };
    }
  }
  const src = new SourceText(text, file);
  const value = syntax === 'json' ? parseStrictJson(src, options.maxDepth) : parseSingleYaml(src, options);
  checkFormat(value, options.format ?? 'plain', file);
  return { value };
}

/** The V2 bytes: `JSON.stringify(value, null, 2) + "\n"` with the source key order kept. */
export function toV2Json(
  bytes: Uint8Array | string,
  options: ConvertOptions,
): { value: unknown; text: string } {
  const { value, text: native } = parse(bytes, options, true);
  const maxBytes = options.maxContentBytes ?? LIMITS.contentBytes;
  if (isSourceOrdered(value)) {
    // Every object lists its keys in source order, so the native serializer writes the same bytes.
    const text = native ?? JSON.stringify(value, null, 2) + '\n';
    // A UTF-16 unit is at most 3 UTF-8 bytes: most texts need no count.
    if (text.length * 3 <= maxBytes || Buffer.byteLength(text, 'utf8') <= maxBytes) return { value, text };
    // Too large: the error is located where the limit is crossed, which needs the positions of the strict parse.
    return {
      value,
      text: stringifyV2(nodeInfo(value) ? value : parse(bytes, options, false).value, {
        maxBytes,
        file: options.file,
      }),
    };
  }
  return { value, text: stringifyV2(value, { maxBytes, file: options.file }) };
}

/** checkFormat as a question: a value that fails is parsed again strictly, so the error gets its position. */
function passesFormat(value: unknown, format: ConfigFormat, file: string): boolean {
  try {
    checkFormat(value, format, file);
    return true;
  } catch (err) {
    if (err instanceof ConfigError) return false;
    throw err;
  }
}

/** The exact path of a YAML config, without the fast path (the differential test compares the two). */
export function parseYamlExact(text: string, options: ConvertOptions): unknown {
  return parseSingleYaml(new SourceText(text, options.file), options);
}

function parseSingleYaml(src: SourceText, limits: YamlLimits): unknown {
  const docs = parseYamlStream(src, limits, (all) => {
    if (all.length > 1) {
      throw src.error(
        'multi-document',
        `${src.file} holds ${all.length} YAML documents; a config is one document. ` +
          `Run \`itemstore convert to-config-list ${src.file}\` to turn it into one document with a config_list.`,
        all[1]!.range[0],
      );
    }
  });
  const [doc] = docs;
  if (!doc || isEmptyDocument(doc)) throw noDocument(src);
  return documentToJson(doc, src, limits);
}

export function noDocument(src: SourceText): ConfigError {
  return new ConfigError('empty-file', `${src.file} has no YAML document (only comments or markers).`, {
    file: src.file,
    line: 1,
    column: 1,
  });
}

/** Team formats config-list and dq: root mapping with a `config_list` list (dq: nothing else, see README). */
export function checkFormat(value: unknown, format: ConfigFormat, file: string): void {
  if (format === 'plain') return;
  const rootInfo = nodeInfo(value);
  const at = rootInfo ? { line: rootInfo.line, column: rootInfo.column } : {};
  if (!isPlainObject(value) || !Array.isArray(value.config_list)) {
    const got = !isPlainObject(value)
      ? `the root is ${describe(value)}`
      : 'config_list' in value
        ? `config_list is ${describe(value.config_list)}`
        : 'there is no config_list key';
    const where = isPlainObject(value) && 'config_list' in value ? keyPosition(value, 'config_list') : at;
    throw new ConfigError(
      'config-list-shape',
      `team format ${format} needs a root mapping with a config_list list, but ${got}.`,
      { file, ...where },
    );
  }
  if (format === 'dq') {
    const extra = Object.keys(value).filter((k) => k !== 'config_list');
    if (extra.length > 0) {
      throw new ConfigError(
        'config-list-shape',
        `team format dq holds only config_list (S3 gets its entries as legacy documents), but the root also has ` +
          `${extra.map((k) => JSON.stringify(k)).join(', ')}.`,
        { file, ...keyPosition(value, extra[0]!) },
      );
    }
  }
}

function keyPosition(obj: object, key: string): { line?: number; column?: number } {
  const info = nodeInfo(obj);
  const i = info?.keys?.indexOf(key) ?? -1;
  const p = i >= 0 ? info?.keyPositions?.[i] : undefined;
  return p ?? (info ? { line: info.line, column: info.column } : {});
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `a ${typeof v} (${JSON.stringify(v)})`;
}
