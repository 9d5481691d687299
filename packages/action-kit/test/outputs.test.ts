// setOutputs writes the GITHUB_OUTPUT file as @actions/core's setOutput does (one heredoc per output, a random
// delimiter each), without loading node:crypto.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import * as core from '@actions/core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setOutputs, uuidV4 } from '../src/index.js';

const HEREDOC =
  /^([^\n<]+)<<(ghadelimiter_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})\n([\s\S]*?)\n\2\n/;

/** Splits a GITHUB_OUTPUT file into [name, delimiter, value] as the runner reads it. */
function heredocs(text: string): [string, string, string][] {
  const out: [string, string, string][] = [];
  for (let rest = text; rest;) {
    const m = HEREDOC.exec(rest);
    if (!m) throw new Error(`not a heredoc: ${JSON.stringify(rest.slice(0, 80))}`);
    out.push([m[1] as string, m[2] as string, m[3] as string]);
    rest = rest.slice(m[0].length);
  }
  return out;
}

describe('setOutputs', () => {
  let dir: string;
  let file: string;
  const saved = process.env.GITHUB_OUTPUT;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'itemstore-outputs-'));
    file = join(dir, 'output');
    writeFileSync(file, '');
    process.env.GITHUB_OUTPUT = file;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.GITHUB_OUTPUT;
    else process.env.GITHUB_OUTPUT = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  test('the same file as one core.setOutput call per output, delimiters aside', () => {
    const outputs = {
      manifest: '/tmp/x/changes.json',
      changed: true,
      count: 3,
      teams: '["a","b"]',
      empty: '',
      multi: 'a\nb',
    };
    setOutputs(outputs);
    const ours = heredocs(readFileSync(file, 'utf8'));
    writeFileSync(file, '');
    for (const [k, v] of Object.entries(outputs)) core.setOutput(k, String(v));
    const theirs = heredocs(readFileSync(file, 'utf8'));
    expect(ours.map(([n, , v]) => [n, v])).toEqual(theirs.map(([n, , v]) => [n, v]));
    expect(ours.map(([n, , v]) => [n, v])).toEqual(Object.entries(outputs).map(([k, v]) => [k, String(v)]));
    // A fresh random delimiter for every output.
    expect(new Set(ours.map(([, d]) => d)).size).toBe(ours.length);
  });

  test('appends to what earlier steps of the job wrote', () => {
    writeFileSync(file, 'before<<EOF\nx\nEOF\n');
    setOutputs({ a: 1 });
    expect(readFileSync(file, 'utf8').startsWith('before<<EOF\nx\nEOF\na<<ghadelimiter_')).toBe(true);
  });

  test('a missing output file is refused as @actions/core refuses it', () => {
    rmSync(file);
    expect(() => setOutputs({ a: 1 })).toThrow(`Missing file at path: ${file}`);
  });

  test('UUIDs are version 4, variant 10', () => {
    expect(uuidV4(new Uint8Array(16).fill(0xff))).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
    expect(uuidV4(new Uint8Array(16))).toBe('00000000-0000-4000-8000-000000000000');
  });
});
