#!/usr/bin/env node
// Benchmark: `itemstore validate` of 10,000 items (1,000 with --quick) that are in both stores (every config is
// under default/, so it is a V2 item and an S3 object), against the reference V2 server and s3rver on 127.0.0.1.
//
//   npm run build && node bench/cases/validate.mjs [--quick] [--runs N] [--configs 10000] [--concurrency 16]
//
// Rows (wall time of the whole process, requests counted at the servers):
// - against repo: listings only (V2 manifest pages per namespace, one ListObjectsV2 walk) against the MD5 of what
//   the repo would write: requests grow with pages, not items;
// - against s3-vs-v2, no drift: the same listings; a side equal to the repo's bytes is not downloaded;
// - against s3-vs-v2 --read-all: every S3 object and V2 content downloaded and compared as JSON — the per-item
//   reads of the meeting's validation script, and the peer of the first two rows (ratio = ours / per-item).
// Setup (untimed): `itemstore deploy` of the whole repo to V2 dev and `itemstore sync-s3 --full` to S3 dev.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runCase, row, resources } from '../lib/case.mjs';
import { runMeasured } from '../lib/measure.mjs';
import { cliBundle, requireBundle } from '../lib/paths.mjs';
import { startS3rver, startV2Server } from '../lib/servers.mjs';
import { median } from '../lib/stats.mjs';

const { values } = parseArgs({
  options: { configs: { type: 'string' }, concurrency: { type: 'string' }, quick: { type: 'boolean' } },
  strict: false,
});
const concurrency = Number(values.concurrency ?? 16);
const BUCKET = 'bench-validate-dev';
const TEAMS = [
  { name: 'ffi2', format: 'plain' },
  { name: 'data-router', format: 'config-list' },
  { name: 'data-quality', format: 'dq' },
];

function configText(team, i) {
  if (team.format === 'plain') {
    return (
      [
        `# interface ${i}`,
        `interface: feed_${i}`,
        'revision: 1',
        'source:',
        `  table: raw.t${i}`,
        `  partitions: ${i % 31}`,
        'options:',
        ...Array.from({ length: 10 }, (_, k) => `  opt_${k}: value ${i}-${k}`),
      ].join('\n') + '\n'
    );
  }
  const lines = [`# ${team.name} ${i}`, 'config_list:'];
  for (let k = 0; k < 4; k++) {
    lines.push(
      `  - rule_id: r_${i}_${k}`,
      `    table: curated.t${i}`,
      `    threshold: 0.${k + 1}`,
      '    enabled: true',
    );
  }
  return lines.join('\n') + '\n';
}

function makeRepo(n) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-validate-'));
  writeFileSync(
    join(dir, 'item-store.yaml'),
    `version: 1
mainBranch: main
environments: [dev, qa, prod]
s3OnlySuffixes: [_SC]
tenants:
  retail:
    region: us-east-1
    s3:
      dev: { bucket: ${BUCKET}, prefix: item-store/ }
      qa: { bucket: ${BUCKET}-qa, prefix: item-store/ }
      prod: { bucket: ${BUCKET}-prod, prefix: item-store/ }
teams:
${TEAMS.map((t) => `  ${t.name}: { tenant: retail, namespace: ${t.name}, format: ${t.format} }`).join('\n')}
`,
  );
  for (let i = 0; i < n; i++) {
    const team = TEAMS[i % TEAMS.length];
    const folder = join(dir, team.name, 'default', `group_${String(i % 50).padStart(2, '0')}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `cfg_${String(i).padStart(5, '0')}.yaml`), configText(team, i));
  }
  // deploy reads a committed checkout (it refuses a folder that is not a git repository, or a dirty one).
  const git = (...args) => {
    const r = spawnSync('git', args, {
      cwd: dir,
      env: {
        ...process.env,
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_AUTHOR_NAME: 'bench',
        GIT_AUTHOR_EMAIL: 'bench@example.com',
        GIT_COMMITTER_NAME: 'bench',
        GIT_COMMITTER_EMAIL: 'bench@example.com',
      },
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`git ${args[0]} failed: ${r.stderr}`);
  };
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '--no-verify', '-m', 'bench configs');
  return dir;
}

function cli(args, env) {
  const r = spawnSync(process.execPath, [cliBundle, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 28, // deploy prints a line per config
  });
  if (r.status !== 0) throw new Error(`itemstore ${args[0]} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return r;
}

async function v2Requests(server) {
  const res = await fetch(`${server.url}/v2/_stats`, {
    headers: { Authorization: `Bearer ${server.token}` },
  });
  const stats = await res.json();
  return Object.entries(stats.requests)
    .filter(([route]) => !route.includes('_stats'))
    .reduce((n, [, v]) => n + v, 0);
}

await runCase('validate', async ({ quick, runs, warmup, log }) => {
  requireBundle(cliBundle);
  const configs = Number(values.configs ?? (quick ? 1000 : 10000));
  const dir = makeRepo(configs);
  const v2 = await startV2Server();
  const s3 = await startS3rver({ buckets: [BUCKET] });
  const env = { ...v2.env, ...s3.env };
  try {
    log(`setup: ${configs} configs → V2 dev (itemstore deploy) and S3 dev (itemstore sync-s3 --full)`);
    cli(['deploy', '--repo', dir, '--branch', 'main', '--concurrency', String(concurrency)], env);
    cli(['sync-s3', '--repo', dir, '--full', '--endpoint', s3.endpoint], env);

    const measure = async (label, extra) => {
      const samples = [];
      for (let i = 0; i < warmup + runs; i++) {
        const v2Before = await v2Requests(v2);
        await s3.resetCounts();
        const m = await runMeasured(
          process.execPath,
          [
            cliBundle,
            'validate',
            '--repo',
            dir,
            '--endpoint',
            s3.endpoint,
            '--concurrency',
            String(concurrency),
            ...extra,
          ],
          { env: { ...process.env, ...env } },
        );
        if (m.code !== 0)
          throw new Error(`validate ${extra.join(' ')} exited ${m.code}: ${m.stderr.slice(-2000)}`);
        const c = await s3.counts();
        const sample = { ...m, v2: (await v2Requests(v2)) - v2Before, s3: c.total, s3Gets: c.get };
        log(
          `  ${label} run ${i + 1}: ${Math.round(m.wallMs)} ms, ${sample.v2} V2 + ${sample.s3} S3 requests — ${m.stderr.trim().split('\n').pop()}`,
        );
        if (i >= warmup) samples.push(sample);
      }
      return {
        wallMs: median(samples.map((s) => s.wallMs)),
        v2: median(samples.map((s) => s.v2)),
        s3: median(samples.map((s) => s.s3)),
        last: samples.at(-1),
      };
    };
    const repoMode = await measure('against repo', ['--against', 'repo']);
    const pairs = await measure('s3-vs-v2', ['--against', 's3-vs-v2']);
    const readAll = await measure('s3-vs-v2 --read-all', ['--against', 's3-vs-v2', '--read-all']);

    const peer = {
      name: `per-item reads (--read-all: ${readAll.v2 + readAll.s3} requests)`,
      value: readAll.wallMs,
      unit: 'ms',
    };
    const ours = (m) => ({
      value: m.wallMs,
      unit: 'ms',
      requests: m.v2 + m.s3,
      v2Requests: m.v2,
      s3Requests: m.s3,
      ...resources(m.last),
    });
    return [
      row({
        case: `validate --against repo: ${configs} items in V2 and S3 (listings only)`,
        ours: ours(repoMode),
        peer,
        notes: `${repoMode.v2} V2 manifest pages + ${repoMode.s3} S3 list pages for ${2 * configs} comparisons; median of ${runs} runs`,
      }),
      row({
        case: `validate --against s3-vs-v2: ${configs} pairs, no drift`,
        ours: ours(pairs),
        peer,
        notes: `sides equal to the repo's bytes are not downloaded; median of ${runs} runs`,
      }),
      row({
        case: `validate --against s3-vs-v2 --read-all: ${configs} pairs`,
        ours: ours(readAll),
        notes: `every object and V2 content downloaded and compared as canonical JSON; concurrency ${concurrency}; median of ${runs} runs`,
      }),
    ];
  } finally {
    await v2.close();
    await s3.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
