/**
 * The conversion corpus, pinned: for every input below, the SHA-256 of the bytes the converters write (V2 JSON, and
 * the legacy/config-list YAML where they apply), or the error code and its line:column. The pins in
 * corpus-pin.json were taken before the conversion was made faster (issue 15), so a speed-up that changes one
 * output byte, one error code or one error position fails here. A deliberate change of the output regenerates the
 * pins with `UPDATE_CORPUS_PIN=1 npm test -- packages/convert/test/corpus-pin.test.ts`; review the diff.
 *
 * Inputs: the repo's test fixtures (.json/.yaml/.yml under test/fixtures), 400 configs of the benchmark's
 * synthetic repo (bench/lib/synthetic-repo.mjs, seed 1: anchors, merge keys, block scalars, JSON configs), and
 * when /work/shared/conformance is present every yaml-test-suite in.yaml and in.json and every JSONTestSuite file
 * (each read both as .json and as .yaml).
 */
import { expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConfigError } from '@itemstore/core';
import {
  fromLegacyMultiDoc,
  toConfigListYaml,
  toLegacyMultiDoc,
  toV2Json,
  type ConfigFormat,
} from '@itemstore/convert';
import { CONFORMANCE_ROOT, JSON_SUITE, YAML_SUITE } from './yaml-suite';
// @ts-expect-error: plain ESM JavaScript of the benchmark harness, no types
import { planRepo, renderConfig } from '../../../bench/lib/synthetic-repo.mjs';

const ROOT = join(import.meta.dirname, '../../..');
const PINS = join(import.meta.dirname, 'corpus-pin.json');
const UPDATE = process.env.UPDATE_CORPUS_PIN === '1';

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 20);

function outcome(run: () => string): string {
  try {
    return sha(run());
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return `${err.code} ${err.line ?? '-'}:${err.column ?? '-'}`;
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
}

function corpus(): Record<string, string> {
  const out: Record<string, string> = {};
  const v2 = (key: string, bytes: Uint8Array | string, file: string, format: ConfigFormat = 'plain') => {
    out[key] = outcome(() => toV2Json(bytes, { file, format }).text);
  };

  // The repo's fixtures.
  for (const path of walk(join(ROOT, 'test/fixtures'))) {
    if (!/\.(json|ya?ml)$/i.test(path)) continue;
    const file = relative(ROOT, path);
    const bytes = readFileSync(path);
    v2(`fixture v2 ${file}`, bytes, file);
    if (file.includes('/convert/config-list/')) {
      v2(`fixture v2 config-list ${file}`, bytes, file, 'config-list');
      out[`fixture to-legacy ${file}`] = outcome(() =>
        toLegacyMultiDoc(toV2Json(bytes, { file, format: 'config-list' }).value, { file }),
      );
    }
    if (file.includes('/convert/legacy/')) {
      out[`fixture from-legacy ${file}`] = outcome(() => fromLegacyMultiDoc(bytes, { file }).text);
      out[`fixture to-config-list ${file}`] = outcome(() =>
        toConfigListYaml(fromLegacyMultiDoc(bytes, { file }).value, { file }),
      );
    }
  }

  // The benchmark's synthetic configs (what the detect/convert/deploy benchmarks run on).
  const plan = planRepo({ configs: 400, seed: 1, teams: 20 }) as {
    configs: { path: string; format: ConfigFormat }[];
  };
  for (const cfg of plan.configs) {
    const text = renderConfig(cfg, 1) as string;
    v2(`synthetic v2 ${cfg.path}`, text, cfg.path, cfg.format);
    if (cfg.format === 'dq') {
      out[`synthetic to-legacy ${cfg.path}`] = outcome(() =>
        toLegacyMultiDoc(toV2Json(text, { file: cfg.path, format: 'dq' }).value, { file: cfg.path }),
      );
    }
  }

  if (!existsSync(CONFORMANCE_ROOT)) return out;
  for (const name of readdirSync(YAML_SUITE).sort()) {
    const dir = join(YAML_SUITE, name);
    if (!statSync(dir).isDirectory()) continue;
    const dirs = existsSync(join(dir, 'in.yaml'))
      ? [[name, dir]]
      : readdirSync(dir)
          .sort()
          .map((sub) => [`${name}/${sub}`, join(dir, sub)]);
    for (const [id, d] of dirs as [string, string][]) {
      v2(`yaml-suite ${id}/in.yaml`, readFileSync(join(d, 'in.yaml')), `${id}/in.yaml`);
      if (existsSync(join(d, 'in.json'))) {
        v2(`yaml-suite ${id}/in.json`, readFileSync(join(d, 'in.json')), `${id}/in.json`);
      }
    }
  }
  for (const f of readdirSync(JSON_SUITE).sort()) {
    const bytes = readFileSync(join(JSON_SUITE, f));
    v2(`json-suite ${f}`, bytes, f);
    v2(`json-suite as-yaml ${f}`, bytes, f.replace(/\.json$/, '.yaml'));
  }
  return out;
}

test('the conversion corpus gives the pinned output bytes and error positions', () => {
  const actual = corpus();
  if (UPDATE) writeFileSync(PINS, JSON.stringify(actual, null, 1) + '\n');
  const pinned = JSON.parse(readFileSync(PINS, 'utf8')) as Record<string, string>;
  const expected = existsSync(CONFORMANCE_ROOT)
    ? pinned
    : Object.fromEntries(
        Object.entries(pinned).filter(([k]) => !k.startsWith('yaml-suite ') && !k.startsWith('json-suite ')),
      );
  expect(Object.keys(actual).length).toBeGreaterThan(400);
  expect(actual).toEqual(expected);
});
