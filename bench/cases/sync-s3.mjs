#!/usr/bin/env node
// Benchmark: `itemstore sync-s3 --full` against `aws s3 sync` (Debian's awscli, /usr/bin/aws), side by side in
// one run, against the same s3rver on 127.0.0.1, for 10,000 default/ configs (1,000 with --quick).
//
//   npm run build && node bench/cases/sync-s3.mjs [--quick] [--runs N] [--configs 10000] [--concurrency 16]
//     [--cli PATH]     another build of dist/cli/itemstore.js (`node scripts/build.mjs --outdir DIR`)
//     [--noop-only]    only the no-op rows and their listing floors (no first-sync rows): for working on the no-op
//     [--fauxqs DIR]   also run both rows against fauxqs (npm; 1.9.x runs on Node 20), installed in DIR
//                      (`npm install --prefix DIR fauxqs@1.9.2`): it computes ETags like S3 and is faster
//
// Rows (ratio = ours / aws, wall time, lower is better):
// - first sync: an empty prefix (a new prefix each run, so nothing needs emptying between runs);
// - no-op re-sync: everything already there. Source mtimes are set into the past first, so `aws s3 sync` (which
//   compares size and mtime only) also finds nothing to do; ours lists once and compares MD5 with ETags.
// Both tools keep the same number of requests in flight (aws: max_concurrent_requests in its config file). The
// configs are plain YAML/JSON (bytes stored as they are), so both do the same job; ours also parses every config
// (validation before the first write) and hashes it. PUTs are counted at the server to check each run did what
// it claims (the first sync uploads every config, the no-op run none).
// Floors, measured against the same server in the same run (the server shares the 2 cores; its own CPU per run is
// read from /proc and stated in the notes): for the first sync, a minimal client (hand-signed PUTs over node:http,
// the same files, the same requests in flight); for the no-op, listing the prefix alone, one page after another and
// in key ranges with 2 pages in flight (the method sync-s3 uses against a custom endpoint once it knows its keys).
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { runCase, row, resources } from '../lib/case.mjs';
import { measureCommand } from '../lib/measure.mjs';
import { cliBundle, repoRoot, requireBundle } from '../lib/paths.mjs';
import { startS3rver } from '../lib/servers.mjs';
import { ensureAwsCli, AWS_CLI } from '../lib/apt.mjs';

const { values } = parseArgs({
  options: {
    configs: { type: 'string' },
    concurrency: { type: 'string' },
    cli: { type: 'string' },
    fauxqs: { type: 'string' },
    'noop-only': { type: 'boolean' },
  },
  strict: false,
});
const BUCKET = 'bench-sync-s3';
// sync-s3's listing pages in flight against a custom endpoint (ENDPOINT_LIST_PAGES in packages/s3/src/sync.ts).
const RANGE_PAGES_IN_FLIGHT = 2;
// The listing floors: a Node process that lists the prefix with the SDK and nothing else, either one page after another
// (each needs the previous page's token) or, like sync-s3 once it knows its keys, as disjoint key ranges (StartAfter at
// every 1,000th expected key, read from a file of keys; each range paged until it passes the next cut) with at most
// N pages in flight (sync-s3 against a custom endpoint: 2, see listPagesInFlight in packages/s3/src/sync.ts).
const LIST_ONLY = `
import { readFileSync } from 'node:fs';
import { S3Client, ListObjectsV2Command } from '@aws-sdk/client-s3';
const [endpoint, Bucket, Prefix, keysFile, inFlight] = process.argv.slice(-5);
const s3 = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true,
  requestHandler: { httpAgent: { keepAlive: true, maxSockets: 16 } } });
const seen = new Set();
let active = 0;
const waiting = [];
async function limited(send) {
  if (active < Number(inFlight)) active++;
  else await new Promise((r) => waiting.push(r)); // the slot is handed over by the page that ends
  try { return await send(); } finally { const next = waiting.shift(); if (next) next(); else active--; }
}
async function walk(after, upTo) {
  let token;
  for (;;) {
    const page = await limited(() => s3.send(new ListObjectsV2Command({ Bucket, Prefix,
      ...(token ? { ContinuationToken: token } : after ? { StartAfter: after } : {}) })));
    let last;
    for (const o of page.Contents ?? []) { seen.add(o.Key); last = o.Key; }
    if (!page.IsTruncated) return;
    token = page.NextContinuationToken;
    if (upTo !== undefined && last !== undefined && last >= upTo) return;
  }
}
if (keysFile === '-') await walk();
else {
  const keys = readFileSync(keysFile, 'utf8').split('\\n').filter(Boolean).sort();
  const cuts = [];
  for (let i = 999; i < keys.length - 1; i += 1000) cuts.push(keys[i]);
  await Promise.all([walk(undefined, cuts[0]), ...cuts.map((c, i) => walk(c, cuts[i + 1]))]);
}
s3.destroy();
process.stdout.write(seen.size + '\\n');
`;
// The first-sync floor: the least a client can do per config against the same server. One Node process reads the
// same files and PUTs each with a minimal SigV4-signed request (Content-MD5, as sync-s3 sends) over node:http
// keep-alive sockets, 16 in flight: no SDK, no parsing, no listing, no plan.
const RAW_PUT = `
import http from 'node:http';
import { createHash, createHmac } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
const [endpoint, bucket, prefix, root, inFlight] = process.argv.slice(-5);
const url = new URL(endpoint);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(inFlight) });
const files = readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
  .map((e) => join(e.parentPath ?? e.path, e.name).slice(root.length + 1));
const sha = (d) => createHash('sha256').update(d).digest('hex');
const hmac = (k, d) => createHmac('sha256', k).update(d).digest();
const keys = new Map();
function signingKey(date) {
  if (!keys.has(date)) keys.set(date, hmac(hmac(hmac(hmac('AWS4' + process.env.AWS_SECRET_ACCESS_KEY, date), 'us-east-1'), 's3'), 'aws4_request'));
  return keys.get(date);
}
function put(rel) {
  const body = readFileSync(join(root, rel));
  const amzDate = new Date().toISOString().replace(/[-:]|\\.\\d{3}/g, '');
  const date = amzDate.slice(0, 8);
  const path = '/' + bucket + '/' + (prefix + rel).split('/').map(encodeURIComponent).join('/');
  const payload = sha(body);
  const headers = { 'content-length': String(body.length), 'content-md5': createHash('md5').update(body).digest('base64'),
    'content-type': rel.endsWith('.json') ? 'application/json' : 'application/yaml', host: url.host,
    'x-amz-content-sha256': payload, 'x-amz-date': amzDate };
  const names = Object.keys(headers).sort();
  const canonical = ['PUT', path, '', ...names.map((n) => n + ':' + headers[n]), '', names.join(';'), payload].join('\\n');
  const scope = date + '/us-east-1/s3/aws4_request';
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha(canonical)].join('\\n');
  const signature = createHmac('sha256', signingKey(date)).update(toSign).digest('hex');
  headers.authorization = 'AWS4-HMAC-SHA256 Credential=' + process.env.AWS_ACCESS_KEY_ID + '/' + scope +
    ', SignedHeaders=' + names.join(';') + ', Signature=' + signature;
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, method: 'PUT', hostname: url.hostname, port: url.port, path, headers }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(rel + ': HTTP ' + res.statusCode))));
    });
    req.on('error', reject);
    req.end(body);
  });
}
let next = 0;
const worker = async () => { while (next < files.length) await put(files[next++]); };
await Promise.all(Array.from({ length: Number(inFlight) }, worker));
agent.destroy();
process.stdout.write(files.length + '\\n');
`;
const TEAM = 'ffi2';

/** A deterministic config of roughly `size` bytes: YAML with comments, or JSON. */
function renderConfig(i, size, json) {
  const entries = [];
  let bytes = 0;
  for (let k = 0; bytes < size; k++) {
    const e = {
      step: `step_${k}`,
      table: `raw.source_${i}_${k}`,
      partitions: (i * 7 + k) % 64,
      enabled: k % 3 !== 0,
    };
    entries.push(e);
    bytes += 90;
  }
  if (json) return JSON.stringify({ interface: `feed_${i}`, revision: 1, steps: entries }, null, 2) + '\n';
  const lines = [`# interface ${i}`, `interface: feed_${i}`, 'revision: 1', 'steps:'];
  for (const e of entries) {
    lines.push(
      `  - step: ${e.step}`,
      `    table: ${e.table}`,
      `    partitions: ${e.partitions}`,
      `    enabled: ${e.enabled}`,
    );
  }
  return lines.join('\n') + '\n';
}

function makeRepo(n) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sync-s3-'));
  writeFileSync(
    join(dir, 'item-store.yaml'),
    `version: 1
mainBranch: main
environments: [dev, qa, prod]
tenants:
  retail:
    region: us-east-1
    s3:
      dev: { bucket: ${BUCKET}, prefix: item-store/ }
      qa: { bucket: ${BUCKET}-qa, prefix: item-store/ }
      prod: { bucket: ${BUCKET}-prod, prefix: item-store/ }
teams:
  ${TEAM}: { tenant: retail, namespace: ${TEAM} }
`,
  );
  writeFileSync(join(dir, 'tags.yaml'), 'tags:\n  owner: bench\n');
  const past = new Date('2020-01-01T00:00:00Z');
  let total = 0;
  const keys = [];
  for (let i = 0; i < n; i++) {
    const folder = join(dir, TEAM, 'default', `folder_${String(i % 20).padStart(2, '0')}`);
    if (i < 20) mkdirSync(folder, { recursive: true });
    const size = 100 + ((i * 2654435761) % 3900); // 0.1 to 4 KB, spread evenly
    const json = i % 4 === 0;
    const file = join(folder, `config_${String(i).padStart(5, '0')}.${json ? 'json' : 'yaml'}`);
    const text = renderConfig(i, size, json);
    writeFileSync(file, text);
    keys.push(file.slice(join(dir, TEAM, 'default').length + 1));
    // In the past, so `aws s3 sync` sees every object in S3 as newer than its source on the no-op run.
    utimesSync(file, past, past);
    total += Buffer.byteLength(text);
  }
  return { dir, totalBytes: total, keys };
}

// fauxqs in a child process on 127.0.0.1 (buildApp + listen: startFauxqs would listen on every address), with the
// same IPC request log as the s3rver child, so the PUT counts work the same way.
const FAUXQS_CHILD = `
import { buildApp } from 'fauxqs';
const app = buildApp({ logger: false, defaultRegion: 'us-east-1' });
let requests = [];
app.addHook('onRequest', async (req) => { requests.push({ method: req.method, url: req.url }); });
await app.listen({ host: '127.0.0.1', port: 0 });
process.on('message', (msg) => {
  if (msg?.cmd === 'requests') process.send({ id: msg.id, requests });
  else if (msg?.cmd === 'reset') { requests = []; process.send({ id: msg.id, ok: true }); }
});
process.on('disconnect', () => process.exit(0));
process.stdout.write(JSON.stringify({ port: app.server.address().port }) + '\\n');
`;

async function startFauxqs(dir) {
  const script = join(mkdtempSync(join(dir, 'bench-fauxqs-')), 'serve.mjs');
  writeFileSync(script, FAUXQS_CHILD);
  const child = fork(script, [], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]).port);
    });
    child.once('exit', (code) => reject(new Error(`fauxqs exited with ${code}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  let id = 0;
  const ask = (cmd) =>
    new Promise((resolve) => {
      const my = ++id;
      const on = (m) => {
        if (m?.id !== my) return;
        child.off('message', on);
        resolve(m);
      };
      child.on('message', on);
      child.send({ cmd, id: my });
    });
  const created = await fetch(`${endpoint}/${BUCKET}`, { method: 'PUT' });
  if (!created.ok) throw new Error(`fauxqs: creating the bucket answered ${created.status}`);
  const home = dirname(script);
  return {
    endpoint,
    env: {
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
    },
    resetCounts: () => ask('reset'),
    async counts() {
      const { requests } = await ask('requests');
      const put = requests.filter((r) => r.method === 'PUT' && /^\/[^/]+\/.+/.test(r.url)).length;
      return { put, total: requests.length };
    },
    async close() {
      child.kill('SIGTERM');
      rmSync(home, { recursive: true, force: true });
    },
  };
}

await runCase('sync-s3', async ({ quick, runs, log }) => {
  await ensureAwsCli({ log });
  const cli = requireBundle(values.cli ?? cliBundle);
  const n = Number(values.configs ?? (quick ? 1_000 : 10_000));
  const concurrency = Number(values.concurrency ?? 16);
  // Every first sync goes to a new, empty prefix; a warm-up run first, as for every other measurement.
  const firstRuns = runs;
  log(`generating ${n} default/ configs`);
  const repo = makeRepo(n);
  log(`${n} configs, ${(repo.totalBytes / 1e6).toFixed(1)} MB in ${repo.dir}`);
  const servers = [['s3rver', () => startS3rver({ buckets: [BUCKET] })]];
  if (values.fauxqs) servers.push(['fauxqs', () => startFauxqs(values.fauxqs)]);
  const rows = [];
  try {
    for (const [server, start] of servers) {
      log(`--- against ${server}`);
      const s3 = await start();
      try {
        rows.push(...(await compare(s3, server)));
      } finally {
        await s3.close();
      }
    }
    return rows;
  } finally {
    rmSync(repo.dir, { recursive: true, force: true });
  }

  async function compare(s3, server) {
    const scratch = mkdtempSync(join(tmpdir(), 'bench-aws-config-'));
    try {
      const awsConfig = join(scratch, 'config');
      writeFileSync(awsConfig, `[default]\ns3 =\n  max_concurrent_requests = ${concurrency}\n`);
      const awsEnv = { ...process.env, ...s3.env, AWS_CONFIG_FILE: awsConfig };
      const oursEnv = { ...process.env, ...s3.env };

      const ours = (prefix) => [
        cli,
        'sync-s3',
        '--repo',
        repo.dir,
        '--full',
        '--endpoint',
        s3.endpoint,
        '--prefix',
        prefix,
        '--concurrency',
        String(concurrency),
      ];
      const aws = (prefix) => [
        's3',
        'sync',
        join(repo.dir, TEAM, 'default'),
        `s3://${BUCKET}/${prefix}${TEAM}/`,
        '--endpoint-url',
        s3.endpoint,
        '--only-show-errors',
        '--no-progress',
      ];
      const putsPerRun = { ours: [], aws: [], raw: [] };
      // The server's own CPU time per run (user + system of its process, from /proc): it shares the 2 cores.
      const serverCpuMs = () => {
        const stat =
          s3.pid && existsSync(`/proc/${s3.pid}/stat`) && readFileSync(`/proc/${s3.pid}/stat`, 'utf8');
        if (!stat) return null;
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // clock ticks (100 per second)
      };
      const serverCpu = {};
      let cpuAtStart = null;
      const serverCpuHooks = (label) => ({
        startCpu: () => {
          cpuAtStart = serverCpuMs();
        },
        stopCpu: (i) => {
          const now = serverCpuMs();
          if (i >= 1 && now !== null && cpuAtStart !== null) (serverCpu[label] ??= []).push(now - cpuAtStart);
        },
      });
      const medianOf = (xs) => (xs?.length ? [...xs].sort((x, y) => x - y)[xs.length >> 1] : null);
      const serverNote = (label) => {
        const v = medianOf(serverCpu[label]);
        return v === null ? '' : `; s3rver CPU ${(v / 1000).toFixed(2)} s per run`;
      };
      const countPuts = (who) => {
        const cpu = serverCpuHooks(`${who}-noop`);
        return {
          before: async () => {
            await s3.resetCounts();
            cpu.startCpu();
          },
          after: async (i) => {
            cpu.stopCpu(i);
            putsPerRun[who].push((await s3.counts()).put);
          },
        };
      };

      // A new prefix each first-sync run: measureCommand passes the same args array to every run, so the untimed
      // before() hook rewrites it in place.
      const firstSync = async (who, command, makeArgs, env) => {
        const args = [];
        let i = 0;
        const cpu = serverCpuHooks(`${who}-first`);
        return measureCommand(command, args, {
          runs: firstRuns,
          warmup: 1,
          env,
          before: async () => {
            args.splice(0, args.length, ...makeArgs(`first/${who}-${i++}/`));
            await s3.resetCounts();
            cpu.startCpu();
          },
          after: async (run) => {
            cpu.stopCpu(run);
            putsPerRun[who].push((await s3.counts()).put);
          },
        });
      };
      const rawPutScript = join(scratch, 'raw-put.mjs');
      writeFileSync(rawPutScript, RAW_PUT);
      const rawPut = (prefix) => [
        rawPutScript,
        s3.endpoint,
        BUCKET,
        `${prefix}${TEAM}/`,
        join(repo.dir, TEAM, 'default'),
        String(concurrency),
      ];
      const noopOnly = values['noop-only'] === true;
      let oursFirst, awsFirst, rawFirst;
      if (!noopOnly) {
        log(`first sync: ours (${firstRuns} runs)`);
        oursFirst = await firstSync('ours', process.execPath, ours, oursEnv);
        log(`first sync: aws (${firstRuns} runs)`);
        awsFirst = await firstSync('aws', AWS_CLI, aws, awsEnv);
        log(`first-sync floor: minimal signed PUTs over node:http (${firstRuns} runs)`);
        rawFirst = await firstSync('raw', process.execPath, rawPut, oursEnv);
        const firstPuts = {
          ours: putsPerRun.ours.splice(0),
          aws: putsPerRun.aws.splice(0),
          raw: putsPerRun.raw.splice(0),
        };
        if (![...firstPuts.ours, ...firstPuts.aws, ...firstPuts.raw].every((p) => p === n)) {
          throw new Error(`a first sync did not upload every config: ${JSON.stringify(firstPuts)}`);
        }
      }

      // The no-op prefixes: synced once, untimed (the warm-up run of each measurement).
      log(`no-op re-sync: ours and aws (${runs} runs each, after a warm-up sync)`);
      const oursNoop = await measureCommand(process.execPath, ours('noop/ours/'), {
        runs,
        warmup: 1,
        env: oursEnv,
        ...countPuts('ours'),
      });
      const awsNoop = await measureCommand(AWS_CLI, aws('noop/aws/'), {
        runs,
        warmup: 1,
        env: awsEnv,
        ...countPuts('aws'),
      });
      // The floors of a no-op run for any tool that asks S3 what it holds: one Node process listing the prefix with
      // the SDK, one page after another, or in key ranges with 2 pages in flight as sync-s3 does once it knows its keys.
      const keysFile = join(scratch, 'keys.txt');
      writeFileSync(keysFile, repo.keys.map((k) => `noop/ours/${TEAM}/${k}`).join('\n') + '\n');
      const listFloor = {};
      for (const [how, file, inFlight] of [
        ['sequential', '-', 1],
        ['ranges', keysFile, RANGE_PAGES_IN_FLIGHT],
      ]) {
        log(`no-op floor: listing the prefix alone, ${how} (${runs} runs)`);
        const cpu = serverCpuHooks(`list-${how}`);
        listFloor[how] = await measureCommand(
          process.execPath,
          ['--input-type=module', '-e', LIST_ONLY, s3.endpoint, BUCKET, 'noop/ours/', file, String(inFlight)],
          {
            runs,
            warmup: 1,
            env: oursEnv,
            cwd: repoRoot,
            before: async () => cpu.startCpu(),
            after: async (i, result) => {
              cpu.stopCpu(i);
              if (Number(result.stdout.trim()) !== n) {
                throw new Error(`the ${how} listing found ${result.stdout.trim()} keys, not ${n}`);
              }
            },
          },
        );
      }
      const noopPuts = { ours: putsPerRun.ours.slice(1), aws: putsPerRun.aws.slice(1) };
      log(
        `PUTs on no-op runs: ${JSON.stringify(noopPuts)}; s3rver CPU ms per run: ${JSON.stringify(serverCpu)}`,
      );
      const mb = (repo.totalBytes / 1e6).toFixed(1);
      const pages = Math.ceil(n / 1000);
      const bestList = Math.min(listFloor.sequential.wallMs, listFloor.ranges.wallMs);
      const firstRows = () => [
        row({
          case: `sync-s3: first sync, ${n.toLocaleString('en-US')} default/ configs (${mb} MB) to ${server}`,
          ours: { value: oursFirst.wallMs, unit: 'ms', ...resources(oursFirst) },
          peer: { name: 'aws s3 sync', value: awsFirst.wallMs, unit: 'ms', ...resources(awsFirst) },
          notes:
            `median of ${firstRuns} runs each after a warm-up, ${concurrency} requests in flight for both; ${n} PUTs per run each (counted at the server); ` +
            `CPU is the client process only${serverNote('ours-first')} (aws runs${serverNote('aws-first').slice(1)}); ` +
            `measured floor: minimal signed PUTs of the same files take ${Math.round(rawFirst.wallMs)} ms ` +
            `(${(rawFirst.wallMs / awsFirst.wallMs).toFixed(2)}× of aws; next row)`,
        }),
        row({
          case: `sync-s3 floor: ${n.toLocaleString('en-US')} minimal signed PUTs (node:http) to ${server}`,
          ours: { value: rawFirst.wallMs, unit: 'ms', ...resources(rawFirst) },
          peer: {
            name: 'aws s3 sync (first sync)',
            value: awsFirst.wallMs,
            unit: 'ms',
            ...resources(awsFirst),
          },
          notes:
            'the least any client can do per config against this server: one Node process reads the same files and ' +
            `PUTs each with a hand-signed SigV4 request and Content-MD5 over keep-alive sockets, ${concurrency} in ` +
            `flight (no SDK, no parsing, no listing, no plan)${serverNote('raw-first')}; the server shares the 2 cores, ` +
            `so this ratio is the best a first sync against it can reach; median of ${firstRuns} runs`,
        }),
      ];
      return [
        ...(noopOnly ? [] : firstRows()),
        row({
          case: `sync-s3: no-op re-sync, ${n.toLocaleString('en-US')} configs on ${server}`,
          ours: { value: oursNoop.wallMs, unit: 'ms', ...resources(oursNoop) },
          peer: { name: 'aws s3 sync', value: awsNoop.wallMs, unit: 'ms', ...resources(awsNoop) },
          notes:
            `median of ${runs} runs each; PUTs per run: ours ${noopPuts.ours.join('/')}, aws ${noopPuts.aws.join('/')}; ` +
            'source mtimes set into the past so aws (size+mtime) finds nothing to do; ours compares MD5 with ETags' +
            `${serverNote('ours-noop')} (aws runs${serverNote('aws-noop').slice(1)}); ` +
            `measured floor: listing the prefix alone takes ${Math.round(bestList)} ms ` +
            `(${(bestList / awsNoop.wallMs).toFixed(2)}× of aws; next rows)`,
        }),
        row({
          case: `sync-s3 floor: listing ${n.toLocaleString('en-US')} keys alone in key ranges, ${RANGE_PAGES_IN_FLIGHT} pages in flight (Node + SDK) on ${server}`,
          ours: { value: listFloor.ranges.wallMs, unit: 'ms', ...resources(listFloor.ranges) },
          peer: { name: 'aws s3 sync (no-op)', value: awsNoop.wallMs, unit: 'ms', ...resources(awsNoop) },
          notes:
            'the method sync-s3 uses against a custom endpoint once it knows its keys: a Node process (start, SDK load) ' +
            `that lists the prefix as ${pages} disjoint key ranges (StartAfter at every 1,000th key) with ${RANGE_PAGES_IN_FLIGHT} pages in ` +
            `flight, so the server always has the next page to build, and nothing else${serverNote('list-ranges')}; median of ${runs} runs`,
        }),
        row({
          case: `sync-s3 floor: listing ${n.toLocaleString('en-US')} keys alone, one page after another (Node + SDK) on ${server}`,
          ours: { value: listFloor.sequential.wallMs, unit: 'ms', ...resources(listFloor.sequential) },
          peer: { name: 'aws s3 sync (no-op)', value: awsNoop.wallMs, unit: 'ms', ...resources(awsNoop) },
          notes:
            `the same listing as ${pages} pages of 1,000 keys in sequence (each needs the previous token)` +
            `${serverNote('list-sequential')}: s3rver builds each page on its one JavaScript thread (a stat and two ` +
            'file reads per key), so more pages in flight add no server core (2 only keep it busy while the client reads a page); ' +
            'the faster of the two listing rows is the best ' +
            `a no-op sync against this server can reach; median of ${runs} runs`,
        }),
      ];
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
});
