import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@itemstore/core';
import { canonicalJson, parseConfig } from '@itemstore/convert';

/** The shared copy of the public suites (ITEMSTORE_CONFORMANCE_DIR points elsewhere, e.g. to test the skip). */
export const CONFORMANCE_ROOT = process.env.ITEMSTORE_CONFORMANCE_DIR ?? '/work/shared/conformance';
export const YAML_SUITE = join(CONFORMANCE_ROOT, 'yaml-test-suite');
export const JSON_SUITE = join(CONFORMANCE_ROOT, 'json-test-suite', 'test_parsing');

/** SPEC §2 "What JSON cannot hold" (plus empty files): the only reasons a valid YAML case may be rejected for. */
export const CANNOT_HOLD = new Set([
  'non-finite-number',
  'integer-range',
  'unsupported-tag',
  'complex-key',
  'key-collision',
  'alias-limit',
  'nesting-too-deep',
  'empty-file',
  'invalid-unicode',
  'duplicate-key',
]);

export interface YamlCase {
  id: string;
  dir: string;
  title: string;
  error: boolean;
  documents: number;
  json: string | undefined;
}

/** The suite's data layout: one folder per case (or numbered sub-folders), holding in.yaml, ===, test.event, in.json and error. */
export function yamlCases(): YamlCase[] {
  const out: YamlCase[] = [];
  for (const name of readdirSync(YAML_SUITE).sort()) {
    const dir = join(YAML_SUITE, name);
    if (!statSync(dir).isDirectory()) continue;
    const dirs = existsSync(join(dir, 'in.yaml'))
      ? [[name, dir]]
      : readdirSync(dir)
          .sort()
          .map((sub) => [`${name}/${sub}`, join(dir, sub)]);
    for (const [id, d] of dirs as [string, string][]) {
      const events = readFileSync(join(d, 'test.event'), 'utf8');
      out.push({
        id,
        dir: d,
        title: readFileSync(join(d, '==='), 'utf8').trim(),
        error: existsSync(join(d, 'error')),
        documents: events.split('\n').filter((l) => l.startsWith('+DOC')).length,
        json: existsSync(join(d, 'in.json')) ? readFileSync(join(d, 'in.json'), 'utf8') : undefined,
      });
    }
  }
  return out;
}

export type Outcome = { accepted: true; value: unknown } | { accepted: false; error: ConfigError };

export function runYamlCase(c: YamlCase): Outcome {
  try {
    return {
      accepted: true,
      value: parseConfig(readFileSync(join(c.dir, 'in.yaml')), { file: `${c.id}/in.yaml` }),
    };
  } catch (err) {
    if (err instanceof ConfigError) return { accepted: false, error: err };
    throw err;
  }
}

export function sameJson(value: unknown, jsonText: string): boolean {
  return canonicalJson(value) === canonicalJson(JSON.parse(jsonText));
}
