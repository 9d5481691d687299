import { LIMITS, ConfigError } from '@itemstore/core';
import { emitYaml } from './emit-yaml.js';
import { fastYamlValue } from './fast-yaml.js';
import { isPlainObject, setNodeInfo } from './json-value.js';
import { describe, noDocument, type ConvertOptions } from './parse-config.js';
import { canonicalJson, stringifyV2 } from './serialize.js';
import { DEFAULT_MAX_BYTES, SourceText, decodeConfig } from './source.js';
import { documentToJson, isEmptyDocument, parseYamlStream } from './yaml-json.js';

/**
 * config_list value → the legacy (V0/S3) multi-document YAML: one document per entry, in order, each starting
 * with a `---` line, in the style of emitYaml. Takes the config's root (`{config_list: [...]}`) or the list.
 */
export function toLegacyMultiDoc(value: unknown, options: { file?: string } = {}): string {
  const entries = configListEntries(value, options.file);
  if (entries.length === 0) {
    throw new ConfigError(
      'config-list-shape',
      `${options.file ?? 'the config'}: config_list is empty; the legacy format needs at least one document.`,
      options.file === undefined ? undefined : { file: options.file },
    );
  }
  const docs = entries.map((entry) => emitYaml(entry));
  const text = docs.map((doc) => `---\n${doc}`).join('');
  const file = options.file ?? 'legacy.yaml';
  assertSameValue(
    { config_list: entries },
    () =>
      readBackFast(docs) ??
      fromLegacyMultiDoc(text, { file, maxBytes: Infinity, maxContentBytes: Infinity }).value,
    'to-legacy',
  );
  return text;
}

/**
 * The written documents read back by the YAML fast path (fast-yaml.ts), or undefined when it bails on any of them.
 * A document the fast path answers for has no `---`, `...` or `%` line, so the joined text splits into exactly these
 * documents and reading each alone gives what reading the whole file gives.
 */
function readBackFast(docs: string[]): { config_list: unknown[] } | undefined {
  const values: unknown[] = [];
  for (const doc of docs) {
    const value = fastYamlValue(doc, { maxContentBytes: Infinity });
    if (value === undefined) return undefined;
    values.push(value);
  }
  return { config_list: values };
}

/** Legacy multi-document YAML → `{config_list: [...]}`, one entry per document; every SPEC rule per document. */
export function fromLegacyMultiDoc(
  bytes: Uint8Array | string,
  options: ConvertOptions,
): { value: { config_list: unknown[] }; text: string } {
  const src = new SourceText(
    decodeConfig(bytes, options.file, options.maxBytes ?? DEFAULT_MAX_BYTES),
    options.file,
  );
  const docs = parseYamlStream(src, options);
  if (docs.length === 0) throw noDocument(src);
  const contentBudget = { used: 0 };
  const entries = docs.map((doc, i) => {
    if (isEmptyDocument(doc)) {
      throw src.error(
        'empty-document',
        `document ${i + 1} of ${docs.length} is empty; remove the stray "---" (every document is one config_list entry).`,
        doc.range[0],
      );
    }
    // One size budget for the whole file: every document's aliases are charged to it.
    return documentToJson(doc, src, { ...options, contentBudget });
  });
  const value: { config_list: unknown[] } = { config_list: entries };
  setNodeInfo(value, { line: 1, column: 1, keys: ['config_list'] });
  const maxBytes = options.maxContentBytes ?? LIMITS.contentBytes;
  return { value, text: stringifyV2(value, { maxBytes, file: options.file }) };
}

/**
 * config_list value → the YAML a config author commits (`config_list:` then one list item per entry), in the
 * style of emitYaml. Comments of the legacy file are not carried over.
 */
export function toConfigListYaml(value: unknown, options: { file?: string } = {}): string {
  const entries = configListEntries(value, options.file, true);
  const root = isPlainObject(value) ? value : { config_list: entries };
  const text = emitYaml(root);
  assertSameValue(root, () => documentToJsonText(text), 'to-config-list');
  return text;
}

function documentToJsonText(text: string): unknown {
  const src = new SourceText(text, 'config-list.yaml');
  const [doc] = parseYamlStream(src);
  return doc ? documentToJson(doc, src) : undefined;
}

function configListEntries(value: unknown, file: string | undefined, allowExtraKeys = false): unknown[] {
  if (Array.isArray(value)) return value;
  const loc = file === undefined ? undefined : { file };
  if (!isPlainObject(value) || !Array.isArray(value.config_list)) {
    throw new ConfigError(
      'config-list-shape',
      `${file ?? 'the config'}: expected a mapping with a config_list list, got ${
        !isPlainObject(value)
          ? describe(value)
          : 'config_list' in value
            ? `config_list as ${describe(value.config_list)}`
            : 'no config_list key'
      }.`,
      loc,
    );
  }
  const extra = Object.keys(value).filter((k) => k !== 'config_list');
  if (extra.length > 0 && !allowExtraKeys) {
    throw new ConfigError(
      'legacy-extra-keys',
      `${file ?? 'the config'} has keys besides config_list (${extra.join(', ')}); the legacy format holds only ` +
        'the config_list entries, so they would be lost.',
      loc,
    );
  }
  return value.config_list;
}

/** The emitters must never change a value silently: read the output back and compare. */
function assertSameValue(expected: unknown, readBack: () => unknown, what: string): void {
  const want = canonicalJson(expected);
  const got = canonicalJson(readBack());
  if (want !== got) throw new Error(`${what}: the written YAML reads back as a different value (a bug)`);
}
