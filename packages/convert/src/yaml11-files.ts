/**
 * YAML 1.1 ambiguities in whole files (yaml11.ts has the per-scalar table): list them, turn them into located
 * problems for the repo's configs, and rewrite a file so YAML 1.2 and 1.1 readers get the same values.
 */
import { ConfigError } from '@itemstore/core';
import { DEFAULT_MAX_BYTES, SourceText, decodeConfig } from './source.js';
import { documentToJson, isEmptyDocument, parseYamlStream, type YamlLimits } from './yaml-json.js';
import { yaml11Message, type Yaml11Finding } from './yaml11.js';
import { configSyntax } from './parse-config.js';
import { canonicalJson } from './serialize.js';

export const YAML11_CODE = 'yaml11-ambiguous';

/**
 * Every plain scalar of a YAML file (all its documents) that YAML 1.1 and YAML 1.2 read differently, in file
 * order. JSON files have none. Throws the file's parse errors as ConfigErrors.
 */
export function yaml11Findings(
  bytes: Uint8Array | string,
  options: YamlLimits & { file: string; maxBytes?: number },
): Yaml11Finding[] {
  if (configSyntax(options.file) === 'json') return [];
  const src = new SourceText(
    decodeConfig(bytes, options.file, options.maxBytes ?? DEFAULT_MAX_BYTES),
    options.file,
  );
  const findings: Yaml11Finding[] = [];
  for (const doc of parseYamlStream(src, options)) {
    if (isEmptyDocument(doc)) continue;
    documentToJson(doc, src, { ...options, yaml11: { onFinding: (f) => findings.push(f) } });
  }
  return findings.sort((a, b) => a.start - b.start);
}

/**
 * A repo config's findings as located problems: errors when S3 receives the file's bytes (`s3Bytes`: legacy
 * readers read this very text), warnings otherwise (V2 reads YAML 1.2; the author may have meant the 1.1 value).
 */
export function yaml11Problems(
  findings: readonly Yaml11Finding[],
  file: string,
  s3Bytes: boolean,
): ConfigError[] {
  return findings.map(
    (f) =>
      new ConfigError(
        YAML11_CODE,
        yaml11Message(f, s3Bytes),
        { file, line: f.line, column: f.column },
        { severity: s3Bytes ? 'error' : 'warning' },
      ),
  );
}

/**
 * The file with every ambiguous plain scalar replaced by one that YAML 1.2 and YAML 1.1 both read as the 1.1
 * value (`yes` → `true`, `0755` → `493`, `1:30` → `90`, `2001-12-14` → `"2001-12-14"`), and the list of
 * replacements. Comments, order and formatting are kept. The result is read back under both versions and must
 * give the 1.1 value of the original, else this throws (a bug).
 */
export function rewriteYaml11(
  bytes: Uint8Array | string,
  options: YamlLimits & { file: string; maxBytes?: number },
): { text: string; rewrites: Yaml11Finding[] } {
  const text = decodeConfig(bytes, options.file, options.maxBytes ?? DEFAULT_MAX_BYTES);
  const rewrites = yaml11Findings(text, options);
  if (!rewrites.length) return { text, rewrites };
  let out = '';
  let at = 0;
  for (const f of rewrites) {
    out += text.slice(at, f.start) + f.rewrite;
    at = f.end;
  }
  out += text.slice(at);
  const want = valuesOf(text, options, true);
  if (valuesOf(out, options, false) !== want || valuesOf(out, options, true) !== want) {
    throw new Error(`${options.file}: the YAML 1.1 rewrite reads back as a different value (a bug)`);
  }
  return { text: out, rewrites };
}

function valuesOf(text: string, options: YamlLimits & { file: string }, as11: boolean): string {
  const src = new SourceText(text, options.file);
  const docs = parseYamlStream(src, options).map((doc) =>
    isEmptyDocument(doc)
      ? null
      : documentToJson(doc, src, { ...options, ...(as11 ? { yaml11: { read: true } } : {}) }),
  );
  return canonicalJson(docs);
}
