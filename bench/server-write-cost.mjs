#!/usr/bin/env node
// Measurement: does a write to the reference V2 server cost more as the item's version count grows? (Issue 12:
// the server rewrote the whole version list on every write: 4.7 ms at 1k versions, 16 ms at 6k.)
//
//   node bench/server-write-cost.mjs [--versions 10000] [--window 500] [--data-root /dev/shm]
//
// Builds the server from the sources (esbuild), starts it in this process, and PUTs `versions` different contents
// to ONE item over real HTTP, one at a time. Prints the mean time per write in the first and the last `window`
// writes and every 1,000 versions, their ratio (flat means ≈ 1; the acceptance bound is ≤ 2), and peak RSS.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import { build } from 'esbuild';

const { values } = parseArgs({
  options: {
    versions: { type: 'string', default: '10000' },
    window: { type: 'string', default: '500' },
    'data-root': { type: 'string' },
  },
});
const N = Number(values.versions);
const W = Number(values.window);
const root = join(import.meta.dirname, '..');
const out = join(mkdtempSync(join(tmpdir(), 'write-cost-')), 'server.mjs');
await build({
  entryPoints: [join(root, 'packages/v2/src/server/server.ts')],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'error',
  alias: { '@itemstore/core': join(root, 'packages/core/src/index.ts') },
  banner: {
    js: "import { createRequire as __testCreateRequire } from 'node:module'; const require = __testCreateRequire(import.meta.url);",
  },
});
const { startServer } = await import(out);
const dataDir = mkdtempSync(join(values['data-root'] ?? tmpdir(), 'write-cost-data-'));
const token = 'bench-token';
const server = await startServer({ port: 0, dataDir, token });
const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
const gen = await fetch(`${server.url}/v2/namespaces/bench/items:generateId`, {
  method: 'POST',
  headers,
  body: JSON.stringify({ tags: { name: 'one-item' } }),
});
const { itemId } = await gen.json();
const url = `${server.url}/v2/items/${itemId}/environments/dev/contents`;
const times = [];
let peakRss = 0;
for (let i = 1; i <= N; i++) {
  const content = `{\n  "version": ${i},\n  "payload": "${'x'.repeat(200)}"\n}\n`;
  const md5 = createHash('md5').update(content).digest('hex');
  const body = JSON.stringify({
    content,
    md5,
    metadata: { commit: md5.repeat(2).slice(0, 40), path: 'bench/one.yaml' },
  });
  const t0 = process.hrtime.bigint();
  const res = await fetch(url, { method: 'PUT', headers, body });
  await res.arrayBuffer();
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  if (res.status !== 201) throw new Error(`write ${i}: HTTP ${res.status}`);
  if (i % 250 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
}
const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
const first = mean(times.slice(0, W));
const last = mean(times.slice(-W));
console.log(`reference server, ${N} versions of one item, sequential PUTs over HTTP (data in ${dataDir})`);
for (let k = 1000; k <= N; k += 1000) {
  console.log(
    `  versions ${String(k - 999).padStart(5)}–${String(k).padStart(5)}: ${mean(times.slice(k - 1000, k)).toFixed(2)} ms/write`,
  );
}
console.log(
  `first ${W}: ${first.toFixed(2)} ms/write; last ${W}: ${last.toFixed(2)} ms/write; ratio ${(last / first).toFixed(2)} (bound 2.0)`,
);
console.log(
  `peak RSS ${(Math.max(peakRss, process.memoryUsage().rss) / 2 ** 20).toFixed(0)} MiB (client and server in one process)`,
);
await server.close();
rmSync(dataDir, { recursive: true, force: true });
process.exitCode = last / first <= 2 ? 0 : 1;
