import { afterAll, describe, expect, it, jest } from '@jest/globals';
import type { ChangeManifest, ResolvedManifest } from '@itemstore/core';
import { FsTree } from '@itemstore/config';
import { detectChanges, GitTree } from '@itemstore/changes';
import { resolveManifest, resolveSummary } from '@itemstore/resolve';
import { GitRepo } from '../../../test/helpers/git-repo.js';
import { bucketsNamed, settingsYaml } from '../../../test/helpers/settings.js';

// Real git processes: generous limits for a loaded 2-core machine (each test takes well under a second alone).
jest.setTimeout(60_000);

const SETTINGS = settingsYaml({ buckets: bucketsNamed('retail'), teams: ['emr', 'data-router'] });

const repos: GitRepo[] = [];
afterAll(() => repos.forEach((r) => r.remove()));

async function newRepo(files: Record<string, string>): Promise<{ repo: GitRepo; base: string }> {
  const repo = await GitRepo.init();
  repos.push(repo);
  const base = await repo.commit('initial', { 'item-store.yaml': SETTINGS, ...files });
  return { repo, base };
}

/** detect (as on a push from `before` to HEAD) then resolve, both on the real repository. */
async function pushResolve(repo: GitRepo, before: string, branch = 'main'): Promise<ResolvedManifest> {
  const after = await repo.rev();
  const changes: ChangeManifest = await detectChanges({
    directory: repo.dir,
    event: {
      eventName: 'push',
      payload: { before, after, ref: `refs/heads/${branch}` },
      ref: `refs/heads/${branch}`,
      sha: after,
    },
    remote: null,
    fetch: false,
  });
  const base = changes.baseSha ? new GitTree(repo.dir, changes.baseSha) : undefined;
  try {
    return await resolveManifest(changes, { head: new FsTree(repo.dir), base });
  } finally {
    base?.close();
  }
}

const emrFiles = {
  'emr/tags.yaml': 'tags:\n  interface: emr\n',
  'emr/jobs/nightly.yaml': 'steps:\n  - name: load\n    jar: s3://jars/load.jar\n',
  'emr/jobs/hourly.yaml': 'steps: []\n',
};

describe('resolveManifest on real git history', () => {
  it('a tags.yaml edit changes the identity of every config below it: new item upserted, old one deleted', async () => {
    const { repo, base } = await newRepo(emrFiles);
    await repo.commit('switch to spark-submit', { 'emr/tags.yaml': 'tags:\n  interface: spark-submit\n' });
    const m = await pushResolve(repo, base);
    expect(m.errors).toEqual([]);
    const nightly = m.entries.filter((e) => e.path === 'emr/jobs/nightly.yaml');
    expect(nightly.map((e) => [e.action, e.side, e.tags.interface])).toEqual([
      ['upsert', 'head', 'spark-submit'],
      ['delete', 'base', 'emr'],
    ]);
    expect(nightly[1]?.why).toBe('identity changed: tag interface emr → spark-submit');
    expect(nightly[1]?.targets).toEqual(['v2']);
    expect(m.entries.filter((e) => e.path === 'emr/jobs/hourly.yaml')).toHaveLength(2);
    expect(resolveSummary(m).toMarkdown()).toContain('identity changed: tag interface emr → spark-submit');
  });

  it("a deleted config's identity comes from the base tree, even when the same push changed its tags.yaml", async () => {
    const { repo, base } = await newRepo(emrFiles);
    repo.write({ 'emr/jobs/hourly.yaml': null });
    await repo.commit('drop hourly, retag', { 'emr/tags.yaml': 'tags:\n  interface: glue\n' });
    const m = await pushResolve(repo, base);
    const hourly = m.entries.filter((e) => e.path === 'emr/jobs/hourly.yaml');
    expect(hourly).toHaveLength(1);
    expect(hourly[0]).toMatchObject({
      action: 'delete',
      side: 'base',
      status: 'deleted',
      why: 'deleted in git',
    });
    expect(hourly[0]?.tags).toEqual({ interface: 'emr', name: 'hourly', team: 'emr' });
    expect(hourly[0]?.identity).toBe('emr-jobs?interface=emr&name=hourly&team=emr');
  });

  it('a move across folders with equal tags is one update; the same move under default/ also deletes the old S3 key', async () => {
    const { repo, base } = await newRepo({
      ...emrFiles,
      'emr/other/tags.yaml': 'tags:\n  interface: emr\n',
      'data-router/default/orders.yaml': 'config_list:\n  - route: orders\n',
    });
    await repo.rename('emr/jobs/nightly.yaml', 'emr/other/nightly.yaml');
    await repo.rename('data-router/default/orders.yaml', 'data-router/default/eu/orders.yaml');
    const m = await pushResolve(repo, base);
    expect(m.errors).toEqual([]);
    const nightly = m.entries.filter((e) => e.name === 'nightly');
    expect(nightly).toHaveLength(1);
    expect(nightly[0]).toMatchObject({
      action: 'upsert',
      status: 'renamed',
      previousPath: 'emr/jobs/nightly.yaml',
      path: 'emr/other/nightly.yaml',
    });
    expect(nightly[0]?.why).toContain('same identity');
    const orders = m.entries.filter((e) => e.name === 'orders');
    expect(orders.map((e) => [e.action, e.targets, e.s3KeyBelowPrefix])).toEqual([
      ['upsert', ['v2', 's3'], 'data-router/eu/orders.yaml'],
      ['delete', ['s3'], 'data-router/orders.yaml'],
    ]);
  });

  it('a feature branch adds the branch tag exactly as spelled', async () => {
    const { repo, base } = await newRepo(emrFiles);
    await repo.checkout('Feature/ABC-123', { create: true });
    await repo.commit('edit', { 'emr/jobs/hourly.yaml': 'steps: [a]\n' });
    const m = await pushResolve(repo, base, 'Feature/ABC-123');
    expect(m.isMainBranch).toBe(false);
    expect(m.entries).toHaveLength(1);
    expect(m.entries[0]?.tags.branch).toBe('Feature/ABC-123');
    expect(m.entries[0]?.identity).toContain('branch=Feature%2FABC-123');
  });

  it('an _SC config targets S3 only, with its key and legacy format decided by the team', async () => {
    const { repo, base } = await newRepo(emrFiles);
    await repo.commit('add', { 'data-router/default/returns_SC.yaml': 'config_list:\n  - route: returns\n' });
    const m = await pushResolve(repo, base);
    expect(m.entries).toEqual([
      expect.objectContaining({
        path: 'data-router/default/returns_SC.yaml',
        action: 'upsert',
        targets: ['s3'],
        s3Only: true,
        s3KeyBelowPrefix: 'data-router/returns_SC.yaml',
        s3Format: 'bytes',
      }),
    ]);
  });

  it('a file that will not convert is a located error and gets no entry; the others still resolve', async () => {
    const { repo, base } = await newRepo(emrFiles);
    await repo.commit('bad', {
      'emr/jobs/hourly.yaml': 'steps:\n  - retries: .inf\n',
      'emr/jobs/daily.yaml': 'steps: []\n',
    });
    const m = await pushResolve(repo, base);
    expect(m.entries.map((e) => e.path)).toEqual(['emr/jobs/daily.yaml']);
    expect(m.errors).toEqual([
      expect.objectContaining({ file: 'emr/jobs/hourly.yaml', line: 2, severity: 'error' }),
    ]);
  });

  it('a renamed config whose name changes tombstones the old item', async () => {
    const { repo, base } = await newRepo(emrFiles);
    await repo.rename('emr/jobs/hourly.yaml', 'emr/jobs/every_hour.yaml');
    const m = await pushResolve(repo, base);
    expect(m.entries.map((e) => [e.action, e.name, e.why])).toEqual([
      ['upsert', 'every_hour', 'new identity: tag name hourly → every_hour'],
      ['delete', 'hourly', 'identity changed: tag name hourly → every_hour'],
    ]);
  });
  it('a scalar YAML 1.1 reads differently is an error in a config S3 gets byte for byte, a warning in a V2-only one', async () => {
    const { repo, base } = await newRepo(emrFiles);
    await repo.commit('yes', {
      'emr/default/feed.yaml': 'enabled: yes\nmode: "0755"\n',
      'emr/jobs/hourly.yaml': 'steps: []\nretry: on\n',
    });
    const m = await pushResolve(repo, base);
    expect(m.errors).toEqual([
      {
        code: 'yaml11-ambiguous',
        severity: 'error',
        file: 'emr/default/feed.yaml',
        line: 1,
        column: 10,
        message: '"yes" is true to YAML 1.1 readers of S3 and the string "yes" to V2: write true or quote it',
      },
      {
        code: 'yaml11-ambiguous',
        severity: 'warning',
        file: 'emr/jobs/hourly.yaml',
        line: 2,
        column: 8,
        message:
          '"on" is the string "on" to V2 but true to YAML 1.1 readers: write true or quote it to make the meaning plain',
      },
    ]);
    // The S3-bound config gets no entry (nothing is written on a guess); the V2-only one deploys.
    expect(m.entries.map((e) => e.path)).toEqual(['emr/jobs/hourly.yaml']);
  });
});
