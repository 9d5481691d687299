import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '@itemstore/v2';
import { GitRepo } from '../../../test/helpers/git-repo.js';
import { bucketsNamed, settingsYaml } from '../../../test/helpers/settings.js';

jest.setTimeout(60_000);

const SETTINGS = settingsYaml({ buckets: bucketsNamed('retail'), teams: ['emr'] });

const made: string[] = [];
let server: RunningServer;
beforeAll(async () => {
  const data = mkdtempSync(join(tmpdir(), 'plan-v2-'));
  made.push(data);
  server = await startServer({ port: 0, dataDir: data, token: 't0ken' });
});
afterAll(async () => {
  await server.close();
  made.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

/** Runs the command in-process, capturing what it prints. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const { main } = await import('../src/main.js');
  let out = '';
  let err = '';
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: await main(argv), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

async function repoOnFeatureBranch(): Promise<GitRepo> {
  const repo = await GitRepo.init();
  made.push(repo.dir);
  await repo.commit('initial', {
    'item-store.yaml': SETTINGS,
    'emr/tags.yaml': 'tags:\n  interface: emr\n',
    'emr/jobs/nightly.yaml': 'steps: []\n',
  });
  await repo.checkout('Feature/X', { create: true });
  return repo;
}

describe('itemstore plan', () => {
  it('plans a feature branch offline: new and old identities, nothing written', async () => {
    const repo = await repoOnFeatureBranch();
    await repo.commit('retag', { 'emr/tags.yaml': 'tags:\n  interface: spark\n' });
    const r = await run(['plan', '--repo', repo.dir]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('upsert  emr/jobs/nightly.yaml  emr-jobs {branch=Feature/X, interface=spark');
    expect(r.out).toContain('identity changed: tag interface emr → spark');
    expect(r.err).toContain('plan: 2 entries on Feature/X since');
  });

  it('with --url compares with V2 and prints a diff, and exits 1 with located errors for a bad config', async () => {
    const repo = await repoOnFeatureBranch();
    await repo.commit('edit', { 'emr/jobs/nightly.yaml': 'steps: [load]\n' });
    const ok = await run(['plan', '--repo', repo.dir, '--url', server.url, '--token', 't0ken']);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/\+\s+"load"/);

    await repo.commit('break', { 'emr/jobs/nightly.yaml': 'steps: [load\n' });
    const bad = await run(['plan', '--repo', repo.dir]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/error: emr\/jobs\/nightly\.yaml:\d+:\d+: /);
  });
});
