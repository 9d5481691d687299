import { afterAll, describe, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigErrors, UsageError } from '@itemstore/core';
import { FsTree } from '@itemstore/config';
import { parseConfig } from '@itemstore/convert';
import { convertLegacy, convertLegacyFiles, normalizeRelative } from '../src/index.js';

const sample = resolve(import.meta.dirname, '../../../test/fixtures/sample-repo');
const dqFixtures = ['data-quality/default/orders_checks.yaml', 'data-quality/default/customers_checks.yaml'];
const outs: string[] = [];
afterAll(() => outs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('convertLegacyFiles', () => {
  test('every DQ fixture: to-legacy then from-legacy gives back the same JSON value', async () => {
    const out = mkdtempSync(join(tmpdir(), 'legacy-out-'));
    outs.push(out);
    const written = await convertLegacyFiles({
      tree: new FsTree(sample),
      paths: dqFixtures,
      direction: 'to-legacy',
      outputDir: out,
    });
    expect(written.map((w) => w.path)).toEqual(dqFixtures);
    for (const path of dqFixtures) {
      const legacy = readFileSync(join(out, path));
      const entries = parseConfig(readFileSync(join(sample, path)), { file: path, format: 'dq' }) as {
        config_list: unknown[];
      };
      expect(legacy.toString().match(/^---$/gm)).toHaveLength(entries.config_list.length);
      const back = convertLegacy(legacy, path, 'from-legacy');
      expect(parseConfig(back, { file: path, format: 'dq' })).toEqual(entries);
    }
  });

  test('one bad file among good ones: ConfigErrors and no file written', async () => {
    const out = mkdtempSync(join(tmpdir(), 'legacy-out-'));
    outs.push(out);
    const err = await convertLegacyFiles({
      tree: new FsTree(sample),
      paths: [...dqFixtures, 'data-router/default/missing.yaml'],
      direction: 'to-legacy',
      outputDir: out,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigErrors);
    expect((err as ConfigErrors).errors[0]).toMatchObject({
      code: 'missing-file',
      file: 'data-router/default/missing.yaml',
    });
    expect(existsSync(join(out, dqFixtures[0]!))).toBe(false);
  });

  test('paths are kept inside the repo', () => {
    expect(normalizeRelative('./a//b.yaml')).toBe('a/b.yaml');
    expect(normalizeRelative('/repo/a/b.yaml', '/repo')).toBe('a/b.yaml');
    expect(() => normalizeRelative('a/../../x.yaml')).toThrow(UsageError);
    expect(() => normalizeRelative('/etc/passwd', '/repo')).toThrow(UsageError);
  });
});
