#!/usr/bin/env node
// Benchmark: `itemstore deploy` of 1,000 changed configs against the reference V2 server with --latency 20.
//
//   npm run build && node bench/cases/deploy-v2.mjs [--quick] [--runs N] [--concurrency 16] [--configs 1000]
//                                                    [--data-root DIR]
//
// With a fixed per-request latency the best any client can do is to keep `concurrency` requests in flight all the
// time: bound = ceil(requests / concurrency) × latency. The ratio is wall time / bound (1.0 is perfect; the rest
// is Node start, reading and converting the configs, git, and the server's own work such as fsync). Requests are
// counted by the server (GET /v2/_stats, test-only), so retries and every call of the plan are included.
// Rows: a commit that changes every config (one listing, a PUT each), a first deploy (every config new: one listing,
// one batchGenerateId, a PUT each), a no-op rerun (one listing), and the floor: a minimal raw node:http client making
// the all-changed run's requests against the same server (bench/lib/raw-put-client.mjs).
// The server keeps its data on tmpfs (/dev/shm, where there is one; --data-root DIR elsewhere): it still writes and
// fsyncs every version as by default (`itemstore serve --data DIR`), but the disk's fsync latency, which the real V2
// does not share with the runner, stays out of a measurement of the client. The server shares the machine's cores
// with the client all the same; the floor row shows what that leaves any client.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runCase, row, resources } from '../lib/case.mjs';
import { runMeasured } from '../lib/measure.mjs';
import { benchDir, cliBundle, requireBundle } from '../lib/paths.mjs';
import { startV2Server } from '../lib/servers.mjs';
import { median } from '../lib/stats.mjs';

const LATENCY_MS = 20;
const { values } = parseArgs({
  options: { concurrency: { type: 'string' }, configs: { type: 'string' }, 'data-root': { type: 'string' } },
  strict: false,
});
const concurrency = Number(values.concurrency ?? 16);
const configs = Number(values.configs ?? (process.argv.includes('--quick') ? 300 : 1000));
const dataRoot = values['data-root'] ?? (existsSync('/dev/shm') ? '/dev/shm' : undefined);
const dataNote = dataRoot ? `server data in ${dataRoot}` : 'server data in the temp folder';

const SETTINGS = `version: 1
mainBranch: main
environments: [dev, qa, prod]
s3OnlySuffixes: [_SC]
tenants:
  retail:
    region: us-east-1
    s3:
      dev: { bucket: retail-dev, prefix: item-store/ }
      qa: { bucket: retail-qa, prefix: item-store/ }
      prod: { bucket: retail-prod, prefix: item-store/ }
teams:
  ffi2: { tenant: retail, namespace: ffi2 }
`;

function git(cwd, args) {
  const r = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'bench',
      GIT_AUTHOR_EMAIL: 'bench@example.com',
      GIT_COMMITTER_NAME: 'bench',
      GIT_COMMITTER_EMAIL: 'bench@example.com',
    },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** The V2 JSON text of config `i` at `revision` (what toV2Json makes of the YAML makeRepo writes). */
function v2Content(i, revision) {
  const name = `interface_${String(i).padStart(4, '0')}`;
  const value = { interface: name, source: { table: `raw.t${i}`, partitions: i % 31 } };
  for (let k = 0; k < 12; k++) value[`option_${k}`] = `value ${i}-${k}`;
  value.revision = revision;
  return { name, text: JSON.stringify(value, null, 2) + '\n' };
}

/** A config repo with `n` configs in one commit, and the resolved manifest resolve-tags would make for it. */
function makeRepo(n, revision = 0) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-deploy-v2-'));
  mkdirSync(join(dir, 'ffi2'));
  writeFileSync(join(dir, 'item-store.yaml'), SETTINGS);
  const entries = [];
  for (let i = 0; i < n; i++) {
    const name = `interface_${String(i).padStart(4, '0')}`;
    const path = `ffi2/${name}.yaml`;
    const body = [
      `# interface ${i}`,
      `interface: ${name}`,
      'source:',
      `  table: raw.t${i}`,
      `  partitions: ${i % 31}`,
    ];
    for (let k = 0; k < 12; k++) body.push(`option_${k}: value ${i}-${k}`);
    body.push(`revision: ${revision}`);
    writeFileSync(join(dir, path), body.join('\n') + '\n');
    const tags = { name, team: 'ffi2' };
    entries.push({
      path,
      status: 'added',
      reason: 'changed',
      side: 'head',
      action: 'upsert',
      team: 'ffi2',
      tenant: 'retail',
      namespace: 'ffi2',
      format: 'plain',
      name,
      tags,
      identity: `ffi2?name=${encodeURIComponent(name)}&team=ffi2`,
      targets: ['v2'],
      s3Only: false,
    });
  }
  git(dir, ['init', '-q', '--initial-branch=main']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', 'configs']);
  const headSha = git(dir, ['rev-parse', 'HEAD']);
  const manifest = {
    version: 1,
    mode: 'diff',
    event: 'push',
    branch: 'main',
    isMainBranch: true,
    baseSha: null,
    headSha,
    workingDirectory: '',
    repoRoot: dir,
    entries,
    errors: [],
  };
  const manifestFile = join(dir, '..', `${dir.split('/').pop()}-manifest.json`);
  writeFileSync(manifestFile, JSON.stringify(manifest));
  return { dir, manifestFile };
}

/**
 * A clone of the repo with a second commit that edits every config (its `revision` line), and that commit's
 * manifest: the first commit is its parent, so nothing is stale.
 */
function editAll(repo, n) {
  const next = makeRepo(n, 1);
  const dir = mkdtempSync(join(tmpdir(), 'bench-deploy-v2-edit-'));
  git(tmpdir(), ['clone', '-q', repo.dir, dir]);
  const manifest = JSON.parse(readFileSync(next.manifestFile, 'utf8'));
  for (const e of manifest.entries) writeFileSync(join(dir, e.path), readFileSync(join(next.dir, e.path)));
  git(dir, ['commit', '-q', '-a', '-m', 'edit every config']);
  const headSha = git(dir, ['rev-parse', 'HEAD']);
  const entries = manifest.entries.map((e) => ({ ...e, status: 'modified' }));
  const manifestFile = `${dir}-manifest.json`;
  writeFileSync(manifestFile, JSON.stringify({ ...manifest, repoRoot: dir, headSha, entries }));
  rmSync(next.dir, { recursive: true, force: true });
  rmSync(next.manifestFile, { force: true });
  return { dir, manifestFile };
}

async function requestCount(server) {
  const res = await fetch(`${server.url}/v2/_stats`, {
    headers: { Authorization: `Bearer ${server.token}` },
  });
  const stats = await res.json();
  return Object.entries(stats.requests)
    .filter(([route]) => !route.includes('_stats'))
    .reduce((n, [, v]) => n + v, 0);
}

/** CPU time (user + system) of a process so far, in ms, from /proc (undefined where there is none). */
function cpuOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks: USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

async function deployOnce(server, manifestFile, log) {
  const before = await requestCount(server);
  const serverCpu = cpuOf(server.pid);
  const m = await runMeasured(
    process.execPath,
    [cliBundle, 'deploy', '--manifest', manifestFile, '--concurrency', String(concurrency)],
    { env: { ...process.env, ...server.env } },
  );
  if (m.code !== 0) throw new Error(`deploy exited ${m.code}: ${m.stderr.slice(-2000)}`);
  const requests = (await requestCount(server)) - before;
  const bound = Math.ceil(requests / concurrency) * LATENCY_MS;
  const serverCpuMs = serverCpu === undefined ? undefined : cpuOf(server.pid) - serverCpu;
  log(
    `  ${m.stderr.trim().split('\n').pop()} — ${Math.round(m.wallMs)} ms, bound ${bound} ms, CPU ${m.cpuMs} ms, ` +
      `server CPU ${serverCpuMs} ms`,
  );
  return { ...m, requests, bound, serverCpuMs };
}

/**
 * The floor: bench/lib/raw-put-client.mjs (a minimal node:http client, no config read or converted) makes the
 * requests of the all-changed deploy against the same server: the listing, then a conditional PUT per item with
 * the same bodies (V2 JSON of the next revision, the same metadata fields), `concurrency` in flight.
 */
async function floorOnce(server, revision, log) {
  const contents = {};
  for (let i = 0; i < configs; i++) {
    const { name, text } = v2Content(i, revision);
    contents[name] = text;
  }
  const file = join(mkdtempSync(join(tmpdir(), 'bench-deploy-v2-floor-')), 'bodies.json');
  const metadata = { actor: 'bench (local)', commit: 'f'.repeat(40), branch: 'main' };
  writeFileSync(file, JSON.stringify({ environment: 'dev', namespace: 'ffi2', metadata, contents }));
  try {
    const before = await requestCount(server);
    const serverCpu = cpuOf(server.pid);
    const m = await runMeasured(process.execPath, [rawPutClient, file, String(concurrency)], {
      env: { ...process.env, ...server.env },
    });
    if (m.code !== 0) throw new Error(`raw PUT client exited ${m.code}: ${m.stderr.slice(-2000)}`);
    const requests = (await requestCount(server)) - before;
    const bound = Math.ceil(requests / concurrency) * LATENCY_MS;
    const serverCpuMs = serverCpu === undefined ? undefined : cpuOf(server.pid) - serverCpu;
    log(
      `  floor: ${m.stderr.trim()} — ${Math.round(m.wallMs)} ms, bound ${bound} ms, CPU ${m.cpuMs} ms, ` +
        `server CPU ${serverCpuMs} ms`,
    );
    return { ...m, requests, bound, serverCpuMs };
  } finally {
    rmSync(join(file, '..'), { recursive: true, force: true });
  }
}

const rawPutClient = join(benchDir, 'lib', 'raw-put-client.mjs');

await runCase('deploy-v2', async ({ runs, warmup, log }) => {
  requireBundle(cliBundle);
  const repo = makeRepo(configs);
  const { dir, manifestFile } = repo;
  const edit = editAll(repo, configs);
  const editFile = edit.manifestFile;
  const first = [];
  const noop = [];
  const changed = [];
  const floor = [];
  try {
    for (let i = 0; i < warmup + runs; i++) {
      // Every run starts from an empty store, so all configs are new ("changed").
      // Data on tmpfs separates the server's disk (fsync) latency from the client's cost (see the top of this file).
      const dataDir = dataRoot ? mkdtempSync(join(dataRoot, 'bench-v2-')) : undefined;
      const server = await startV2Server({ latencyMs: LATENCY_MS, ...(dataDir ? { dataDir } : {}) });
      try {
        log(`run ${i + 1}/${warmup + runs}${i < warmup ? ' (warm-up)' : ''}: first deploy`);
        const a = await deployOnce(server, manifestFile, log);
        log(`run ${i + 1}: no-op rerun`);
        const b = await deployOnce(server, manifestFile, log);
        log(`run ${i + 1}: every config changed (a commit that edits all ${configs})`);
        const c = await deployOnce(server, editFile, log);
        log(`run ${i + 1}: floor (a raw node:http client, the same listing and ${configs} conditional PUTs)`);
        const d = await floorOnce(server, 2, log);
        if (i >= warmup) {
          first.push(a);
          noop.push(b);
          changed.push(c);
          floor.push(d);
        }
      } finally {
        await server.close();
        if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(manifestFile, { force: true });
    rmSync(editFile, { force: true });
    rmSync(edit.dir, { recursive: true, force: true });
  }
  const serverCpuNote = (samples) => {
    const cpu = samples.map((s) => s.serverCpuMs).filter((v) => v !== undefined);
    return cpu.length
      ? `, server CPU ${(median(cpu) / 1000).toFixed(2)} s (the server shares the cores)`
      : '';
  };
  const toRow = (label, samples, notes) => {
    const wall = median(samples.map((s) => s.wallMs));
    const requests = median(samples.map((s) => s.requests));
    const bound = Math.ceil(requests / concurrency) * LATENCY_MS;
    const last = samples.at(-1);
    return row({
      case: label,
      ours: { value: wall, unit: 'ms', requests, ...resources(last) },
      bound: {
        name: `ceil(${requests} requests / ${concurrency}) × ${LATENCY_MS} ms`,
        value: bound,
        unit: 'ms',
      },
      notes: `${notes}; ${dataNote}${serverCpuNote(samples)}`,
    });
  };
  const floorWall = median(floor.map((s) => s.wallMs));
  const vsFloor = (samples) =>
    `; ${(median(samples.map((s) => s.wallMs)) / floorWall).toFixed(2)}× the floor row's time in the same runs`;
  // Where the time above the bound goes, from figures of the same runs: everything before the first write is what
  // the no-op rerun does (Node start, reading and converting the configs, git, the listing; plus its exit), the
  // rest is the writes; CPU per request of the client (ours minus the no-op's) and of the server.
  const med = (samples, f) => median(samples.map(f).filter((v) => v !== undefined && v !== null));
  const noopWall = med(noop, (s) => s.wallMs);
  const noopCpu = med(noop, (s) => s.cpuMs);
  const phases = (samples) => {
    const wall = med(samples, (s) => s.wallMs);
    const requests = med(samples, (s) => s.requests);
    const bound = Math.ceil(requests / concurrency) * LATENCY_MS;
    const writes = wall - noopWall;
    const clientCpu = (med(samples, (s) => s.cpuMs) - noopCpu) / requests;
    const serverCpu = med(samples, (s) => s.serverCpuMs) / requests;
    return (
      `; where the time goes: ${Math.round(noopWall)} ms before the first write (the no-op rerun: Node start, ` +
      `reading and converting ${configs} configs, the listing, exit), about ${Math.round(writes)} ms of requests ` +
      `(${(writes / bound).toFixed(2)}× the bound), each costing ${clientCpu.toFixed(2)} ms of client CPU and ` +
      `${serverCpu.toFixed(2)} ms of server CPU on the 2 shared cores`
    );
  };
  const floorCpu = med(floor, (s) => s.cpuMs);
  const floorServerCpu = med(floor, (s) => s.serverCpuMs);
  const floorRequests = med(floor, (s) => s.requests);
  const floorWhy =
    `; why this floor is above the bound: its client (${(floorCpu / 1000).toFixed(2)} s CPU, Node start included) ` +
    `and the server (${(floorServerCpu / 1000).toFixed(2)} s CPU: HTTP, JSON, MD5, and an O_DSYNC write of the ` +
    `blob and of the version-log line per PUT) spend ${((floorCpu + floorServerCpu) / floorRequests).toFixed(2)} ms ` +
    `of CPU per request on the same 2 cores, on top of each request's ${LATENCY_MS} ms, and Node start and the ` +
    `listing come before the first PUT`;
  const perConfig = (samples) => (median(samples.map((s) => s.requests)) / configs).toFixed(3);
  return [
    toRow(
      `deploy-v2: ${configs} changed configs, --latency ${LATENCY_MS}, concurrency ${concurrency}`,
      changed,
      `a commit that edits every config of items already in the store: one manifest listing, then one conditional ` +
        `PUT per config (${perConfig(changed)} requests per config: a listed item needs no generateId or getItem); ` +
        `median of runs${vsFloor(changed)}${phases(changed)}`,
    ),
    toRow(
      `deploy-v2: first deploy of ${configs} new configs, --latency ${LATENCY_MS}, concurrency ${concurrency}`,
      first,
      `into an empty store: one manifest listing, one batchGenerateId for the new items (up to 1,000 ids a request), ` +
        `then one conditional PUT per config (${perConfig(first)} requests per config); median of runs${vsFloor(first)}` +
        phases(first),
    ),
    toRow(
      `deploy-v2 floor: a raw node:http client's ${configs} conditional PUTs, --latency ${LATENCY_MS}, concurrency ${concurrency}`,
      floor,
      `bench/lib/raw-put-client.mjs against the same server right after the all-changed row: Node start, the listing, ` +
        `one If-Match PUT per item with bodies of the same size, ${concurrency} in flight, and nothing else (no config ` +
        `read, converted or planned); what this server and machine allow any client; median of runs${floorWhy}`,
    ),
    row({
      case: `deploy-v2: no-op rerun of ${configs} configs, --latency ${LATENCY_MS}, concurrency ${concurrency}`,
      ours: {
        value: median(noop.map((s) => s.wallMs)),
        unit: 'ms',
        requests: median(noop.map((s) => s.requests)),
        ...resources(noop.at(-1)),
      },
      notes:
        'same commit again: one manifest listing per namespace finds every item unchanged, no write; the time is ' +
        'Node start plus reading and converting the configs, so no request bound applies',
    }),
  ];
});
