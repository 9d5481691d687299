// Times each hostile input through the real conversion code (bundled on the fly with esbuild), in process, and
// checks each ends in the expected located error. Run: node packages/convert/bench/hostile.mjs
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('../../..', import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), 'convert-bench-'));
const bundle = join(out, 'convert.mjs');
await build({
  entryPoints: [join(root, 'packages/convert/src/index.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: bundle,
  logLevel: 'error',
  // yaml is CommonJS and requires node builtins; an ESM bundle needs a real require for them.
  banner: {
    js: "import { createRequire as benchCreateRequire } from 'node:module'; const require = benchCreateRequire(import.meta.url);",
  },
});
const { parseConfig, fromLegacyMultiDoc } = await import(pathToFileURL(bundle).href);

const N = 10_000;
const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
for (const [p, c] of ['ab', 'bc', 'cd', 'de', 'ef', 'fg', 'gh', 'hi'])
  laughs.push(
    `${c}: &${c} [${Array(9)
      .fill('*' + p)
      .join(',')}]`,
  );
// 15,000 entries: about 1 MiB of YAML whose V2 JSON stays under the 2 MiB content limit (20,000 were over it).
const bigRealistic = Array.from(
  { length: 15_000 },
  (_, i) => `  - {rule_id: r${i}, dataset: retail.orders, threshold: ${i / 7}}`,
);
const cases = [
  ['billion laughs (YAML)', 'bomb.yaml', laughs.join('\n') + '\n', 'alias-limit'],
  ['10,000-deep flow [[[', 'deep.yaml', '['.repeat(N) + ']'.repeat(N), 'nesting-too-deep'],
  ['10,000-deep block - - -', 'deep.yaml', '- '.repeat(N) + 'x\n', 'nesting-too-deep'],
  ['10,000-deep JSON', 'deep.json', '['.repeat(N) + ']'.repeat(N), 'nesting-too-deep'],
  ['5 MiB file', 'big.yaml', Buffer.alloc(5 * 1024 * 1024, 'a: 1\n'), 'file-too-large'],
  ['invalid UTF-8', 'latin1.yaml', Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]), 'invalid-utf8'],
  [
    'legacy file with a bomb in doc 2',
    'legacy.yaml',
    '---\na: 1\n---\n' + laughs.join('\n'),
    'alias-limit',
    true,
  ],
  [
    '~1 MiB valid YAML (15,000 flow entries)',
    'big-ok.yaml',
    'config_list:\n' + bigRealistic.join('\n') + '\n',
    null,
  ],
];
let failed = false;
for (const [name, file, input, code, legacy] of cases) {
  const t0 = performance.now();
  let got = 'accepted';
  try {
    if (legacy) fromLegacyMultiDoc(input, { file });
    else parseConfig(input, { file, maxBytes: code === null ? 2 * 1024 * 1024 : undefined });
  } catch (err) {
    got = `${err.code} at ${err.line ?? '-'}:${err.column ?? '-'}`;
  }
  const ms = performance.now() - t0;
  const ok = code === null ? got === 'accepted' : got.startsWith(code);
  failed ||= !ok;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${name.padEnd(42)} ${ms.toFixed(1).padStart(8)} ms  ${got}  (${(input.length / 1024).toFixed(0)} KiB)`,
  );
}
rmSync(out, { recursive: true, force: true });
process.exitCode = failed ? 1 : 0;
