// The benchmarks' synthetic config repo (bench/lib/synthetic-repo.mjs), scaled down to 200 configs: its shape,
// that the project's own resolver and converter accept every file, determinism, and the git history.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { FsTree, loadSettings, resolveTree } from '@itemstore/config';
import { toV2Json } from '@itemstore/convert';
import { generateRepo, type GeneratedRepo } from '../../bench/lib/synthetic-repo.mjs';

const root = mkdtempSync(join(tmpdir(), 'bench-generate-test-'));
let repo: GeneratedRepo;

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' },
  });
}

beforeAll(async () => {
  repo = await generateRepo({ dir: join(root, 'a'), configs: 200, seed: 42 });
}, 60_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('generateRepo (200 configs)', () => {
  it('writes item-store.yaml with 20 teams, their tenants and the three environments', async () => {
    const settings = await loadSettings(new FsTree(repo.dir));
    expect(Object.keys(settings.teams)).toHaveLength(20);
    expect(settings.environments).toEqual(['dev', 'qa', 'prod']);
    for (const team of Object.values(settings.teams)) {
      expect(Object.keys(settings.tenants[team.tenant]?.s3 ?? {}).sort()).toEqual(['dev', 'prod', 'qa']);
    }
    const formats = new Set(Object.values(settings.teams).map((t) => t.format));
    expect(formats).toEqual(new Set(['plain', 'config-list', 'dq']));
  });

  it('gives every team a folder with tags.yaml and a default/ folder holding configs', () => {
    expect(repo.configs).toHaveLength(200);
    for (const team of repo.teams) {
      expect(existsSync(join(repo.dir, team.name, 'tags.yaml'))).toBe(true);
      expect(
        repo.configs.some((c) => c.team === team.name && c.path.startsWith(`${team.name}/default/`)),
      ).toBe(true);
    }
    // Nested folders below the team folder, some with their own tags.yaml.
    expect(repo.configs.some((c) => c.path.split('/').length >= 4)).toBe(true);
    const nestedTags = git(repo.dir, 'ls-files', '*/*/tags.yaml').trim().split('\n').filter(Boolean);
    expect(nestedTags.length).toBeGreaterThan(0);
  });

  it('writes DQ configs as a root config_list with several entries', () => {
    const dq = repo.configs.filter((c) => c.format === 'dq');
    expect(dq.length).toBeGreaterThan(0);
    const lengths = dq.map((c) => {
      const value = parse(readFileSync(join(repo.dir, c.path), 'utf8'), {
        merge: true,
        maxAliasCount: -1,
      }) as { config_list: unknown[] };
      expect(Object.keys(value)).toEqual(['config_list']);
      expect(Array.isArray(value.config_list)).toBe(true);
      return value.config_list.length;
    });
    expect(Math.max(...lengths)).toBeGreaterThan(1);
  });

  it('keeps every config between 200 B and 50 KB, with a spread of sizes', () => {
    const sizes = repo.configs.map((c) => statSync(join(repo.dir, c.path)).size);
    expect(sizes).toEqual(repo.configs.map((c) => c.bytes));
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(200);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(50_000);
    expect(sizes.filter((s) => s < 2_000).length).toBeGreaterThan(20);
    expect(sizes.filter((s) => s > 20_000).length).toBeGreaterThan(10);
  });

  it('produces a repo the resolver and the converter accept without one error', async () => {
    const tree = new FsTree(repo.dir);
    const result = await resolveTree(tree, await loadSettings(tree));
    expect(result.errors.map((e) => e.message)).toEqual([]);
    expect(result.configs.map((c) => c.path).sort()).toEqual(repo.configs.map((c) => c.path).sort());
    for (const c of result.configs) {
      expect(() =>
        toV2Json(readFileSync(join(repo.dir, c.path)), { file: c.path, format: c.format }),
      ).not.toThrow();
    }
    // Some configs go to S3 only (_SC under default/), the rest of default/ to both.
    expect(result.configs.some((c) => c.targets.includes('s3') && c.targets.includes('v2'))).toBe(true);
  });

  it('commits base, a 1-file commit and a commit editing a tenth of the configs', () => {
    expect(git(repo.dir, 'rev-list', 'main').trim().split('\n')).toEqual([
      repo.thousandFiles,
      repo.oneFile,
      repo.base,
    ]);
    expect(git(repo.dir, 'diff', '--name-only', repo.base, repo.oneFile).trim().split('\n')).toEqual([
      repo.oneFilePath,
    ]);
    expect(repo.oneFilePath).toMatch(/^[^/]+\/default\//);
    const many = git(repo.dir, 'diff', '--name-status', repo.oneFile, repo.thousandFiles).trim().split('\n');
    expect(many).toHaveLength(20);
    expect(many.every((l) => l.startsWith('M\t'))).toBe(true);
    expect(many.map((l) => l.slice(2))).toEqual(repo.thousandFilePaths);
    expect(git(repo.dir, 'status', '--porcelain')).toBe('');
  });

  it('is deterministic for a fixed seed and differs for another', async () => {
    const again = await generateRepo({ dir: join(root, 'b'), configs: 200, seed: 42 });
    expect(again.shas).toEqual(repo.shas);
    const other = await generateRepo({ dir: join(root, 'c'), configs: 200, seed: 43 });
    expect(other.base).not.toBe(repo.base);
  }, 60_000);
});
