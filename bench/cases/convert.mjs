// Conversion throughput: MB/s of config bytes → V2 JSON text with `toV2Json` from @itemstore/convert (every SPEC §2
// check: strict YAML 1.2 core schema, duplicate keys, JSON-unsafe values, limits, format rules, key order kept),
// against the floor of the same work without the checks: the `yaml` package's parse + JSON.stringify
// (JSON.parse + JSON.stringify for .json configs). Ratio = ours / floor throughput (1 = no cost for the checks).
//
// Each run is a fresh process (bundled with esbuild from the package sources at the start of the case) that reads
// every file into memory first, warms the JIT on 20 files, then times one conversion pass over all of them; ours and
// the floor alternate. The figure is MB per CPU second of that pass: the work is single-threaded, and CPU time
// stays steady on a shared machine where wall time does not (wall-clock MB/s is in the notes).
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateRepo } from '../lib/synthetic-repo.mjs';
import { runMeasured, summarize } from '../lib/measure.mjs';
import { median } from '../lib/stats.mjs';
import { repoRoot } from '../lib/paths.mjs';
import { resources, row, runCase } from '../lib/case.mjs';

const WORKER = `
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fastYamlStats, toV2Json } from '@itemstore/convert';
import { parse, parseDocument } from 'yaml';

const [mode, listFile] = process.argv.slice(2);
const { dir, files } = JSON.parse(readFileSync(listFile, 'utf8'));
const inputs = files.map((f) => ({ ...f, bytes: readFileSync(join(dir, f.path)) }));

function floor(f) {
  const text = f.bytes.toString('utf8');
  const value = f.path.endsWith('.json') ? JSON.parse(text) : parse(text, { merge: true, maxAliasCount: -1 });
  return JSON.stringify(value, null, 2) + '\\n';
}
// The yaml package's parser and composer alone (a Document, no JS value, no JSON): what any converter that reports
// located errors pays before producing anything.
function parseOnly(f) {
  const doc = parseDocument(f.bytes.toString('utf8'), { merge: true, maxAliasCount: -1 });
  return doc.errors.length ? 'x' : ' ';
}
function ours(f) {
  return toV2Json(f.bytes, { file: f.path, format: f.format }).text;
}

if (mode === 'check') {
  // Not timed: both sides produce the same V2 text for every file (so they did the same work).
  let same = 0;
  for (const f of inputs) if (ours(f) === floor(f)) same++;
  // How many YAML documents the js-yaml fast path answered, and how many it gave to the exact path.
  const { fast, bailed } = fastYamlStats();
  process.stdout.write(JSON.stringify({ same, files: inputs.length, fast, bailed }) + '\\n');
} else {
  const convert = mode === 'ours' ? ours : mode === 'parse-only' ? parseOnly : floor;
  // Warm the JIT on a few files first, as a long deploy is after its first configs.
  for (const f of inputs.slice(0, 20)) convert(f);
  // Whole passes over the files until at least MIN_CPU_MS of CPU time went by: one pass over the JSON configs is
  // ~40 ms, about the size of one GC pause of V8's background threads (which process.cpuUsage counts too), so a
  // single pass made the JSON ratio swing between runs. Both sides run the same way; the rate is per pass.
  const MIN_CPU_MS = 300;
  let bytes = 0;
  let out = 0;
  let passes = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let cpuMs = 0;
  do {
    for (const f of inputs) {
      bytes += f.bytes.length;
      out += convert(f).length;
    }
    passes++;
    const cpu = process.cpuUsage(c0);
    cpuMs = (cpu.user + cpu.system) / 1000;
  } while (cpuMs < MIN_CPU_MS);
  const ms = performance.now() - t0;
  process.stdout.write(JSON.stringify({ ms, cpuMs, bytes, out, passes, files: inputs.length }) + '\\n');
}
`;

await runCase('convert', async ({ quick, runs, warmup, log }) => {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-convert-'));
  try {
    // The yaml package parses at a few MB/s, so 12 timed passes over the 94 MB of the 10,000-config repo would take
    // many minutes; throughput does not depend on the count, so a 2,000-config repo (same mix, ~19 MB) is used.
    const configs = quick ? 120 : 2_000;
    log(`convert: generating ${configs} configs`);
    const repo = await generateRepo({ dir: join(scratch, 'repo'), configs, seed: 1 });

    log('convert: bundling @itemstore/convert and yaml with esbuild');
    const worker = join(scratch, 'worker.mjs');
    await build({
      stdin: { contents: WORKER, resolveDir: repoRoot, sourcefile: 'convert-worker.mjs', loader: 'js' },
      outfile: worker,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'warning',
      banner: {
        js: "import { createRequire as benchCreateRequire } from 'node:module'; const require = benchCreateRequire(import.meta.url);",
      },
    });

    const groups = [
      { label: 'YAML', files: repo.configs.filter((c) => !c.path.endsWith('.json')) },
      { label: 'JSON', files: repo.configs.filter((c) => c.path.endsWith('.json')) },
    ].filter((g) => g.files.length > 0);

    const rows = [];
    for (const group of groups) {
      const list = join(scratch, `${group.label}.json`);
      writeFileSync(
        list,
        JSON.stringify({ dir: repo.dir, files: group.files.map(({ path, format }) => ({ path, format })) }),
      );
      const mb = group.files.reduce((n, f) => n + f.bytes, 0) / 1e6;

      const check = JSON.parse((await runWorker(worker, 'check', list)).stdout);
      log(`convert: ${group.label}: ${check.same}/${check.files} files give the same V2 text as the floor`);
      const bails =
        group.label === 'YAML'
          ? `; YAML fast path: ${check.bailed} of ${check.fast + check.bailed} files bailed to the exact path`
          : '';

      const samples = { ours: [], floor: [], 'parse-only': [] };
      const modes = group.label === 'YAML' ? ['ours', 'floor', 'parse-only'] : ['ours', 'floor'];
      for (let i = 0; i < warmup + runs; i++) {
        for (const mode of modes) {
          const r = await runWorker(worker, mode, list);
          const { ms, cpuMs, passes } = JSON.parse(r.stdout.trim().split('\n').at(-1));
          if (i >= warmup) {
            samples[mode].push({
              ...r,
              stdout: undefined,
              stderr: undefined,
              passes,
              mbps: (mb * passes) / (cpuMs / 1000),
              wallMbps: (mb * passes) / (ms / 1000),
            });
          }
        }
      }
      const ours = summarize(samples.ours);
      const floor = summarize(samples.floor);
      const oursMbps = median(samples.ours.map((s) => s.mbps));
      const floorMbps = median(samples.floor.map((s) => s.mbps));
      const oursWall = median(samples.ours.map((s) => s.wallMbps));
      const floorWall = median(samples.floor.map((s) => s.wallMbps));
      log(`convert: ${group.label}: ours ${oursMbps.toFixed(1)} MB/s, floor ${floorMbps.toFixed(1)} MB/s`);
      rows.push(
        row({
          case: `convert: ${group.label} → V2 JSON, ${group.files.length} configs (${mb.toFixed(1)} MB)`,
          ours: { value: oursMbps, unit: 'MB/s', ...resources(ours) },
          bound: {
            name: group.label === 'YAML' ? 'yaml parse + JSON.stringify' : 'JSON.parse + JSON.stringify',
            value: floorMbps,
            unit: 'MB/s',
            ...resources(floor),
          },
          notes:
            `MB per CPU second of whole passes over the files (at least 300 ms of CPU per run: ` +
            `${median(samples.ours.map((s) => s.passes))} vs ${median(samples.floor.map((s) => s.passes))} passes), ` +
            `files already in memory (wall-clock: ${oursWall.toFixed(2)} ` +
            `vs ${floorWall.toFixed(2)} MB/s); identical V2 text for ${check.same}/${check.files} files${bails}; ` +
            `median of ${runs} runs; higher is better`,
        }),
      );
      if (group.label === 'YAML') {
        // The measured floor under the YAML row's goal: the yaml package's parseDocument alone, against the same
        // parse + JSON.stringify bound (its ratio is the best a converter built on that parser could reach).
        const only = summarize(samples['parse-only']);
        const onlyMbps = median(samples['parse-only'].map((s) => s.mbps));
        rows.push(
          row({
            case: `convert floor: yaml parseDocument alone, same ${group.files.length} YAML configs`,
            ours: { value: onlyMbps, unit: 'MB/s', ...resources(only) },
            bound: {
              name: 'yaml parse + JSON.stringify',
              value: floorMbps,
              unit: 'MB/s',
              ...resources(floor),
            },
            notes:
              `the parser and composer every located-error conversion needs (Document with node ranges), no JS ` +
              `value, no JSON: ours reaches ${((oursMbps / onlyMbps) * 100).toFixed(0)} % of it (ordinary ` +
              `documents are read by js-yaml, the rest by this exact path); ` +
              `median of ${runs} runs; higher is better`,
          }),
        );
      }
    }
    return rows;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

async function runWorker(worker, mode, list) {
  const r = await runMeasured(process.execPath, [worker, mode, list], { timeoutMs: 300_000 });
  if (r.code !== 0)
    throw new Error(`convert worker (${mode}) exited with ${r.code}: ${r.stderr.trim().slice(-2000)}`);
  return r;
}
