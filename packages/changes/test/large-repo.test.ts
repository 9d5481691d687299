/** A 10,000-config repository, built with git fast-import so the test stays fast. */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { rmSync } from 'node:fs';
import { GitRepo } from '../../../test/helpers/git-repo.js';
import { changeSummary, detectChanges, type EventContext } from '../src/index.js';

// Real git processes: generous limits for a loaded 2-core CI machine (each test takes well under a second alone).
jest.setTimeout(60_000);

let repo: GitRepo;
let base: string;
const files: Record<string, string> = { 'item-store.yaml': 'version: 1\n' };
for (let t = 0; t < 20; t++) files[`team${t}/tags.yaml`] = `tags: {t: "${t}"}\n`;
for (let i = 0; i < 10_000; i++) files[`team${i % 20}/sub${i % 7}/cfg-${i}.yaml`] = `id: ${i}\n`;

beforeAll(async () => {
  repo = await GitRepo.init();
  base = await repo.importCommit('main', files);
});
afterAll(() => rmSync(repo.dir, { recursive: true, force: true }));

const push = (before: string, after: string): EventContext => ({
  eventName: 'push',
  payload: { ref: 'refs/heads/main', before, after },
});

describe('10,000 configs', () => {
  it('a one-file push lists one file', async () => {
    const head = await repo.importCommit(
      'main',
      { 'team3/sub3/cfg-3.yaml': 'id: changed\n' },
      { parent: base },
    );
    const m = await detectChanges({ directory: repo.dir, event: push(base, head), remote: null });
    expect(m.entries).toEqual([
      { path: 'team3/sub3/cfg-3.yaml', status: 'modified', reason: 'changed', kind: 'config' },
    ]);
  });

  it('a root tags change lists all 10,000 configs; the summary shows 500 rows and counts the rest', async () => {
    const head = await repo.importCommit('main', { 'tags.yaml': 'tags: {org: x}\n' }, { parent: base });
    const m = await detectChanges({ directory: repo.dir, event: push(base, head), remote: null });
    expect(m.entries).toHaveLength(10_001);
    expect(m.entries.filter((e) => e.reason === 'tags-changed')).toHaveLength(10_000);
    const md = changeSummary(m).toMarkdown();
    expect(
      md.split('\n').filter((l) => l.startsWith('| re-resolved') || l.startsWith('| added')),
    ).toHaveLength(500);
    expect(md).toContain('9501 more rows not shown (10001 in all)');
  });

  it('a team tags change lists only that team', async () => {
    const head = await repo.importCommit(
      'main',
      { 'team5/tags.yaml': 'tags: {t: five}\n' },
      { parent: base },
    );
    const m = await detectChanges({ directory: repo.dir, event: push(base, head), remote: null });
    expect(m.entries).toHaveLength(501);
    expect(m.entries.every((e) => e.path.startsWith('team5/'))).toBe(true);
  });
});
