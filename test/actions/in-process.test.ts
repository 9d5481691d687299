/**
 * Each action's main.ts exports run(): the bundle entry calls it, and so can a test, in-process. The same cases
 * run through the bundles in test/bundles/.
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/run-bundle.js';
import { runInProcess } from '../helpers/run-in-process.js';
import { ConfigRepo, DQ_LEGACY, baseFiles } from '../../packages/s3/test/fixtures.js';

describe('action mains export run() and keep no module state', () => {
  test.each(
    readdirSync(join(repoRoot, 'actions')).filter((n) => existsSync(join(repoRoot, 'actions', n, 'main.ts'))),
  )('%s', (name) => {
    const text = readFileSync(join(repoRoot, 'actions', name, 'main.ts'), 'utf8');
    expect(text).toMatch(/^export (async )?function run\(\): Promise<void>/m);
    expect(text).not.toMatch(/^await /m);
    expect(text).not.toMatch(/^let /m);
  });
});

describe('convert-dq-legacy in-process', () => {
  test('files: to-legacy writes the legacy text and sets the outputs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dq-legacy-inproc-'));
    new ConfigRepo(join(dir, 'configs')).write(baseFiles('bucket'));
    const res = await runInProcess('convert-dq-legacy', {
      workspace: dir,
      inputs: {
        files: 'data-quality/default/orders_checks.yaml',
        'working-directory': 'configs',
        'output-dir': 'legacy',
      },
    });
    expect(res.exitCode).toBe(0);
    expect(res.outputs).toEqual({ 'output-dir': join(dir, 'legacy'), converted: '1' });
    expect(readFileSync(join(dir, 'legacy/data-quality/default/orders_checks.yaml'), 'utf8')).toBe(DQ_LEGACY);
    expect(res.summary).toContain('DQ to-legacy: 1 file(s)');
  });

  test('a usage error fails the step with one sentence, and run() can be called again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dq-legacy-inproc-'));
    const res = await runInProcess('convert-dq-legacy', { workspace: dir, inputs: {} });
    expect(res.exitCode).toBe(1);
    expect(res.commands.map((c) => c.message).join('\n')).toContain(
      'Give either the "files" input or the "manifest" input',
    );
  });
});
