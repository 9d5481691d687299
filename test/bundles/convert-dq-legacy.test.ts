/**
 * convert-dq-legacy run the way the runner runs it (`node dist/convert-dq-legacy/index.js` with INPUT_*).
 * Needs `npm run build`.
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedManifest } from '@itemstore/core';
import { parseConfig } from '@itemstore/convert';
import { runBundle } from '../helpers/run-bundle.js';
import {
  ConfigRepo,
  DQ_CONFIG,
  DQ_LEGACY,
  baseFiles,
  entryOf,
  manifestOf,
} from '../../packages/s3/test/fixtures.js';

function workspace(extra: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'dq-legacy-ws-'));
  const repo = new ConfigRepo(join(dir, 'configs'));
  repo.write({ ...baseFiles('bucket'), ...extra });
  return { dir, repo };
}

describe('convert-dq-legacy bundle', () => {
  test('files: to-legacy writes the legacy text, from-legacy gives back the same value', async () => {
    const ws = workspace({
      'data-quality/default/more.json': '{"config_list": [{"rule_id": "x", "count": 1}]}\n',
    });
    const out = join(ws.dir, 'legacy');
    const res = await runBundle('convert-dq-legacy', {
      workspace: ws.dir,
      inputs: {
        files: 'data-quality/default/orders_checks.yaml\n./data-quality/default/more.json',
        'working-directory': 'configs',
        'output-dir': 'legacy',
      },
    });
    expect(res.exitCode).toBe(0);
    expect(res.outputs).toEqual({ 'output-dir': out, converted: '2' });
    const legacyPath = join(out, 'data-quality/default/orders_checks.yaml');
    expect(readFileSync(legacyPath, 'utf8')).toBe(DQ_LEGACY);
    expect(readFileSync(join(out, 'data-quality/default/more.json'), 'utf8')).toBe(
      '---\nrule_id: x\ncount: 1\n',
    );
    expect(res.summary).toContain('DQ to-legacy: 2 file(s)');

    const back = await runBundle('convert-dq-legacy', {
      workspace: ws.dir,
      inputs: {
        files: 'data-quality/default/orders_checks.yaml, data-quality/default/more.json',
        'working-directory': 'legacy',
        direction: 'from-legacy',
        'output-dir': 'roundtrip',
      },
    });
    expect(back.exitCode).toBe(0);
    const file = 'data-quality/default/orders_checks.yaml';
    const again = readFileSync(join(ws.dir, 'roundtrip', file));
    expect(parseConfig(again, { file, format: 'dq' })).toEqual(
      parseConfig(DQ_CONFIG, { file, format: 'dq' }),
    );
    expect(
      JSON.parse(readFileSync(join(ws.dir, 'roundtrip/data-quality/default/more.json'), 'utf8')),
    ).toEqual({
      config_list: [{ rule_id: 'x', count: 1 }],
    });
  });

  test('manifest: converts only the configs S3 stores in the legacy format', async () => {
    const ws = workspace();
    const entries = (await ws.repo.resolve()).map((c) => entryOf(c, 'upsert'));
    const manifest: ResolvedManifest = {
      ...manifestOf(ws.repo, entries),
      repoRoot: ws.dir,
      workingDirectory: 'configs',
    };
    const file = join(ws.dir, 'resolved.json');
    writeFileSync(file, JSON.stringify(manifest));
    const res = await runBundle('convert-dq-legacy', {
      workspace: ws.dir,
      inputs: { manifest: 'resolved.json', 'output-dir': 'out' },
    });
    expect(res.exitCode).toBe(0);
    expect(res.outputs.converted).toBe('1');
    expect(readFileSync(join(ws.dir, 'out/data-quality/default/orders_checks.yaml'), 'utf8')).toBe(DQ_LEGACY);
    expect(existsSync(join(ws.dir, 'out/data-router'))).toBe(false);
  });

  test('one bad file: nothing is written, the error is annotated at its line', async () => {
    const ws = workspace({ 'data-quality/default/bad.yaml': 'config_list:\n  - rule_id: a\n  - [x\n' });
    const res = await runBundle('convert-dq-legacy', {
      workspace: ws.dir,
      inputs: {
        files: 'data-quality/default/orders_checks.yaml\ndata-quality/default/bad.yaml',
        'working-directory': 'configs',
        'output-dir': 'out',
      },
    });
    expect(res.exitCode).toBe(1);
    const err = res.commands.find((c) => c.command === 'error' && c.properties.file);
    expect(err?.properties).toMatchObject({ file: 'configs/data-quality/default/bad.yaml' });
    expect(Number(err?.properties.line)).toBeGreaterThanOrEqual(3);
    expect(existsSync(join(ws.dir, 'out/data-quality/default/orders_checks.yaml'))).toBe(false);
  });

  test('input mistakes fail with one sentence', async () => {
    const ws = workspace();
    const neither = await runBundle('convert-dq-legacy', { workspace: ws.dir, inputs: {} });
    expect(neither.exitCode).toBe(1);
    expect(neither.stdout).toContain(
      '::error::convert-dq-legacy: Give either the "files" input or the "manifest" input',
    );
    const outside = await runBundle('convert-dq-legacy', {
      workspace: ws.dir,
      inputs: { files: '../etc/passwd', 'working-directory': 'configs' },
    });
    expect(outside.stdout).toContain('is outside the working directory');
  });
});
