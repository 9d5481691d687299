// A realistic synthetic config repo (SPEC §2) for the benchmarks: item-store.yaml, team folders with nested
// tags.yaml files, default/ folders (S3), DQ and config-list teams whose configs are a root `config_list:` list,
// sizes from 200 B to 50 KB (log-uniform: many small files, a long tail of big ones), plus git history: a base
// commit, a commit that edits 1 config and one that edits 1,000.
//
// Deterministic: every byte, mtime and commit SHA follows from (configs, seed, teams): each file draws from its own
// seeded stream (seed + path), git runs with fixed authors and dates and without the user's git config.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Rng, deriveSeed } from './prng.mjs';
import { ANCHOR, MERGE, emitYamlDocument, emitYamlListItem, toPlainJson } from './yaml-emit.mjs';

export const DEFAULT_CONFIGS = 10_000;
export const DEFAULT_SEED = 1;
export const MIN_CONFIG_BYTES = 200;
export const MAX_CONFIG_BYTES = 50_000;

/** The 20 teams: the tools named in SPEC §1 and more of a data platform's usual tenants. */
export const TEAM_CATALOG = [
  { name: 'data-router', format: 'config-list', tenant: 'retail' },
  { name: 'data-quality', format: 'dq', tenant: 'retail' },
  { name: 'ffi2', format: 'plain', tenant: 'wholesale' },
  { name: 'vanilla-extract', format: 'config-list', tenant: 'retail' },
  { name: 'matrix-recon', format: 'plain', tenant: 'corporate' },
  { name: 'emr', format: 'plain', tenant: 'wholesale' },
  { name: 'spark-submit', format: 'plain', tenant: 'wholesale' },
  { name: 'dq-finance', format: 'dq', tenant: 'corporate' },
  { name: 'ingest-orders', format: 'config-list', tenant: 'retail' },
  { name: 'ingest-inventory', format: 'config-list', tenant: 'retail' },
  { name: 'customer-360', format: 'plain', tenant: 'retail' },
  { name: 'pricing', format: 'plain', tenant: 'retail' },
  { name: 'fraud-detection', format: 'plain', tenant: 'corporate' },
  { name: 'dq-supply-chain', format: 'dq', tenant: 'wholesale' },
  { name: 'marketing-attribution', format: 'config-list', tenant: 'retail' },
  { name: 'finance-ledger', format: 'plain', tenant: 'corporate' },
  { name: 'returns', format: 'config-list', tenant: 'retail' },
  { name: 'loyalty', format: 'plain', tenant: 'retail' },
  { name: 'search-ranking', format: 'plain', tenant: 'wholesale' },
  { name: 'warehouse-ops', format: 'config-list', tenant: 'wholesale' },
];

export const TENANTS = {
  retail: { region: 'us-east-1', prefix: 'item-store/' },
  wholesale: { region: 'eu-west-1', prefix: 'v0/item-store/' },
  corporate: { region: 'us-west-2', prefix: 'configs/' },
};
export const ENVIRONMENTS = ['dev', 'qa', 'prod'];

const BASE_TIME = 1_704_067_200; // 2024-01-01T00:00:00Z
const DOMAINS = [
  'orders',
  'inventory',
  'customers',
  'payments',
  'shipments',
  'returns',
  'pricing',
  'catalog',
];
const AREAS = ['jobs', 'routes', 'rules', 'feeds', 'exports', 'pipelines', 'interfaces', 'reports'];
const SUBS = ['eu', 'us', 'apac', 'daily', 'hourly', 'batch', 'streaming', 'legacy', 'v2', 'adhoc'];
const QUALIFIERS = [
  'daily',
  'hourly',
  'full',
  'delta',
  'raw',
  'curated',
  'agg',
  'snapshot',
  'audit',
  'backfill',
];
const CHECKS = [
  'not_null',
  'unique',
  'expression',
  'freshness',
  'row_count',
  'accepted_values',
  'referential',
];
const SEVERITIES = ['critical', 'high', 'medium', 'low'];
const SINKS = ['s3', 'kinesis', 'kafka', 'redshift', 'snowflake'];

/**
 * Generates the repo into `dir` (created if missing; must be empty) and commits its history.
 * Options: configs (default 10,000), seed (default 1), teams (default 20), manyChanges (configs the third commit
 * edits: default 1,000, or a tenth of the configs when that is fewer), pack (repack into one packfile at the end).
 * Returns the three commit SHAs (base, oneFile, thousandFiles) and what changed in each.
 */
export async function generateRepo({
  dir,
  configs = DEFAULT_CONFIGS,
  seed = DEFAULT_SEED,
  teams = 20,
  manyChanges,
  pack = false,
} = {}) {
  if (!dir) throw new Error('generateRepo: dir is required');
  if (!Number.isInteger(configs) || configs < 1)
    throw new Error(`generateRepo: configs must be ≥ 1, got ${configs}`);
  if (!Number.isInteger(teams) || teams < 1) throw new Error(`generateRepo: teams must be ≥ 1, got ${teams}`);
  const many = manyChanges ?? Math.min(1000, Math.max(1, Math.floor(configs / 10)));
  if (many > configs - 1)
    throw new Error(`generateRepo: cannot change ${many} of ${configs} configs (one is reserved)`);

  mkdirSync(dir, { recursive: true });
  if (readdirSync(dir).length > 0) throw new Error(`generateRepo: ${dir} is not empty`);

  const plan = planRepo({ configs, seed, teams });
  const started = performance.now();
  await git(dir, ['init', '-q', '-b', 'main'], BASE_TIME);

  let totalBytes = 0;
  for (const [path, text] of plan.support) writeFile(dir, path, text, BASE_TIME);
  for (const cfg of plan.configs) {
    const text = renderConfig(cfg, 1);
    cfg.bytes = Buffer.byteLength(text);
    totalBytes += cfg.bytes;
    writeFile(dir, cfg.path, text, BASE_TIME);
  }
  const base = await commitAll(
    dir,
    `Synthetic config repo: ${configs} configs over ${plan.teams.length} teams`,
    BASE_TIME,
  );

  // Commit 2: one config under default/ (it goes to V2 and, while S3 sync is on, to S3).
  const rng = new Rng(deriveSeed(seed, 'history'));
  const candidates = plan.configs.filter((c) => c.isDefault && !c.s3Only);
  const one = rng.pick(candidates.length ? candidates : plan.configs);
  writeFile(dir, one.path, renderConfig(one, 2), BASE_TIME + 3600);
  const oneFile = await commitAll(dir, `Edit ${one.path}`, BASE_TIME + 3600);

  // Commit 3: `many` other configs, spread over every team.
  const others = plan.configs.filter((c) => c !== one);
  const changed = rng.sample(others, many).sort((a, b) => (a.path < b.path ? -1 : 1));
  for (const cfg of changed) writeFile(dir, cfg.path, renderConfig(cfg, 2), BASE_TIME + 7200);
  const thousandFiles = await commitAll(dir, `Edit ${many} configs`, BASE_TIME + 7200);
  if (pack) await git(dir, ['repack', '-adq'], BASE_TIME + 7200);

  return {
    dir,
    base,
    oneFile,
    thousandFiles,
    shas: { base, oneFile, thousandFiles },
    oneFilePath: one.path,
    thousandFilePaths: changed.map((c) => c.path),
    configs: plan.configs.map(({ path, team, format, bytes, isDefault, s3Only }) => ({
      path,
      team,
      format,
      bytes,
      isDefault,
      s3Only,
    })),
    teams: plan.teams.map((t) => ({ ...t })),
    totalBytes,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The repo's layout and every config's recipe, without touching the disk. */
export function planRepo({ configs, seed, teams: teamCount }) {
  const rng = new Rng(deriveSeed(seed, 'layout'));
  const teams = [];
  for (let i = 0; i < teamCount; i++) {
    const t = TEAM_CATALOG[i % TEAM_CATALOG.length];
    const name = i < TEAM_CATALOG.length ? t.name : `${t.name}-${Math.floor(i / TEAM_CATALOG.length) + 1}`;
    teams.push({ name, format: t.format, tenant: t.tenant, namespace: name });
  }

  // Teams differ in size (weights 0.5..1.5), shared out by largest remainder so the total is exact.
  const weights = teams.map(() => 0.5 + rng.next());
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w / sum) * configs);
  const counts = exact.map(Math.floor);
  let left = configs - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) counts[order[k][1]]++;

  const support = new Map();
  support.set('item-store.yaml', settingsYaml(teams));
  support.set(
    'tags.yaml',
    '# Tags for every config in the repo.\ntags:\n  platform: dmd\n  owner: data-platform\n',
  );
  support.set('README.md', '# dmd-item-storage-v2 (synthetic)\n\nGenerated by bench/generate.mjs.\n');

  const all = [];
  teams.forEach((team, ti) => {
    const count = counts[ti];
    const folders = teamFolders(rng, count);
    const byFolder = new Map(folders.map((f) => [f, []]));
    const defaults = folders.filter((f) => f === 'default' || f.startsWith('default/'));
    const elsewhere = folders.filter((f) => !defaults.includes(f));
    for (let i = 0; i < count; i++) {
      // About a third of the configs live under default/ (and so go to S3 too); each team has at least one.
      const inDefault = i === 0 || elsewhere.length === 0 || rng.chance(0.35);
      const folder = rng.pick(inDefault ? defaults : elsewhere);
      const s3Only = inDefault && rng.chance(0.02);
      const ext = pickExtension(rng, team.format);
      const name = `${rng.pick(DOMAINS)}_${rng.pick(QUALIFIERS)}_${String(i).padStart(5, '0')}${s3Only ? '_SC' : ''}`;
      const cfg = {
        path: `${team.name}/${folder}/${name}.${ext}`,
        name,
        ext,
        team: team.name,
        format: team.format,
        isDefault: inDefault,
        s3Only,
        seed,
        targetBytes: rng.logUniform(MIN_CONFIG_BYTES, MAX_CONFIG_BYTES),
        bytes: 0,
      };
      byFolder.get(folder).push(cfg);
      all.push(cfg);
    }
    support.set(
      `${team.name}/tags.yaml`,
      tagsYaml({ component: team.name, owner: `${team.name}-owners`, cost_center: `cc-${1000 + ti}` }),
    );
    support.set(
      `${team.name}/README.md`,
      `# ${team.name}\n\nConfigs of the ${team.name} team (not a config: ignored).\n`,
    );
    for (const folder of folders) {
      const files = byFolder.get(folder);
      // Most folders add tags; a few override the team's owner (nearer wins) or tag one file through `files:`.
      if (!rng.chance(0.75)) continue;
      const leaf = folder.split('/').at(-1);
      const tags =
        leaf === 'default'
          ? { s3_sync: 'true' }
          : { [SUBS.includes(leaf) ? 'region_or_cadence' : 'area']: leaf };
      if (rng.chance(0.2)) tags.owner = `${leaf}-oncall`;
      if (rng.chance(0.3)) tags.tier = rng.pick(['gold', 'silver', 'bronze']);
      const fileTags =
        files.length && rng.chance(0.3)
          ? { [`${files[0].name}.${files[0].ext}`]: { tier: 'platinum' } }
          : null;
      support.set(`${team.name}/${folder}/tags.yaml`, tagsYaml(tags, fileTags));
    }
  });
  return { teams, configs: all, support };
}

function teamFolders(rng, count) {
  const n = Math.min(30, Math.max(2, Math.ceil(count / 50)));
  const folders = new Set(['default']);
  for (let guard = 0; folders.size < n && guard < n * 20; guard++) {
    const shape = rng.int(0, 4);
    if (shape === 0) folders.add(`default/${rng.pick(SUBS)}`);
    else if (shape === 1) folders.add(rng.pick(AREAS));
    else if (shape === 2) folders.add(`${rng.pick(AREAS)}/${rng.pick(SUBS)}`);
    else folders.add(`${rng.pick(AREAS)}/${rng.pick(SUBS)}/${rng.pick(DOMAINS)}`);
  }
  return [...folders].sort();
}

function pickExtension(rng, format) {
  const r = rng.next();
  if (format === 'dq') return r < 0.9 ? 'yaml' : 'yml';
  if (format === 'config-list') return r < 0.8 ? 'yaml' : r < 0.9 ? 'yml' : 'json';
  return r < 0.65 ? 'yaml' : r < 0.75 ? 'yml' : 'json';
}

function settingsYaml(teams) {
  const lines = [
    '# Synthetic config repo settings (bench/generate.mjs).',
    'version: 1',
    'mainBranch: main',
    `environments: [${ENVIRONMENTS.join(', ')}]`,
    's3OnlySuffixes: [_SC]',
    'tenants:',
  ];
  for (const [name, t] of Object.entries(TENANTS)) {
    lines.push(`  ${name}:`, `    region: ${t.region}`, '    s3:');
    for (const env of ENVIRONMENTS)
      lines.push(`      ${env}: { bucket: ${name}-configs-${env}, prefix: ${t.prefix} }`);
  }
  lines.push('teams:');
  for (const t of teams) {
    const format = t.format === 'plain' ? '' : `, format: ${t.format}`;
    lines.push(`  ${t.name}: { tenant: ${t.tenant}, namespace: ${t.namespace}${format} }`);
  }
  return lines.join('\n') + '\n';
}

function tagsYaml(tags, files = null) {
  const root = { tags };
  if (files) root.files = Object.fromEntries(Object.entries(files).map(([f, t]) => [f, { tags: t }]));
  return emitYamlDocument(root);
}

/**
 * A config's text at a revision. The same config at another revision has the same shape and size (± a digit): only
 * its `revision` value differs, as in a typical one-line edit.
 */
export function renderConfig(cfg, revision) {
  const rng = new Rng(deriveSeed(cfg.seed, cfg.path));
  const json = cfg.ext === 'json';
  const anchors = !json && rng.chance(0.25);
  let header;
  let listKey;
  let item;
  if (cfg.format === 'plain') {
    header = plainHeader(rng, cfg, revision, json);
    listKey = 'steps';
    item = (i) => plainStep(rng, cfg, i, json);
  } else {
    header = {
      __comment_1: `${cfg.team}: ${cfg.name} (${cfg.format === 'dq' ? 'data-quality rules' : 'routes'})`,
    };
    listKey = 'config_list';
    const entry = cfg.format === 'dq' ? dqRule : route;
    item = (i) => entry(rng, cfg, i, i === 0 ? revision : undefined, anchors);
  }
  return json
    ? growJson(header, listKey, item, cfg.targetBytes)
    : growYaml(header, listKey, item, cfg.targetBytes);
}

/** The header, then list items appended one at a time until the target size (at least one, never past the max). */
function growYaml(header, listKey, item, target) {
  let text = emitYamlDocument(header) + `${listKey}:\n`;
  let bytes = Buffer.byteLength(text);
  for (let i = 0; i === 0 || bytes < target; i++) {
    const part = emitYamlListItem(item(i), 0);
    const size = Buffer.byteLength(part);
    if (i > 0 && bytes + size > MAX_CONFIG_BYTES) break;
    text += part;
    bytes += size;
  }
  return text;
}

function growJson(header, listKey, item, target) {
  const root = toPlainJson(header);
  const list = [];
  root[listKey] = list;
  // Each item adds its own JSON indented by 4 more spaces, plus ",\n": estimate, then serialize once.
  let bytes = Buffer.byteLength(JSON.stringify(root, null, 2));
  for (let i = 0; i === 0 || bytes < target; i++) {
    const value = toPlainJson(item(i));
    const s = JSON.stringify(value, null, 2);
    list.push(value);
    bytes += Buffer.byteLength(s) + 4 * s.split('\n').length + 2;
  }
  let text = JSON.stringify(root, null, 2) + '\n';
  while (list.length > 1 && Buffer.byteLength(text) > MAX_CONFIG_BYTES) {
    list.pop();
    text = JSON.stringify(root, null, 2) + '\n';
  }
  return text;
}

function plainHeader(rng, cfg, revision, json) {
  const root = {
    __comment_1: `${cfg.team} job settings: ${cfg.name}`,
    job: {
      name: cfg.name.replace(/_/g, '-').toLowerCase(),
      owner: `${cfg.team}-owners`,
      schedule: rng.pick(['0 3 * * *', '*/15 * * * *', '30 1 * * 1-5', '@hourly']),
      enabled: rng.chance(0.9),
    },
    revision,
  };
  if (!json) {
    root.defaults = {
      [ANCHOR]: 'defaults',
      retries: rng.int(0, 5),
      timeout_minutes: rng.int(5, 240),
      queue: 'default',
    };
  }
  root.spark = {
    conf: {
      'spark.executor.memory': `${rng.pick([2, 4, 8, 16])}g`,
      'spark.executor.cores': rng.int(1, 8),
      'spark.sql.shuffle.partitions': rng.pick([64, 200, 400, 800]),
      'spark.dynamicAllocation.enabled': rng.chance(0.5),
    },
  };
  return root;
}

function plainStep(rng, cfg, i, json) {
  const domain = rng.pick(DOMAINS);
  const step = {};
  if (!json && rng.chance(0.5)) step[MERGE] = 'defaults';
  Object.assign(step, {
    name: `step_${String(i).padStart(3, '0')}_${domain}`,
    class: `com.example.${cfg.team.replace(/-/g, '')}.${domain}.Job${rng.int(1, 99)}`,
    args: ['--date', '{{ ds }}', '--env', rng.pick(['dev', 'qa', 'prod'])],
    input: {
      path: `s3://${domain}-raw/${rng.pick(QUALIFIERS)}/`,
      format: rng.pick(['parquet', 'json', 'csv', 'avro']),
    },
    output: {
      table: `curated.${domain}_${rng.pick(QUALIFIERS)}`,
      mode: rng.pick(['append', 'overwrite', 'merge']),
    },
    memory_mb: rng.pick([512, 1024, 2048, 4096]),
    ratio: Math.round(rng.next() * 1000) / 1000,
  });
  if (rng.chance(0.3)) {
    step.query = `SELECT ${domain}_id, count(*) AS n\nFROM curated.${domain}\nWHERE dt = '{{ ds }}'\nGROUP BY 1\n`;
  }
  return step;
}

function route(rng, cfg, i, revision, anchors) {
  const domain = rng.pick(DOMAINS);
  const item = {};
  if (anchors && i === 0) item[ANCHOR] = 'base';
  if (anchors && i > 0 && rng.chance(0.6)) item[MERGE] = 'base';
  Object.assign(item, {
    name: `${domain}-${rng.pick(QUALIFIERS)}-${i}`,
    enabled: rng.chance(0.9),
  });
  if (revision !== undefined) item.revision = revision;
  Object.assign(item, {
    source: {
      type: rng.pick(['kafka', 'kinesis', 'sqs']),
      topic: `${cfg.team}.${domain}.${rng.pick(['created', 'updated', 'deleted'])}.v${rng.int(1, 4)}`,
      consumer_group: `${cfg.team}-${domain}`,
      start_offset: rng.pick(['latest', 'earliest']),
    },
    filter: `event.status != 'TEST' AND event.amount > ${rng.int(0, 500)}`,
    destination: {
      type: rng.pick(SINKS),
      bucket: `${domain}-${rng.pick(['raw', 'curated'])}`,
      path: `${domain}/${rng.pick(QUALIFIERS)}/dt={event_date}/`,
      format: rng.pick(['parquet', 'json', 'avro']),
    },
    batch: { max_records: rng.pick([500, 1000, 5000]), max_wait_seconds: rng.int(1, 60) },
    labels: rng.sample(['pii', 'gold', 'finance', 'gdpr', 'realtime'], rng.int(1, 3)),
  });
  return item;
}

function dqRule(rng, cfg, i, revision, anchors) {
  const domain = rng.pick(DOMAINS);
  const check = rng.pick(CHECKS);
  const item = {};
  if (anchors && i === 0) item[ANCHOR] = 'base';
  if (anchors && i > 0 && rng.chance(0.6)) item[MERGE] = 'base';
  Object.assign(item, {
    rule_id: `${domain}_${check}_${i}`,
    table: `curated.${domain}`,
    check,
  });
  if (revision !== undefined) item.revision = revision;
  Object.assign(item, {
    column: `${rng.pick(['order', 'customer', 'sku', 'payment'])}_${rng.pick(['id', 'amount', 'status', 'ts'])}`,
    severity: rng.pick(SEVERITIES),
    threshold: Math.round((0.9 + rng.next() / 10) * 1000) / 1000,
  });
  if (check === 'expression') item.expression = `${item.column} IS NOT NULL\nAND ${item.column} <> ''\n`;
  if (check === 'accepted_values') item.values = ['NEW', 'PAID', 'SHIPPED', 'CANCELLED'];
  if (check === 'freshness') item.max_delay_minutes = rng.int(15, 1440);
  return item;
}

function writeFile(root, path, text, time) {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
  // Fixed mtimes (the commit's time): `aws s3 sync` compares mtimes, so reruns must not differ by accident.
  utimesSync(full, time, time);
}

async function commitAll(dir, message, time) {
  await git(dir, ['add', '-A'], time);
  await git(dir, ['commit', '-q', '--no-verify', '-m', message], time);
  return (await git(dir, ['rev-parse', 'HEAD'], time)).trim();
}

function git(cwd, args, time) {
  const when = `${time} +0000`;
  const env = {
    ...process.env,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Bench Author',
    GIT_AUTHOR_EMAIL: 'bench@example.com',
    GIT_COMMITTER_NAME: 'Bench Author',
    GIT_COMMITTER_EMAIL: 'bench@example.com',
    GIT_AUTHOR_DATE: when,
    GIT_COMMITTER_DATE: when,
  };
  // gc.auto=0: 10,000 loose objects would otherwise start an automatic gc in the middle of the history.
  const full = ['-c', 'gc.auto=0', '-c', 'core.autocrlf=false', '-c', 'commit.gpgsign=false', ...args];
  return new Promise((resolve, reject) => {
    const child = spawn('git', full, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`git ${args.join(' ')} exited ${code}: ${err.trim()}`)),
    );
  });
}
