/**
 * Summaries must not contradict themselves (issue 16): a first push is a full listing, not "unchanged"; a resolve
 * whose every config failed does not say "No configs changed."; causes come before their effects; dry runs say
 * what *would* happen. Real git repositories, the real detect → resolve → deploy code and the reference V2 server.
 */
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { sortErrors, ConfigError } from '@itemstore/core';
import { changeSummary, describe as describeChanges } from '@itemstore/changes';
import { resolveSummary } from '@itemstore/resolve';
import { toV2Json } from '@itemstore/convert';
import { deployLines, deploySummary, deployToV2, gitIsAncestor } from '@itemstore/v2';
import { GitRepo } from '../helpers/git-repo.js';
import { pushManifest } from '../helpers/pipeline.js';
import { fastClient, testServer } from '../../packages/v2/test/helpers/servers.js';
import { SETTINGS_YAML, yamlConfigs } from '../../packages/v2/test/helpers/fixtures.js';
import { detectChanges } from '@itemstore/changes';
import { syncCountsLine, syncLines, syncReport, syncSummary } from '@itemstore/s3';
import {
  promoteCountsLine,
  promoteLines,
  promoteSummary,
  type PromoteEntry,
  type PromoteReport,
} from '@itemstore/ops';

jest.setTimeout(60_000);

const repos: GitRepo[] = [];
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  repos.forEach((r) => r.remove());
  await Promise.all(closers.map((c) => c()));
});

async function repoWith(files: Record<string, string>): Promise<{ repo: GitRepo; first: string }> {
  const repo = await GitRepo.init();
  repos.push(repo);
  const first = await repo.commit('first', { 'item-store.yaml': SETTINGS_YAML, ...files });
  return { repo, first };
}

describe('a first push (full listing)', () => {
  it('is not called "unchanged" above the "5 created" of the deploy', async () => {
    const { repo } = await repoWith(yamlConfigs(5));
    const resolved = await pushManifest(repo, null);
    const changes = await detectChanges({
      directory: repo.dir,
      event: {
        eventName: 'push',
        payload: { before: '0'.repeat(40), created: true },
        ref: 'refs/heads/main',
      },
      remote: null,
      fetch: false,
    });
    expect(changes.mode).toBe('all');
    const detectMd = changeSummary(changes).toMarkdown();
    expect(detectMd).not.toMatch(/unchanged/);
    expect(describeChanges(changes)).toBe(
      '5 configs listed (full listing: every config at this commit, not a diff)',
    );
    expect(detectMd).toContain('| listed |');
    expect(detectMd).toMatch(/^## Configs \(full listing\)$/m);

    const server = await testServer();
    closers.push(() => server.close());
    const { report } = await deployToV2(resolved, {
      store: fastClient(server.url),
      environment: 'dev',
      dryRun: false,
      deletions: 'apply',
      concurrency: 4,
      isAncestor: gitIsAncestor(repo.dir, { fetch: false }),
      convert: toV2Json,
    });
    const md = deploySummary(report).toMarkdown();
    expect(md).toContain('5 created');
    expect(md).not.toMatch(/\| unchanged \|/);
  });
});

describe('resolve-tags', () => {
  it('does not say "No configs changed." above a table of problems', async () => {
    const { repo, first } = await repoWith(yamlConfigs(2));
    await repo.commit('break both', {
      'ffi2/cfg000.yaml': 'a: [\n',
      'ffi2/cfg001.yaml': 'b: {\n',
    });
    const m = await pushManifest(repo, first);
    expect(m.entries).toEqual([]);
    expect(m.errors.length).toBeGreaterThan(0);
    const md = resolveSummary(m).toMarkdown();
    expect(md).not.toContain('No configs changed.');
    expect(md).toContain('No config could be resolved: 2 errors in 2 files, listed below.');
  });

  it('lists the cause of a "could not be resolved" line before it', async () => {
    const { repo, first } = await repoWith({
      'ffi2/jobs/tags.yaml': 'tags:\n  interface: jobs\n',
      'ffi2/jobs/a.yaml': 'a: 1\n',
    });
    await repo.commit('break the tags file, edit the config', {
      'ffi2/jobs/tags.yaml': 'tags: [\n',
      'ffi2/jobs/a.yaml': 'a: 2\n',
    });
    const m = await pushManifest(repo, first);
    const files = m.errors.map((e) => `${e.file} ${e.code}`);
    const effect = files.findIndex((f) => f.endsWith(' unresolved'));
    expect(effect).toBeGreaterThan(-1);
    expect(files.slice(0, effect).some((f) => f.startsWith('ffi2/jobs/tags.yaml'))).toBe(true);
    const md = resolveSummary(m).toMarkdown();
    expect(md.indexOf('ffi2/jobs/tags.yaml')).toBeLessThan(md.indexOf('could not be resolved'));
  });

  it('sortErrors puts consequences after every cause', () => {
    const sorted = sortErrors([
      new ConfigError('unresolved', 'could not be resolved', { file: 'a/a.yaml' }),
      new ConfigError('yaml-syntax', 'bad', { file: 'z/tags.yaml', line: 1 }),
    ]);
    expect(sorted.map((e) => e.code)).toEqual(['yaml-syntax', 'unresolved']);
  });
});

describe('dry runs say "would"', () => {
  it('deploy --dry-run: summary, terminal lines', async () => {
    const { repo } = await repoWith(yamlConfigs(2));
    const resolved = await pushManifest(repo, null);
    const server = await testServer();
    closers.push(() => server.close());
    const { report } = await deployToV2(resolved, {
      store: fastClient(server.url),
      environment: 'dev',
      dryRun: true,
      deletions: 'apply',
      concurrency: 4,
      isAncestor: gitIsAncestor(repo.dir, { fetch: false }),
      convert: toV2Json,
    });
    const md = deploySummary(report).toMarkdown();
    expect(md).toContain('2 would be created');
    expect(md).not.toMatch(/\| created \|/);
    for (const line of deployLines(report)) expect(line).toMatch(/^would create /);
  });
});

describe('dry runs say "would" (sync-s3, promote)', () => {
  it('sync-s3 --dry-run', () => {
    const report = syncReport({
      mode: 'full',
      environment: 'dev',
      dryRun: true,
      deletions: 'apply',
      locations: [{ bucket: 'b', prefix: 'p/', region: 'us-east-1' }],
      items: [
        {
          key: 'p/a.json',
          bucket: 'b',
          action: 'upload',
          status: 'planned',
          bytes: 3,
          reason: 'new',
          contentType: 'application/json',
        } as never,
      ],
    });
    expect(syncCountsLine(report)).toBe(
      'plan s3 dev (dry run, nothing written): 1 would be uploaded, 0 unchanged, 0 would be deleted, 0 kept, 0 failed',
    );
    expect(syncSummary(report).toMarkdown()).toContain('1 would be uploaded');
    expect(syncSummary(report).toMarkdown()).not.toMatch(/S3 sync ran/);
    expect(syncLines(report)[0]).toMatch(/^would upload /);
  });

  it('promote --dry-run: no "0 promoted, 2 planned"', () => {
    const entry = (path: string, action: PromoteEntry['action']): PromoteEntry =>
      ({ path, store: 'v2', action, outcome: 'planned', namespace: 'ffi2', tags: {} }) as PromoteEntry;
    const report = {
      version: 1,
      from: 'dev',
      to: 'qa',
      dryRun: true,
      s3Sync: true,
      paths: [],
      counts: { promoted: 0, deleted: 0, unchanged: 3, skipped: 0, planned: 2, failed: 0 },
      unverified: 0,
      entries: [entry('ffi2/a.yaml', 'promote'), entry('ffi2/b.yaml', 'delete')],
    } as unknown as PromoteReport;
    expect(promoteCountsLine(report)).toBe(
      'promote dev → qa (dry run, nothing written): 1 would be promoted, 1 would be deleted, 3 unchanged, 0 skipped, 0 failed',
    );
    const md = promoteSummary(report).toMarkdown();
    expect(md).toContain('1 would be promoted, 1 would be deleted');
    expect(md).not.toMatch(/0 promoted|planned/);
    expect(promoteLines(report).map((l) => l.split('  ')[0]?.trim().split(' v2')[0])).toEqual([
      'would promote',
      'would delete',
    ]);
  });
});
