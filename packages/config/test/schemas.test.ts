import { describe, expect, test } from '@jest/globals';
import type { ConfigErrors } from '@itemstore/core';
import Ajv from 'ajv';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { parseSettings, parseTagsFile } from '../src/index.js';
import { sampleRepo } from './helpers.js';

const schemasDir = join(sampleRepo, '../../../schemas');
const load = (name: string): object => JSON.parse(readFileSync(join(schemasDir, name), 'utf8')) as object;

// An ajv of our own (strict, like an editor would be), not the package's, so the published files are what is tested.
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
ajv.addVocabulary(['patternErrorMessage']);
const validateSettings = ajv.compile(load('item-store.schema.json'));
const validateTags = ajv.compile(load('tags.schema.json'));

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

describe('published JSON Schemas', () => {
  test("the sample repo's item-store.yaml and every tags file validate", () => {
    expect(validateSettings(parse(readFileSync(join(sampleRepo, 'item-store.yaml'), 'utf8')))).toBe(true);
    const tagsFiles = walk(sampleRepo).filter((f) => /(^|\/)tags\.ya?ml$/.test(f));
    expect(tagsFiles.length).toBeGreaterThanOrEqual(6);
    for (const f of tagsFiles) {
      const ok = validateTags(parse(readFileSync(f, 'utf8')));
      expect([relative(sampleRepo, f), ok, validateTags.errors]).toEqual([
        relative(sampleRepo, f),
        true,
        null,
      ]);
    }
  });

  test('every property has a description, so editors can explain it', () => {
    const missing: string[] = [];
    const visit = (node: unknown, path: string): void => {
      if (!node || typeof node !== 'object') return;
      const props = (node as { properties?: Record<string, object> }).properties;
      for (const [k, v] of Object.entries(props ?? {})) {
        if (!('description' in v)) missing.push(`${path}.${k}`);
        visit(v, `${path}.${k}`);
      }
      for (const [k, v] of Object.entries(
        (node as { definitions?: Record<string, object> }).definitions ?? {},
      ))
        visit(v, `#${k}`);
    };
    visit(load('item-store.schema.json'), 'item-store');
    visit(load('tags.schema.json'), 'tags');
    expect(missing).toEqual([]);
  });

  test('a bad settings file gives a located error that names the key', () => {
    const text = readFileSync(join(sampleRepo, 'item-store.yaml'), 'utf8').replace(
      'ffi2: { tenant: wholesale, namespace: ffi2 }',
      'ffi2: { tenant: wholesale, namespace: ffi2, fromat: plain }',
    );
    expect(validateSettings(parse(text))).toBe(false);
    let caught: unknown;
    try {
      parseSettings(text);
    } catch (err) {
      caught = err;
    }
    const [e] = (caught as ConfigErrors).errors;
    const line = text.split('\n').findIndex((l) => l.includes('fromat')) + 1;
    expect(e?.toString()).toBe(
      `item-store.yaml:${line}:${text.split('\n')[line - 1]!.indexOf('fromat') + 1}: teams.ffi2.fromat: unknown key "fromat" (did you mean "format"?)`,
    );
  });

  test('the tags schema and the tags parser agree on what is valid', () => {
    const cases: [string, boolean][] = [
      ['tags: {owner: x, version: 1.0, pii: true}\n', true],
      ['files:\n  a.yaml: {tags: {tier: gold}}\n', true],
      ['', true],
      ['tags: {name: x}\n', false],
      ['tags: {branch: x}\n', false],
      ['tags: {Owner: x}\n', false],
      ['tags: {owner: ""}\n', false],
      ['tags: {owner: [a]}\n', false],
      ['tags: {owner: {a: b}}\n', false],
      [`tags: {owner: ${'x'.repeat(257)}}\n`, false],
      ['tags: {owner: "a\\nb"}\n', false],
      ['tag: {owner: x}\n', false],
      ['files:\n  a.yaml: {owner: x}\n', false],
      ['files:\n  sub/a.yaml: {tags: {a: b}}\n', false],
      ['files:\n  README.md: {tags: {a: b}}\n', false],
      ['files:\n  tags.yml: {tags: {a: b}}\n', false],
      ['files:\n  .x.yaml: {tags: {a: b}}\n', false],
    ];
    for (const [text, valid] of cases) {
      const parserOk = parseTagsFile(text, 'tags.yaml').errors.length === 0;
      const schemaOk = validateTags(parse(text) ?? null);
      expect([text, parserOk, schemaOk]).toEqual([text, valid, valid]);
    }
  });
});
