// writeSummary appends to GITHUB_STEP_SUMMARY exactly what core.summary.addRaw(markdown, true).write() appends, and
// refuses a file it cannot read and write with @actions/core's message.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import * as core from '@actions/core';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Summary } from '@itemstore/core';
import { writeSummary } from '../src/index.js';

describe('writeSummary', () => {
  let dir: string;
  let file: string;
  const saved = process.env.GITHUB_STEP_SUMMARY;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'itemstore-summary-'));
    file = join(dir, 'summary');
    writeFileSync(file, 'before\n');
    process.env.GITHUB_STEP_SUMMARY = file;
  });
  // core.summary keeps the path it checked first; each test checks its own.
  const forgetPath = () => Object.assign(core.summary, { _filePath: undefined });
  afterEach(() => {
    forgetPath();
    if (saved === undefined) delete process.env.GITHUB_STEP_SUMMARY;
    else process.env.GITHUB_STEP_SUMMARY = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  const sample = () =>
    new Summary().heading('Changed configs', 2).table(['path'], [['a.yaml'], ['b|c.yaml']]);

  test('appends the same bytes as core.summary', async () => {
    await writeSummary(sample());
    await writeSummary(new Summary());
    const ours = readFileSync(file, 'utf8');
    writeFileSync(file, 'before\n');
    forgetPath();
    await core.summary.addRaw(sample().toMarkdown(), true).write();
    expect(ours).toBe(readFileSync(file, 'utf8'));
    expect(ours.startsWith('before\n## Changed configs')).toBe(true);
  });

  test('a file it may not write: the same error as core.summary, nothing written', async () => {
    if (process.getuid?.() === 0) {
      // root may write anything: a missing folder is refused the same way.
      process.env.GITHUB_STEP_SUMMARY = join(dir, 'missing', 'summary');
    } else chmodSync(file, 0o400);
    const expected = await core.summary
      .addRaw('x', true)
      .write()
      .then(
        () => undefined,
        (e: Error) => e.message,
      );
    core.summary.emptyBuffer();
    expect(expected).toMatch(/^Unable to access summary file: /);
    await expect(writeSummary(sample())).rejects.toThrow(expected as string);
    delete process.env.GITHUB_STEP_SUMMARY;
    await writeSummary(sample()); // no summary file: nothing to do
  });
});
