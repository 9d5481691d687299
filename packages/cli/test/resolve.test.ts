import { afterAll, describe, expect, test } from '@jest/globals';
import { UsageError } from '@itemstore/core';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runResolve } from '../src/commands/resolve.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const sample = join(root, 'test/fixtures/sample-repo');
const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function run(argv: string[], cwd = root): Promise<{ code: number; out: string; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runResolve(argv, { out: (t) => out.push(t), err: (l) => err.push(l), cwd });
  return { code, out: out.join('\n'), err };
}

function repoWith(files: Record<string, string | { symlink: string }>): string {
  const dir = mkdtempSync(join(tmpdir(), 'itemstore-resolve-cli-'));
  temps.push(dir);
  const settings = `version: 1
environments: [dev, qa]
s3OnlySuffixes: [_SC]
tenants:
  retail:
    region: us-east-1
    s3:
      dev: { bucket: retail-dev, prefix: v0/ }
      qa: { bucket: retail-qa, prefix: v0/ }
teams:
  data-router: { tenant: retail, namespace: data-router, format: config-list }
  ffi2: { tenant: retail, namespace: ffi2 }
`;
  const all: Record<string, string | { symlink: string }> = { 'item-store.yaml': settings, ...files };
  for (const [p, c] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    if (typeof c === 'string') writeFileSync(join(dir, p), c);
    else symlinkSync(c.symlink, join(dir, p));
  }
  return dir;
}

describe('itemstore resolve', () => {
  test('prints a table of the sample repo: team, namespace, tags, targets and the dev S3 key; exit 0', async () => {
    const { code, out, err } = await run(['--repo', 'test/fixtures/sample-repo']);
    expect(err).toEqual(['12 configs resolved.']);
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^PATH +TEAM +NAMESPACE +TAGS \(besides name, team\) +TARGETS +S3 \(dev\)$/);
    expect(lines).toHaveLength(13);
    const row = (p: string): string[] => lines.find((l) => l.startsWith(p + ' '))!.split(/ {2,}/);
    expect(row('data-router/default/orders.yaml')).toEqual([
      'data-router/default/orders.yaml',
      'data-router',
      'data-router',
      'component=data-router owner=routing-team platform=dmd',
      'v2+s3',
      's3://retail-configs-dev/item-store/data-router/orders.yaml',
    ]);
    expect(row('data-router/default/returns_SC.yaml').slice(4)).toEqual([
      's3',
      's3://retail-configs-dev/item-store/data-router/returns_SC.yaml',
    ]);
    expect(row('ffi2/default/vendor_feed.json').at(-1)).toBe(
      's3://wholesale-configs-dev/v0/item-store/ffi2/vendor_feed.json',
    );
    expect(row('emr/spark/nightly_sales.yaml').slice(2)).toEqual([
      'emr-jobs',
      'interface=spark-submit owner=compute platform=dmd',
      'v2',
      '-',
    ]);
    expect(out).not.toContain('.drafts');
  });

  test('--json with --branch: branch tag and identities of that exact branch', async () => {
    const { code, out } = await run(['--repo', sample, '--branch', 'Feature/ABC', '--json', 'ffi2/default/']);
    expect(code).toBe(0);
    const json = JSON.parse(out) as {
      branch: string;
      isMainBranch: boolean;
      configs: { path: string; identity: string; s3?: unknown }[];
    };
    expect(json.branch).toBe('Feature/ABC');
    expect(json.isMainBranch).toBe(false);
    expect(json.configs.map((c) => c.path)).toEqual([
      'ffi2/default/pricing.yml',
      'ffi2/default/vendor_feed.json',
    ]);
    expect(json.configs[0]).toMatchObject({
      identity:
        'ffi2?branch=Feature%2FABC&interface=ffi2&name=pricing&owner=integrations&platform=dmd&team=ffi2',
      s3: { bucket: 'wholesale-configs-dev', key: 'v0/item-store/ffi2/pricing.yml', region: 'eu-west-1' },
    });
  });

  test('paths may be given relative to the current directory', async () => {
    const { code, out } = await run(
      ['--json', 'default/orders_checks.yaml', '--repo', '..'],
      join(sample, 'data-quality'),
    );
    expect(code).toBe(0);
    expect((JSON.parse(out) as { configs: { path: string }[] }).configs.map((c) => c.path)).toEqual([
      'data-quality/default/orders_checks.yaml',
    ]);
  });

  test('problems go to stderr as file:line:col: message, and the exit code is 1', async () => {
    const dir = repoWith({
      'ffi2/tags.yaml': 'tags:\n  owner: x\n  team: mine\n',
      'ffi2/a.yaml': 'a: 1\n',
      'data-router/orders.yaml': 'config_list: []\n',
      'data-router/orders.json': '{"config_list": []}\n',
      'data-router/passwd.yaml': { symlink: '/etc/passwd' },
      'data-router/ok.yaml': 'config_list: []\n',
      'marketing/x.yaml': 'a: 1\n',
    });
    const { code, out, err } = await run(['--repo', dir]);
    expect(code).toBe(1);
    expect(
      out
        .split('\n')
        .slice(1)
        .map((l) => l.split(' ')[0]),
    ).toEqual(['data-router/ok.yaml']);
    expect(err).toEqual([
      expect.stringMatching(
        /^data-router\/orders\.json: same item as data-router\/orders\.yaml \(namespace data-router, tags /,
      ),
      expect.stringMatching(/^data-router\/orders\.yaml: same item as data-router\/orders\.json /),
      'data-router/passwd.yaml: a symlink to /etc/passwd, which is outside the repository; configs must be regular files in the repo',
      'ffi2/tags.yaml:3:3: tags.team: "team" is a reserved tag set by the tooling (name, team, branch); choose another key',
      expect.stringMatching(/^marketing\/x\.yaml: marketing\/ is not a team folder/),
      '1 config resolved, 5 errors.',
    ]);
  });

  test("each config's content is checked the way a deploy would (config-list shape, YAML errors)", async () => {
    const dir = repoWith({
      'data-router/routes.yaml': 'routes: []\n',
      'ffi2/bad.yaml': 'a: [1, 2\n',
      'ffi2/ok.json': '{"a": 1}\n',
    });
    const { code, out, err } = await run(['--repo', dir]);
    expect(code).toBe(1);
    expect(
      out
        .split('\n')
        .slice(1)
        .map((l) => l.split(' ')[0]),
    ).toEqual(['ffi2/ok.json']);
    expect(err).toHaveLength(3);
    expect(err[0]).toMatch(/^data-router\/routes\.yaml(:\d+:\d+)?: .*config_list/);
    expect(err[1]).toMatch(/^ffi2\/bad\.yaml:\d+:\d+: /);
    expect(err[2]).toBe('1 config resolved, 2 errors.');
  });

  test('an invalid item-store.yaml is reported located, naming the key', async () => {
    const dir = repoWith({ 'ffi2/a.yaml': 'a: 1\n' });
    writeFileSync(
      join(dir, 'item-store.yaml'),
      'version: 1\nenvironments: [dev]\ntenants: {}\nteams: {}\nmainBrnch: main\n',
    );
    const { code, err } = await run(['--repo', dir]);
    expect(code).toBe(1);
    expect(err).toEqual([
      'item-store.yaml:3:10: tenants: must not be empty',
      'item-store.yaml:4:8: teams: must not be empty',
      'item-store.yaml:5:1: mainBrnch: unknown key "mainBrnch" (did you mean "mainBranch"?)',
      '3 errors.',
    ]);
  });

  test('a non-config path is a warning (exit 0); a missing one an error', async () => {
    const warn = await run(['--repo', sample, 'README.md']);
    expect(warn.code).toBe(0);
    expect(warn.err[0]).toBe(
      'README.md: warning: not a config (only .yaml, .yml and .json files are configs), so it has no tags',
    );
    const missing = await run(['--repo', sample, 'ffi2/nope.yaml']);
    expect(missing.code).toBe(1);
    expect(missing.err[0]).toBe('ffi2/nope.yaml: no such file or folder in the config repo');
  });

  test('bad usage is a UsageError with one sentence; --help prints the usage', async () => {
    await expect(run(['--nope'])).rejects.toThrow(UsageError);
    await expect(run(['--repo', join(sample, 'item-store.yaml')])).rejects.toThrow(/is not a directory/);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: itemstore resolve \[--repo DIR\]/);
  });
});
