/**
 * One set of contract limits (LIMITS in @itemstore/core): what the plan accepts, the reference server accepts.
 * The plan here is what a pull request's plan runs (item-store.yaml, tags, resolve, convert, and a dry run that
 * reads the store); the deploy is the same manifest written to the reference server over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import type { ConfigError } from '@itemstore/core';
import {
  ConfigErrors,
  LIMITS,
  MAX_REQUEST_BODY_BYTES,
  RESOLVED_MANIFEST_VERSION,
  codePointLength,
  type ResolvedManifest,
} from '@itemstore/core';
import { FsTree, loadSettings, resolveTree } from '@itemstore/config';
import { toV2Json } from '@itemstore/convert';
import { HttpItemStore, deployToV2, startServer, type RunningServer } from '@itemstore/v2';

const ROOT = join(import.meta.dirname, '../..');
const TOKEN = 'limits-test-token';
let server: RunningServer;
let store: HttpItemStore;
const temp: string[] = [];

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'limits-v2-'));
  temp.push(dataDir);
  server = await startServer({ port: 0, token: TOKEN, dataDir });
  store = new HttpItemStore({ url: server.url, token: TOKEN, retry: { retries: 0 } });
});
afterAll(async () => {
  await server?.close();
  for (const d of temp) rmSync(d, { recursive: true, force: true });
});

interface RepoSpec {
  namespace: string;
  /** tags.yaml of the team folder. */
  tags: Record<string, string>;
  branch: string;
  files: Record<string, string>;
}

function settingsYaml(namespace: string): string {
  return [
    'version: 1',
    'environments: [dev, qa, prod]',
    'tenants:',
    '  retail:',
    '    region: us-east-1',
    '    s3:',
    '      dev: { bucket: retail-dev, prefix: item-store/ }',
    '      qa: { bucket: retail-qa, prefix: item-store/ }',
    '      prod: { bucket: retail-prod, prefix: item-store/ }',
    'teams:',
    `  team: { tenant: retail, namespace: ${JSON.stringify(namespace)} }`,
    '',
  ].join('\n');
}

function writeRepo(spec: RepoSpec): string {
  const dir = mkdtempSync(join(tmpdir(), 'limits-repo-'));
  temp.push(dir);
  const files: Record<string, string> = {
    'item-store.yaml': settingsYaml(spec.namespace),
    'team/tags.yaml': `tags:\n${Object.entries(spec.tags)
      .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}\n`)
      .join('')}`,
    ...Object.fromEntries(Object.entries(spec.files).map(([p, t]) => [`team/${p}`, t])),
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

type PlanOutcome =
  { ok: true; manifest: ResolvedManifest; tree: FsTree } | { ok: false; errors: readonly ConfigError[] };

/** The plan: settings, tags, resolve, convert, and a dry run against the store (reads only). */
async function plan(dir: string, branch: string): Promise<PlanOutcome> {
  const tree = new FsTree(dir);
  try {
    const settings = await loadSettings(tree);
    const { configs, errors } = await resolveTree(tree, settings, { branch });
    if (errors.some((e) => e.severity === 'error')) return { ok: false, errors };
    const manifest: ResolvedManifest = {
      version: RESOLVED_MANIFEST_VERSION,
      mode: 'all',
      note: 'limits test',
      event: 'cli',
      branch,
      isMainBranch: branch === settings.mainBranch,
      baseSha: null,
      headSha: 'a'.repeat(40),
      workingDirectory: '',
      repoRoot: dir,
      entries: configs.map((c) => ({
        ...c,
        status: 'unchanged',
        reason: 'all',
        side: 'head',
        action: 'upsert',
      })),
      errors: [],
    };
    const { report } = await deploy(manifest, tree, true);
    if (report.counts.failed) throw new Error(`the dry run failed: ${JSON.stringify(report.entries)}`);
    return { ok: true, manifest, tree };
  } catch (err) {
    if (err instanceof ConfigErrors) return { ok: false, errors: err.errors };
    throw err;
  }
}

function deploy(manifest: ResolvedManifest, tree: FsTree, dryRun: boolean) {
  return deployToV2(manifest, {
    store,
    environment: 'dev',
    dryRun,
    deletions: 'apply',
    concurrency: 4,
    isAncestor: async () => false,
    convert: toV2Json,
    tree,
  });
}

/** Deploys what the plan accepted; every entry must be written (or unchanged), none failed. */
async function expectDeployOk(p: PlanOutcome & { ok: true }): Promise<void> {
  const { report } = await deploy(p.manifest, p.tree, false);
  const failed = report.entries.filter((e) => e.outcome === 'failed');
  expect(failed).toEqual([]);
  expect(report.entries.length).toBe(p.manifest.entries.length);
}

function located(errors: readonly ConfigError[]): string[] {
  return errors.filter((e) => e.severity === 'error').map((e) => `${e.file}:${e.line ?? '-'}:${e.code}`);
}

describe('the three defects of issue 12, reproduced', () => {
  test('a 100-character namespace is refused by the plan at item-store.yaml (the server allows 64)', async () => {
    const dir = writeRepo({
      namespace: 'n'.repeat(100),
      tags: { env: 'x' },
      branch: 'main',
      files: { 'a.yaml': 'a: 1\n' },
    });
    const p = await plan(dir, 'main');
    expect(p.ok).toBe(false);
    if (!p.ok) expect(located(p.errors)).toEqual(['item-store.yaml:11:settings-invalid']);
  });

  test('a 64-character namespace passes the plan and the deploy', async () => {
    const dir = writeRepo({
      namespace: 'N'.repeat(64),
      tags: { env: 'x' },
      branch: 'main',
      files: { 'a.yaml': 'a: 1\n' },
    });
    const p = await plan(dir, 'main');
    if (!p.ok) throw new Error(located(p.errors).join('\n'));
    await expectDeployOk(p);
  });

  test('a tag value of 256 emoji (512 UTF-16 units) passes the plan and the deploy; 257 is refused by the plan', async () => {
    const ok = writeRepo({
      namespace: 'emoji',
      tags: { mood: '😀'.repeat(256) },
      branch: 'main',
      files: { 'a.yaml': 'a: 1\n' },
    });
    const p = await plan(ok, 'main');
    if (!p.ok) throw new Error(located(p.errors).join('\n'));
    await expectDeployOk(p);
    const bad = writeRepo({
      namespace: 'emoji',
      tags: { mood: '😀'.repeat(257) },
      branch: 'main',
      files: { 'a.yaml': 'a: 1\n' },
    });
    const q = await plan(bad, 'main');
    expect(q.ok).toBe(false);
    if (!q.ok) expect(located(q.errors)).toEqual(['team/tags.yaml:2:tag-value-invalid']);
  });

  test('aliases fanning out to 9 MB are refused by the plan at the alias (they were a 413 at deploy)', async () => {
    const scalar = 'x'.repeat(100_000);
    const text = `a: &a "${scalar}"\nb: [${Array.from({ length: 90 }, () => '*a').join(', ')}]\n`;
    const dir = writeRepo({
      namespace: 'fan',
      tags: { env: 'x' },
      branch: 'main',
      files: { 'fan.yaml': text },
    });
    const p = await plan(dir, 'main');
    expect(p.ok).toBe(false);
    if (!p.ok) {
      expect(located(p.errors)).toEqual(['team/fan.yaml:2:content-too-large']);
      expect(p.errors[0]!.column).toBeGreaterThan(4);
    }
  });
});

describe('schemas/ and openapi/ state the limits of LIMITS', () => {
  const settingsSchema = JSON.parse(readFileSync(join(ROOT, 'schemas/item-store.schema.json'), 'utf8'));
  const tagsSchema = JSON.parse(readFileSync(join(ROOT, 'schemas/tags.schema.json'), 'utf8'));
  const openapi = parse(readFileSync(join(ROOT, 'openapi/item-store-v2.yaml'), 'utf8'));

  test('namespace, environment, config size', () => {
    const team = settingsSchema.definitions.team.properties;
    expect(team.namespace.pattern).toBe(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,${LIMITS.namespaceLength - 1}}$`);
    expect(openapi.components.schemas.Name.pattern).toBe(team.namespace.pattern);
    expect(settingsSchema.properties.environments.items.pattern).toBe(
      `^[a-z][a-z0-9-]{0,${LIMITS.environmentLength - 1}}$`,
    );
    expect(settingsSchema.properties.maxConfigBytes.maximum).toBe(LIMITS.configBytesMax);
    expect(settingsSchema.properties.maxConfigBytes.default).toBe(LIMITS.configBytesDefault);
    expect(LIMITS.configBytesMax).toBeLessThanOrEqual(LIMITS.contentBytes);
  });

  test('tags', () => {
    const value = tagsSchema.definitions.tags.additionalProperties;
    expect(value.maxLength).toBe(LIMITS.tagValueLength);
    const key = `^[a-z][a-z0-9_.-]{0,${LIMITS.tagKeyLength - 1}}$`;
    expect(tagsSchema.definitions.tags.propertyNames.pattern).toBe(key);
    // name and team are always added: one tags map can hold at most the rest.
    expect(tagsSchema.definitions.tags.maxProperties).toBe(LIMITS.tagsPerItem - 2);
    const tags = openapi.components.schemas.Tags;
    expect(tags.maxProperties).toBe(LIMITS.tagsPerItem);
    expect(tags.propertyNames.pattern).toBe(key);
    expect(tags.additionalProperties.maxLength).toBe(LIMITS.tagValueLength);
    expect(openapi.components.schemas.Metadata.additionalProperties.maxLength).toBe(
      LIMITS.metadataValueLength,
    );
  });

  test('the request body a server reads holds the largest content, JSON-escaped', () => {
    const worst = '"\\\n'.repeat(Math.floor(LIMITS.contentBytes / 3));
    const body = JSON.stringify({
      content: worst,
      md5: '0'.repeat(32),
      metadata: { path: 'p'.repeat(1024) },
    });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_REQUEST_BODY_BYTES);
    expect(openapi.info.description).toContain(`${LIMITS.contentBytes} bytes`);
  });
});

/** mulberry32: a small seeded generator, so a failing case can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('property: plan-ok ⇒ deploy-ok, near every limit', () => {
  const CASES = 40;
  const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const CHARS = ['a', 'Z', '7', 'é', '中', '😀', '𝄞', ' ', '-'];
  /** n code points, no leading or trailing space. */
  const text = (r: () => number, n: number): string => {
    const cps: string[] = [];
    for (let i = 0; i < n; i++) cps.push(pick(r, CHARS));
    if (cps[0] === ' ') cps[0] = 'x';
    if (cps[n - 1] === ' ') cps[n - 1] = 'x';
    return cps.join('');
  };
  const word = (r: () => number, first: string, rest: string, n: number): string => {
    let s = pick(r, [...first]);
    for (let i = 1; i < n; i++) s += pick(r, [...rest]);
    return s;
  };
  type Dimension = 'namespace' | 'tagCount' | 'tagKey' | 'tagValue' | 'branch' | 'content';
  const DIMENSIONS: Dimension[] = ['namespace', 'tagCount', 'tagKey', 'tagValue', 'branch', 'content'];

  /**
   * Every dimension sits at or just below its limit; one of them (chosen per case) is pushed just past it half of
   * the time. Values mix 1-unit, 2-unit (astral) and multi-byte characters, so code points and UTF-16 units differ.
   */
  function generate(seed: number): RepoSpec {
    const r = rng(seed);
    const pushed = pick(r, DIMENSIONS);
    const over = r() < 0.5;
    const size = (d: Dimension, limit: number): number =>
      d === pushed && over ? limit + 1 + Math.floor(r() * 2) : limit - Math.floor(r() * 2);
    const namespace = word(r, 'Ab3', 'Ab3_.-', size('namespace', LIMITS.namespaceLength));
    const onMain = pushed !== 'branch' && r() < 0.3;
    // name and team always, branch off main.
    const tagCount = size('tagCount', LIMITS.tagsPerItem) - (onMain ? 2 : 3);
    const tags: Record<string, string> = {};
    const longKey = Math.floor(r() * tagCount);
    const longValue = Math.floor(r() * tagCount);
    for (let i = 0; i < tagCount; i++) {
      const keyLength = i === longKey ? size('tagKey', LIMITS.tagKeyLength) : 2 + Math.floor(r() * 60);
      const key = `k${i.toString(36)}`.padEnd(keyLength, pick(r, ['a', '.', '_', '-', '9']));
      tags[key] = text(
        r,
        i === longValue ? size('tagValue', LIMITS.tagValueLength) : 200 + Math.floor(r() * 57),
      );
    }
    const branch = onMain ? 'main' : `f/${text(r, size('branch', LIMITS.tagValueLength) - 2)}`;
    // Content near LIMITS.contentBytes: one scalar and aliases to it (each costs the scalar plus ", ").
    const scalarSize = Math.floor(20_000 + r() * 200_000);
    const target = pushed === 'content' && over ? LIMITS.contentBytes * 1.05 : LIMITS.contentBytes * 0.97;
    const aliases = Math.max(0, Math.floor(target / (scalarSize + 8)) - 2);
    const fan = `a: &a "${'y'.repeat(scalarSize)}"\nb: [${Array.from({ length: aliases }, () => '*a').join(', ')}]\n`;
    return { namespace, tags, branch, files: { 'small.yaml': `n: ${seed}\n`, 'fan.yaml': fan } };
  }

  test(`${CASES} random repos: every one the plan accepts deploys without a failure`, async () => {
    let accepted = 0;
    let refused = 0;
    for (let seed = 1; seed <= CASES; seed++) {
      const spec = generate(seed);
      const p = await plan(writeRepo(spec), spec.branch);
      if (p.ok) {
        accepted++;
        const { report } = await deploy(p.manifest, p.tree, false);
        const failed = report.entries.filter((e) => e.outcome === 'failed');
        if (failed.length) {
          throw new Error(
            `seed ${seed}: the plan accepted it, the deploy failed: ${JSON.stringify(failed.map((f) => f.error ?? f))}` +
              ` (namespace ${spec.namespace.length}, tags ${Object.keys(spec.tags).length}, ` +
              `longest value ${Math.max(0, ...Object.values(spec.tags).map(codePointLength))})`,
          );
        }
      } else {
        refused++;
        // Every refusal is located in a file (a branch name is not in a file: its error names the branch).
        for (const e of p.errors)
          if (e.code !== 'branch-invalid') expect([e.code, e.file]).toEqual([e.code, expect.any(String)]);
      }
    }
    // The generator reaches both sides of the limits.
    expect(accepted).toBeGreaterThanOrEqual(CASES / 3);
    expect(refused).toBeGreaterThanOrEqual(CASES / 10);
  }, 240_000);
});

describe('the reference server at the limits', () => {
  async function call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }> {
    const res = await fetch(server.url + path, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: await res.json() };
  }
  const md5 = (s: string) => createHash('md5').update(s).digest('hex');

  test('content of exactly 2 MiB is stored, one byte more is 413, even with the worst JSON escaping', async () => {
    const { json } = await call('POST', '/v2/namespaces/size/items:generateId', { tags: { name: 'big' } });
    const id = (json as { itemId: string }).itemId;
    const fits = '"\n'.repeat(LIMITS.contentBytes / 2);
    const put = (content: string) =>
      call('PUT', `/v2/items/${id}/environments/dev/contents`, { content, md5: md5(content) });
    expect((await put(fits)).status).toBe(201);
    const over = await put(fits + 'x');
    expect(over.status).toBe(413);
    expect(JSON.stringify(over.json)).toContain(String(LIMITS.contentBytes));
  });

  test('32 tags of 256 emoji each: generateId and a search carrying all of them answer; 33 tags are 400', async () => {
    const tags: Record<string, string> = {};
    for (let i = 0; i < LIMITS.tagsPerItem; i++)
      tags[`k${i}`.padEnd(LIMITS.tagKeyLength, 'x')] = '😀'.repeat(256);
    expect((await call('POST', '/v2/namespaces/wide/items:generateId', { tags })).status).toBe(201);
    const query = Object.entries(tags)
      .map(([k, v]) => `tag=${encodeURIComponent(`${k}:${v}`)}`)
      .join('&');
    const found = await call('GET', `/v2/namespaces/wide/items?${query}`);
    expect(found.status).toBe(200);
    expect((found.json as { items: unknown[] }).items).toHaveLength(1);
    const more = { ...tags, extra: 'x' };
    expect((await call('POST', '/v2/namespaces/wide/items:generateId', { tags: more })).status).toBe(400);
  });

  test('an environment named like a JavaScript built-in is a name, not a 500', async () => {
    const { json } = await call('POST', '/v2/namespaces/proto/items:generateId', { tags: { name: 'p' } });
    const id = (json as { itemId: string }).itemId;
    for (const env of ['constructor', 'toString', 'hasOwnProperty']) {
      expect((await call('GET', `/v2/items/${id}/environments/${env}/contents`)).status).toBe(404);
      const content = '{}\n';
      const put = await call('PUT', `/v2/items/${id}/environments/${env}/contents`, {
        content,
        md5: md5(content),
      });
      expect(put.status).toBe(201);
    }
  });
});
