/**
 * deploy-item-store-v2 run the way the runner runs it (`node dist/deploy-item-store-v2/index.js` with INPUT_*),
 * against the reference V2 server over HTTP on 127.0.0.1. Needs `npm run build`.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '@itemstore/v2';
import { runBundle } from '../helpers/run-bundle.js';
import { GitRepo } from '../helpers/git-repo.js';
import { entryFor, expectedJson, manifestOf, yamlConfigs } from '../../packages/v2/test/helpers/fixtures.js';

const TOKEN = 'bundle-token-7d1e0b99';
// The first environment is `sandbox`: an empty `environment` input must pick it.
const SETTINGS = `version: 1
mainBranch: main
environments: [sandbox, qa, prod]
s3OnlySuffixes: [_SC]
tenants:
  retail:
    region: us-east-1
    s3:
      sandbox: { bucket: retail-sandbox, prefix: item-store/ }
      qa: { bucket: retail-qa, prefix: item-store/ }
      prod: { bucket: retail-prod, prefix: item-store/ }
teams:
  ffi2: { tenant: retail, namespace: ffi2 }
`;

let server: RunningServer;
let repo: GitRepo;
let sha: string;
beforeAll(async () => {
  server = await startServer({ port: 0, dataDir: mkdtempSync(join(tmpdir(), 'v2-bundle-')), token: TOKEN });
  repo = await GitRepo.init();
  // The config repo is a folder of the git repo: annotations must carry that prefix.
  const files = Object.fromEntries(Object.entries(yamlConfigs(50)).map(([p, c]) => [`configs/${p}`, c]));
  sha = await repo.commit('configs', {
    'configs/item-store.yaml': SETTINGS,
    ...files,
    'configs/ffi2/bad.yaml': 'a: 1\nb: 2\nc: d: e\nz: 4\n',
  });
});
afterAll(async () => {
  await server.close();
});

async function stats(): Promise<{
  requests: Record<string, number>;
  versions: Record<string, Record<string, number>>;
}> {
  const res = await fetch(`${server.url}/v2/_stats`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  return (await res.json()) as never;
}

function writeManifest(paths: string[], extra: { dryRunFile?: string } = {}): string {
  const file = join(mkdtempSync(join(tmpdir(), 'v2-manifest-')), extra.dryRunFile ?? 'resolved.json');
  writeFileSync(
    file,
    JSON.stringify(
      manifestOf(
        repo.dir,
        sha,
        paths.map((p) => entryFor(p)),
        { workingDirectory: 'configs' },
      ),
    ),
  );
  return file;
}

function run(manifest: string, inputs: Record<string, string> = {}) {
  return runBundle('deploy-item-store-v2', {
    workspace: repo.dir,
    inputs: {
      manifest,
      'item-store-url': server.url,
      'item-store-token': TOKEN,
      concurrency: '8',
      ...inputs,
    },
  });
}

const good = Object.keys(yamlConfigs(50));

describe('deploy-item-store-v2 bundle', () => {
  test('one invalid YAML among 50 good configs: no write at all, an annotation at its file and line', async () => {
    const r = await run(writeManifest([...good, 'ffi2/bad.yaml']));
    expect(r.exitCode).toBe(1);
    const errors = r.commands.filter((c) => c.command === 'error');
    const annotation = errors.find((c) => c.properties.file);
    expect(annotation?.properties).toMatchObject({ file: 'configs/ffi2/bad.yaml', line: '3', col: '4' });
    expect(errors.some((c) => /deploy-item-store-v2: 1 problem found/.test(c.message))).toBe(true);
    const st = await stats();
    expect(Object.keys(st.requests).filter((k) => !k.includes('_stats'))).toEqual([]);
    expect(st.versions).toEqual({});
  });

  test('dry-run shows a plan with a diff per item and writes nothing', async () => {
    const r = await run(writeManifest(good.slice(0, 3)), { 'dry-run': 'true' });
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ created: '3', updated: '0', failed: '0' });
    expect(r.summary).toContain('Item Store V2 plan (dry run): sandbox');
    expect(r.summary).toContain('<details><summary>ffi2/cfg000.yaml: would create</summary>');
    expect(r.summary).toContain('+  "interface": "cfg0",');
    expect((await stats()).versions).toEqual({});
  });

  test('deploys to the first environment, reports, masks the token; a second run changes nothing', async () => {
    const manifest = writeManifest(good);
    const r = await run(manifest);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({
      created: '50',
      updated: '0',
      unchanged: '0',
      deleted: '0',
      failed: '0',
      stale: '0',
    });
    expect(r.stdout).toContain(`::add-mask::${TOKEN}`);
    expect(r.stdout.replaceAll(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
    expect(r.summary).not.toContain(TOKEN);
    expect(r.summary).toContain('| path | item id | tags | environment | version | status |');
    expect(r.summary).toMatch(
      /\| `ffi2\/cfg007\.yaml` \| `it_[0-9a-f]+` \| `name=cfg007, team=ffi2` \| sandbox \| — → 1 \| created \|/,
    );
    const report = JSON.parse(readFileSync(r.outputs.report!, 'utf8'));
    expect(report).toMatchObject({ environment: 'sandbox', commit: sha, counts: { created: 50 } });
    expect(report.entries).toHaveLength(50);
    const versions = (await stats()).versions;
    expect(Object.values(versions).map((v) => v.sandbox)).toEqual(Array(50).fill(1));
    const id = report.entries.find((e: { path: string }) => e.path === 'ffi2/cfg007.yaml').itemId;
    const content = await fetch(`${server.url}/v2/items/${id}/environments/sandbox/contents`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(await content.text()).toBe(expectedJson(7));
    const item = (await (
      await fetch(`${server.url}/v2/items/${id}`, { headers: { Authorization: `Bearer ${TOKEN}` } })
    ).json()) as { environments: Record<string, { metadata: unknown }> };
    expect(item.environments.sandbox?.metadata).toEqual({
      commit: sha,
      branch: 'main',
      path: 'ffi2/cfg007.yaml',
      runUrl: 'https://github.com/example/dmd-item-storage-v2/actions/runs/1001/attempts/1',
      actor: 'octocat',
    });

    const again = await run(manifest);
    expect(again.outputs).toMatchObject({ created: '0', unchanged: '50' });
    expect((await stats()).versions).toEqual(versions);
  });

  test('bad inputs fail the step with one sentence before any request', async () => {
    const r = await run(writeManifest(good), { deletions: 'maybe' });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(
      '::error::deploy-item-store-v2: Input "deletions" must be one of apply, skip, got "maybe".',
    );
    const noUrl = await run(writeManifest(good), { 'item-store-url': '' });
    expect(noUrl.stdout).toContain(
      '"item-store-url" and "item-store-token" are required unless dry-run is true',
    );
  });
});
