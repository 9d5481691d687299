import { describe, expect, it } from '@jest/globals';
import { buildEntries, parseRawDiff, PathFilter, type HeadFile, type RawChange } from '../src/index.js';

const S1 = '1'.repeat(40);
const S2 = '2'.repeat(40);
const Z = '0'.repeat(40);

function raw(records: string[][]): string {
  return records.map((r) => r.join('\0')).join('\0') + '\0';
}

const noHead = async (): Promise<HeadFile[]> => {
  throw new Error('head files must not be listed when no tags or settings file changed');
};

function build(changes: RawChange[], opts: { wd?: string; head?: HeadFile[]; filter?: PathFilter } = {}) {
  return buildEntries({
    changes,
    workingDirectory: opts.wd ?? '',
    filter: opts.filter ?? new PathFilter(),
    headFiles: opts.head ? async () => opts.head as HeadFile[] : noHead,
  });
}

describe('parseRawDiff', () => {
  it('reads NUL-separated records, with both paths for renames and copies', () => {
    const text = raw([
      [`:100644 100644 ${S1} ${S2} M`, 'team/a b.yaml'],
      [`:000000 100644 ${Z} ${S2} A`, 'team/new\nline.yaml'],
      [`:100644 100644 ${S1} ${S1} R100`, 'team/old.yaml', 'team/new.yaml'],
      [`:100644 100644 ${S1} ${S2} C075`, 'team/src.yaml', 'team/copy.yaml'],
      [`:100644 120000 ${S1} ${S2} T`, 'team/link.yaml'],
      [`:100644 000000 ${S1} ${Z} D`, '-leading.yaml'],
    ]);
    expect(parseRawDiff(text)).toEqual([
      {
        status: 'M',
        srcMode: '100644',
        dstMode: '100644',
        srcPath: 'team/a b.yaml',
        dstPath: 'team/a b.yaml',
      },
      {
        status: 'A',
        srcMode: '000000',
        dstMode: '100644',
        srcPath: 'team/new\nline.yaml',
        dstPath: 'team/new\nline.yaml',
      },
      {
        status: 'R',
        score: 100,
        srcMode: '100644',
        dstMode: '100644',
        srcPath: 'team/old.yaml',
        dstPath: 'team/new.yaml',
      },
      {
        status: 'C',
        score: 75,
        srcMode: '100644',
        dstMode: '100644',
        srcPath: 'team/src.yaml',
        dstPath: 'team/copy.yaml',
      },
      {
        status: 'T',
        srcMode: '100644',
        dstMode: '120000',
        srcPath: 'team/link.yaml',
        dstPath: 'team/link.yaml',
      },
      {
        status: 'D',
        srcMode: '100644',
        dstMode: '000000',
        srcPath: '-leading.yaml',
        dstPath: '-leading.yaml',
      },
    ]);
  });
});

const change = (
  status: RawChange['status'],
  src: string,
  dst = src,
  srcMode = '100644',
  dstMode = '100644',
): RawChange => ({
  status,
  srcMode: status === 'A' ? '000000' : srcMode,
  dstMode: status === 'D' ? '000000' : dstMode,
  srcPath: src,
  dstPath: dst,
});

describe('buildEntries', () => {
  it('keeps a rename as a pair when both sides are configs', async () => {
    expect(await build([change('R', 't/a.yaml', 't/b.yaml')])).toEqual([
      { path: 't/b.yaml', status: 'renamed', previousPath: 't/a.yaml', reason: 'changed', kind: 'config' },
    ]);
  });

  it('a rename out of the store is a delete; into it, an add; a copy from outside is an add', async () => {
    expect(
      await build([change('R', 't/a.yaml', 't/.drafts/a.yaml'), change('R', 't/notes.txt', 't/c.yaml')]),
    ).toEqual([
      { path: 't/a.yaml', status: 'deleted', reason: 'changed', kind: 'config' },
      { path: 't/c.yaml', status: 'added', reason: 'changed', kind: 'config' },
    ]);
    expect(await build([change('C', 't/x.txt', 't/x.yaml')])).toEqual([
      { path: 't/x.yaml', status: 'added', reason: 'changed', kind: 'config' },
    ]);
  });

  it('a rename that changes the kind (tags.yaml → config) is a delete plus an add, and widens to the old scope', async () => {
    const entries = await build([change('R', 't/tags.yaml', 't/x.yaml')], {
      head: [
        { path: 't/x.yaml', mode: '100644' },
        { path: 't/y.yaml', mode: '100644' },
      ],
    });
    expect(entries).toEqual([
      { path: 't/tags.yaml', status: 'deleted', reason: 'changed', kind: 'tags' },
      { path: 't/x.yaml', status: 'added', reason: 'changed', kind: 'config' },
      { path: 't/y.yaml', status: 'unchanged', reason: 'tags-changed', kind: 'config' },
    ]);
  });

  it('submodules are ignored; a file replaced by a submodule is a delete', async () => {
    expect(
      await build([
        change('A', 't/sub.yaml', 't/sub.yaml', '000000', '160000'),
        change('T', 't/was-file.yaml', 't/was-file.yaml', '100644', '160000'),
        change('T', 't/link.yaml', 't/link.yaml', '100644', '120000'),
      ]),
    ).toEqual([
      { path: 't/link.yaml', status: 'type-changed', reason: 'changed', kind: 'config', symlink: true },
      { path: 't/was-file.yaml', status: 'deleted', reason: 'changed', kind: 'config' },
    ]);
  });

  it('strips the working directory and drops paths outside it', async () => {
    expect(
      await build(
        [
          change('M', 'repo/t/a.yaml'),
          change('M', 'other/t/a.yaml'),
          change('R', 'other/b.yaml', 'repo/t/b.yaml'),
        ],
        {
          wd: 'repo',
        },
      ),
    ).toEqual([
      { path: 't/a.yaml', status: 'modified', reason: 'changed', kind: 'config' },
      { path: 't/b.yaml', status: 'added', reason: 'changed', kind: 'config' },
    ]);
  });

  it('item-store.yaml changing marks every config, and a change of its own keeps reason changed', async () => {
    const entries = await build([change('M', 'item-store.yaml'), change('M', 'a/x.yaml')], {
      head: [
        { path: 'item-store.yaml', mode: '100644' },
        { path: 'a/x.yaml', mode: '100644' },
        { path: 'b/y.json', mode: '120000' },
        { path: 'b/tags.yaml', mode: '100644' },
        { path: 'b/sub', mode: '160000' },
      ],
    });
    expect(entries).toEqual([
      { path: 'a/x.yaml', status: 'modified', reason: 'changed', kind: 'config' },
      { path: 'b/y.json', status: 'unchanged', reason: 'settings-changed', kind: 'config', symlink: true },
      { path: 'item-store.yaml', status: 'modified', reason: 'changed', kind: 'settings' },
    ]);
  });
});
